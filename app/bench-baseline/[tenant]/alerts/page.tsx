// The load bench's baseline page (lib/alerts/baseline.ts): the tenant alert
// page's components over the same data loaded as the owner with an explicit
// tenant filter, no session, no PDP, no RLS. 404 unless the server was started
// with BENCH_BASELINE_PAGES=1 (only `npm run bench -- --only=load` does);
// proxy.ts routes here only then.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AlertListView } from "@/components/alerts/alert-list-view";
import { PageHeader } from "@/components/ui/page-header";
import { benchBaselineEnabled, loadAlertListBaseline } from "@/lib/alerts/baseline";
import { parseAlertFilters } from "@/lib/alerts/list";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const metadata: Metadata = { title: "Alerts" };

type Props = {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function BenchBaselineAlerts(props: Props) {
  if (!benchBaselineEnabled()) notFound();
  const slug = tenantSlugSchema.safeParse((await props.params).tenant);
  if (!slug.success) notFound();
  const { filters, problems } = parseAlertFilters(await props.searchParams);
  const loaded = await loadAlertListBaseline(slug.data, filters, new Date());
  if (!loaded) notFound();
  return (
    <>
      <PageHeader title="Alerts" description={`Alerts raised for ${loaded.name}. Search, filter, save a view, and triage several at once.`} />
      <AlertListView data={loaded.data} filters={filters} problems={problems} showTenant={loaded.data.tenantCount > 1} />
    </>
  );
}
