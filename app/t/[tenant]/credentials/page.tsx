import type { Metadata } from "next";
import { CredentialsPage } from "@/components/credentials/credentials-page";
import { loadCredentialsPage } from "@/lib/credentials/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Credentials" };

export default async function TenantCredentials(props: { params: Promise<{ tenant: string }>; searchParams: Promise<{ tenant?: string }> }) {
  const { tenant: slug } = await props.params;
  const { tenant: wanted } = await props.searchParams;
  const page = await tenantPage(slug, "/credentials");
  const wantedSlug = typeof wanted === "string" ? wanted : undefined;
  return <CredentialsPage run={page.run} load={(tx) => loadCredentialsPage(tx, wantedSlug, page.tenant.id)} />;
}
