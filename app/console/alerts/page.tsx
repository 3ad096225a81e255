import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AlertFiltersForm } from "@/components/alerts/alert-filters";
import { AlertTable } from "@/components/alerts/alert-table";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { listAlerts, parseAlertFilters } from "@/lib/alerts/list";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { flattenTree, loadTenantTree } from "@/lib/tenancy/tree";

export const metadata: Metadata = { title: "Alerts" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleAlerts(props: Props) {
  const { filters, problems } = parseAlertFilters(await props.searchParams);
  const page = await consolePage("/alerts");
  const data = await page.run(async (tx) => {
    if (!isOperator(tx)) return null;
    const tenants = flattenTree(await loadTenantTree(tx.db)).map((t) => ({ slug: t.slug, name: t.name }));
    return { tenants, alerts: await listAlerts(tx.db, filters) };
  });
  if (!data) redirect("/tenants");
  return (
    <>
      <PageHeader title="Alerts" description="Every alert across the tenants you operate, newest first." />
      <Notice messages={problems} />
      <div className="mb-4">
        <AlertFiltersForm filters={filters} tenants={data.tenants} />
      </div>
      <AlertTable page={data.alerts} filters={filters} showTenant />
    </>
  );
}
