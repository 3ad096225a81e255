import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UsageView } from "@/components/usage/usage-view";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { tenantPage } from "@/lib/tenancy/page-context";
import { loadTenantUsage } from "@/lib/usage/page-data";

export const metadata: Metadata = { title: "Usage" };

export default async function TenantUsage(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/usage");
  let data;
  try {
    data = await page.run((tx) => loadTenantUsage(tx, page.tenant.slug, new Date(), { kind: "tenant", providerName: page.tenant.providerName }));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) notFound();
  return <UsageView data={data} />;
}
