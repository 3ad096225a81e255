import type { Metadata } from "next";
import { CollectorStatusCard } from "@/components/collector/collector-status-card";
import { CredentialsPage } from "@/components/credentials/credentials-page";
import { isPdpUnavailable } from "@/lib/authz";
import { loadCollectorStatus, visibleTenantBySlug } from "@/lib/collector/status";
import { loadCredentialsPage } from "@/lib/credentials/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Credentials" };

export default async function TenantCredentials(props: { params: Promise<{ tenant: string }>; searchParams: Promise<{ tenant?: string }> }) {
  const { tenant: slug } = await props.params;
  const { tenant: wanted } = await props.searchParams;
  const page = await tenantPage(slug, "/credentials");
  const wantedSlug = typeof wanted === "string" ? wanted : undefined;
  // The collector card follows the tenant picked above (a site's collectors, a site's command); a PDP
  // outage shows on the credentials part, so here it only hides the card.
  const card = await page
    .run(async (tx) => {
      const picked = wantedSlug ? await visibleTenantBySlug(tx, wantedSlug) : null;
      const target = picked ?? { id: page.tenant.id, slug };
      return { slug: target.slug, data: await loadCollectorStatus(tx, target.id) };
    })
    .catch((error) => {
      if (isPdpUnavailable(error)) return { slug, data: { allowed: false as const } };
      throw error;
    });
  return (
    <>
      <CredentialsPage run={page.run} load={(tx) => loadCredentialsPage(tx, wantedSlug, page.tenant.id)} />
      <CollectorStatusCard data={card.data} slug={card.slug} />
    </>
  );
}
