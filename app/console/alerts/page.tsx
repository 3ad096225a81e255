import type { Metadata } from "next";
import { forbidden, redirect } from "next/navigation";
import { AlertListView } from "@/components/alerts/alert-list-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { parseAlertFilters } from "@/lib/alerts/list";
import { loadAlertListPage } from "@/lib/alerts/page-data";
import { isAuthorizationError, isPdpUnavailable } from "@/lib/authz";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Alerts" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleAlerts(props: Props) {
  const { filters, problems } = parseAlertFilters(await props.searchParams);
  const page = await consolePage("/alerts");
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadAlertListPage(tx, filters, null, new Date()) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    if (isAuthorizationError(error)) forbidden();
    throw error;
  }
  if (!data) redirect("/tenants");
  return (
    <>
      <PageHeader title="Alerts" description="Every alert across the tenants you operate. Search, filter, save a view, and triage several at once." />
      <AlertListView data={data} filters={filters} problems={problems} showTenant />
    </>
  );
}
