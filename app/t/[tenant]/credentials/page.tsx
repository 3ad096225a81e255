import type { Metadata } from "next";
import { CredentialsPage } from "@/components/credentials/credentials-page";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Credentials" };

export default async function TenantCredentials(props: { params: Promise<{ tenant: string }>; searchParams: Promise<{ tenant?: string }> }) {
  const { tenant: slug } = await props.params;
  const { tenant: wanted } = await props.searchParams;
  const page = await tenantPage(slug, "/credentials");
  return <CredentialsPage run={page.run} wantedSlug={typeof wanted === "string" ? wanted : undefined} fallbackTenantId={page.tenant.id} />;
}
