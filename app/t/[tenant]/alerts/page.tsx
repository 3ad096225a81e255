import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { AlertListView } from "@/components/alerts/alert-list-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { parseAlertFilters } from "@/lib/alerts/list";
import { loadAlertListPage } from "@/lib/alerts/page-data";
import { isAuthorizationError, isPdpUnavailable } from "@/lib/authz";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Alerts" };

type Props = {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function TenantAlerts(props: Props) {
  const { tenant: slug } = await props.params;
  const { filters, problems } = parseAlertFilters(await props.searchParams);
  const page = await tenantPage(slug, "/alerts");
  let data;
  try {
    // With this tenant active, RLS shows it and its sites; the PDP decides which of them may be read.
    data = await page.run((tx) => loadAlertListPage(tx, filters, page.tenant.id, new Date()));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    if (isAuthorizationError(error)) forbidden();
    throw error;
  }
  return (
    <>
      <PageHeader title="Alerts" description={`Alerts raised for ${page.tenant.name}. Search, filter, save a view, and triage several at once.`} />
      <AlertListView data={data} filters={filters} problems={problems} showTenant={data.tenantCount > 1} />
    </>
  );
}
