import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TenantHealthView } from "@/components/health/tenant-health-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadTenantHealth } from "@/lib/health/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Status" };

export default async function TenantStatus(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/status");
  let data;
  try {
    data = await page.run((tx) => loadTenantHealth(tx, page.tenant.slug, page.tenant.id));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) notFound();
  return (
    <>
      <PageHeader title="Status" description="How your detection pipeline is doing: collectors, alert freshness, connectors, jobs, API, quotas and sign-ins, checked every minute." />
      <TenantHealthView data={data} settingsHint="Thresholds: the Health monitoring group of Settings." />
    </>
  );
}
