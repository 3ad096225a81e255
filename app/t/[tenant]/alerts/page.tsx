import type { Metadata } from "next";
import { AlertFiltersForm } from "@/components/alerts/alert-filters";
import { AlertTable } from "@/components/alerts/alert-table";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { listAlerts, parseAlertFilters } from "@/lib/alerts/list";
import { tenantPage } from "@/lib/tenancy/page-context";
import { flattenTree, loadTenantTree } from "@/lib/tenancy/tree";

export const metadata: Metadata = { title: "Alerts" };

type Props = {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function TenantAlerts(props: Props) {
  const { tenant: slug } = await props.params;
  const { filters, problems } = parseAlertFilters(await props.searchParams);
  const page = await tenantPage(slug, "/alerts");
  const data = await page.run(async (tx) => ({
    // With this tenant active, RLS shows it and its sites, nothing else.
    tenants: flattenTree(await loadTenantTree(tx.db)).map((t) => ({ slug: t.slug, name: t.name })),
    alerts: await listAlerts(tx.db, filters),
  }));
  return (
    <>
      <PageHeader title="Alerts" description={`Alerts raised for ${page.tenant.name}, newest first.`} />
      <Notice messages={problems} />
      <div className="mb-4">
        <AlertFiltersForm filters={filters} tenants={data.tenants} />
      </div>
      <AlertTable page={data.alerts} filters={filters} showTenant={data.tenants.length > 1} />
    </>
  );
}
