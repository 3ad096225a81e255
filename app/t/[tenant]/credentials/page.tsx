import type { Metadata } from "next";
import { CollectorStatusCard } from "@/components/collector/collector-status-card";
import { CredentialsPage } from "@/components/credentials/credentials-page";
import { loadCollectorStatus } from "@/lib/collector/status";
import { loadCredentialsPage } from "@/lib/credentials/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Credentials" };

export default async function TenantCredentials(props: { params: Promise<{ tenant: string }>; searchParams: Promise<{ tenant?: string }> }) {
  const { tenant: slug } = await props.params;
  const { tenant: wanted } = await props.searchParams;
  const page = await tenantPage(slug, "/credentials");
  const wantedSlug = typeof wanted === "string" ? wanted : undefined;
  // The collector card is the page's tenant's (a PDP outage shows on the credentials part above).
  const collectors = await page.run((tx) => loadCollectorStatus(tx, page.tenant.id)).catch(() => ({ allowed: false as const }));
  return (
    <>
      <CredentialsPage run={page.run} load={(tx) => loadCredentialsPage(tx, wantedSlug, page.tenant.id)} />
      <CollectorStatusCard data={collectors} slug={slug} />
    </>
  );
}
