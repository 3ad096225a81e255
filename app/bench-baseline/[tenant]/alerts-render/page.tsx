// The load bench's render floor (lib/alerts/baseline.ts, loadAlertListBaselineKept):
// the baseline alert page's components over data loaded once per tenant and
// filters and then kept in this process, so a request does no database work,
// no session, no PDP, no RLS and no shell: what rendering the page's content
// alone costs on this machine. 404 unless the server was started with
// BENCH_BASELINE_PAGES=1 (only `npm run bench -- --only=load` does).
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AlertListView } from "@/components/alerts/alert-list-view";
import { PageHeader } from "@/components/ui/page-header";
import { benchBaselineEnabled, loadAlertListBaselineKept } from "@/lib/alerts/baseline";
import { parseAlertFilters } from "@/lib/alerts/list";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const metadata: Metadata = { title: "Alerts" };

type Props = {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function BenchBaselineAlertsRenderOnly(props: Props) {
  if (!benchBaselineEnabled()) notFound();
  const slug = tenantSlugSchema.safeParse((await props.params).tenant);
  if (!slug.success) notFound();
  const { filters, problems } = parseAlertFilters(await props.searchParams);
  const loaded = await loadAlertListBaselineKept(slug.data, filters, new Date());
  if (!loaded) notFound();
  return (
    <>
      <PageHeader title="Alerts" description={`Alerts raised for ${loaded.name}. Search, filter, save a view, and triage several at once.`} />
      <AlertListView data={loaded.data} filters={filters} problems={problems} showTenant={loaded.data.tenantCount > 1} />
    </>
  );
}
