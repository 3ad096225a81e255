// The console's comparison (/compare, docs/console.md "Comparison and
// benchmarking"): chosen customers, or a peer group (plan, size band,
// industry), side by side on the metrics of compare-metrics.ts, each with its
// percentile among its MSSP's customers. Under the caller's RLS (a customer
// the caller cannot see is not there: another MSSP's cannot be compared, and
// the page cannot tell it from one that does not exist), with the PDP asked
// first: benchmark:view on the MSSP, then alerts:read per tenant
// (readableAlertTenants, as every alert count); denied tenants are left out
// and counted in a note. Figures come from analytics.customer_metrics
// (migration 20261201016500), i.e. from the alert rollups.
import { readableAlertTenants } from "@/lib/alerts/access";
import { permissions } from "@/lib/authz";
import { listCustomerPlans } from "@/lib/billing";
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfigs } from "@/lib/settings";
import { COMPARE_METRICS, type CompareMetric } from "./compare-metrics";
import { dayAfter, groupLabel, MAX_COMPARED, type CompareQuery, type PeerGroup } from "./compare-query";
import { industryLabel, sizeBandOf, SIZE_BAND_LABELS, type SizeBand } from "./peers";
import { percentileAmong } from "./percentile";

export type MetricValues = Record<CompareMetric, number | null>;

/** One customer's figures over the range, as analytics.customer_metrics returns them. */
export interface CustomerFigures {
  customerId: string;
  assets: number;
  sizeBand: SizeBand;
  alerts: number;
  critical: number;
  acknowledged: number;
  ttaMsSum: number;
  resolvedTimed: number;
  ttrMsSum: number;
  slaClocks: number;
  slaBreaches: number;
  openAtEnd: number;
  values: MetricValues;
}

interface FiguresRow {
  customer_id: string;
  assets: string;
  size_band: SizeBand;
  alerts: string;
  critical: string;
  acknowledged: string;
  tta_ms_sum: string;
  resolved_timed: string;
  ttr_ms_sum: string;
  sla_clocks: string;
  sla_breaches: string;
  open_at_end: string;
  alerts_per_asset: number | null;
  critical_per_asset: number | null;
  mtta_minutes: number | null;
  mttr_minutes: number | null;
  sla_breach_rate: number | null;
  open_per_asset: number | null;
}

/**
 * Figures of `customerIds` over the UTC days [from, to] (inclusive), their
 * sites included; `only` limits the tenants whose rows count. Runs under the
 * caller's RLS: a customer it cannot see returns no row.
 */
export async function customerFigures(
  tx: Pick<TenantTx, "client">,
  customerIds: readonly string[],
  range: { from: string; to: string },
  only?: readonly string[],
): Promise<Map<string, CustomerFigures>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await tx.client.query<FiguresRow>(
    "select * from analytics.customer_metrics($1::uuid[], $2::date, $3::date, $4::uuid[])",
    [customerIds, range.from, dayAfter(range.to), only ?? null],
  );
  return new Map(
    rows.map((r) => [
      r.customer_id,
      {
        customerId: r.customer_id,
        assets: Number(r.assets),
        sizeBand: r.size_band,
        alerts: Number(r.alerts),
        critical: Number(r.critical),
        acknowledged: Number(r.acknowledged),
        ttaMsSum: Number(r.tta_ms_sum),
        resolvedTimed: Number(r.resolved_timed),
        ttrMsSum: Number(r.ttr_ms_sum),
        slaClocks: Number(r.sla_clocks),
        slaBreaches: Number(r.sla_breaches),
        openAtEnd: Number(r.open_at_end),
        values: Object.fromEntries(COMPARE_METRICS.map((m) => [m, r[m]])) as MetricValues,
      },
    ]),
  );
}

export interface ComparedCustomer {
  slug: string;
  name: string;
  assets: number;
  sizeBand: string;
  industry: string;
  plan: string | null;
  values: MetricValues;
  /** Among the other customers of its MSSP the caller may read (null: no value, or no peer with one). */
  percentiles: MetricValues;
  /** How many those are: its own MSSP's other customers the caller may compare (not the population, which spans every MSSP). */
  peers: number;
  figures: Pick<CustomerFigures, "alerts" | "critical" | "openAtEnd">;
}

export interface ComparisonData {
  allowed: boolean;
  /** The compared customers (chosen, or the group's members), by name. */
  rows: ComparedCustomer[];
  /** The group's members past the table's limit (group mode). */
  more: number;
  group: { label: string; size: number } | null;
  /** The link's peer group was a plan not among those listed: ignored (the page says so). */
  groupIgnored: boolean;
  /** Customers ticked in the link that the group used replaced (0 without a group, or when it was ignored). */
  ticksIgnored: number;
  /** The MSSPs whose customers make the population (an operator may hold benchmark:view on several). */
  mssps: number;
  /** Median of every customer the caller may compare (the percentiles' population). */
  median: MetricValues;
  /** Median of the group, in group mode. */
  groupMedian: MetricValues | null;
  population: number;
  /** Visible customers (or their sites) whose alerts the PDP does not let the caller read: left out. */
  hidden: number;
  /** Customers asked for in the link that are not among those the caller may compare. */
  missing: number;
  /** The picker: customers matching the search (or the first ones), not already chosen. */
  candidates: { slug: string; name: string }[];
  plans: { id: string; name: string }[];
  bands: { value: SizeBand; label: string; count: number }[];
  industries: { value: string; label: string; count: number }[];
}

/** Rows shown in group mode (the rest are counted). */
export const GROUP_ROWS = 50;
const CANDIDATES = 20;

const median = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const medians = (rows: { values: MetricValues }[]): MetricValues =>
  Object.fromEntries(COMPARE_METRICS.map((m) => [m, median(rows.map((r) => r.values[m]))])) as MetricValues;

function countBy<K extends string>(keys: K[], label: (k: K) => string): { value: K; label: string; count: number }[] {
  const counts = new Map<K, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, label: label(value), count })).sort((a, b) => a.label.localeCompare(b.label));
}

const EMPTY: Omit<ComparisonData, "allowed"> = {
  rows: [], more: 0, group: null, groupIgnored: false, ticksIgnored: 0, mssps: 0, median: Object.fromEntries(COMPARE_METRICS.map((m) => [m, null])) as MetricValues, groupMedian: null,
  population: 0, hidden: 0, missing: 0, candidates: [], plans: [], bands: [], industries: [],
};

export async function loadComparison(tx: TenantTx, query: CompareQuery, now = new Date()): Promise<ComparisonData> {
  const msspIds = tx.claims.tenants.filter((m) => m.kind === "mssp").map((m) => m.tenant_id);
  if (msspIds.length === 0) return { ...EMPTY, allowed: false };
  const can: Array<Record<"benchmark:view" | "billing:view", boolean>> = [];
  for (const id of msspIds) can.push(await permissions(tx, ["benchmark:view", "billing:view"], id)); // each reads the tenant on this connection
  const benchmarkMssps = msspIds.filter((_, i) => can[i]["benchmark:view"]);
  if (benchmarkMssps.length === 0) return { ...EMPTY, allowed: false };

  const { rows: visible } = await tx.client.query<{ id: string; slug: string; name: string; parent_id: string }>(
    `select id, slug, name, parent_id from public.tenants
      where kind = 'customer' and status in ('active', 'suspended') and parent_id = any ($1::uuid[])
      order by lower(name), slug`,
    [benchmarkMssps],
  );
  const readable = await readableAlertTenants(tx);
  const customers = visible.filter((c) => readable.has(c.id));
  const { rows: hiddenRows } = await tx.client.query<{ n: number }>(
    `select count(*)::int as n from public.tenants t
       join public.tenants m on m.id = any ($1::uuid[]) and t.path operator(extensions.<@) m.path and t.id <> m.id
      where t.status in ('active', 'suspended') and not (t.id = any ($2::uuid[]))`,
    [benchmarkMssps, [...readable]],
  );

  const ids = customers.map((c) => c.id);
  // One after another: every statement uses this transaction's connection.
  const figures = await customerFigures(tx, ids, query.range, [...readable]);
  const configs = await effectiveConfigs(tx, ids);
  const planRows = [];
  for (const id of benchmarkMssps.filter((m) => can[msspIds.indexOf(m)]["billing:view"])) {
    planRows.push(await listCustomerPlans(tx, id, new Date(`${query.range.to}T00:00:00Z`)));
  }
  const planOf = new Map(planRows.flat().filter((p) => p.plan).map((p) => [p.id, p.plan!]));
  const all = customers.map((c) => {
    const f = figures.get(c.id);
    return {
      ...c,
      assets: f?.assets ?? 0,
      sizeBand: f?.sizeBand ?? sizeBandOf(0),
      industry: String(configs.get(c.id)?.value<string>("profile.industry") ?? "unspecified"),
      planId: planOf.get(c.id)?.planId ?? null,
      planName: planOf.get(c.id)?.name ?? null,
      values: f?.values ?? (Object.fromEntries(COMPARE_METRICS.map((m) => [m, null])) as MetricValues),
      figures: { alerts: f?.alerts ?? 0, critical: f?.critical ?? 0, openAtEnd: f?.openAtEnd ?? 0 },
    };
  });

  const plans = [...new Map(planRows.flat().filter((p) => p.plan).map((p) => [p.plan!.planId, { id: p.plan!.planId, name: p.plan!.name }])).values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  // A plan group is one of the plans listed (the plans of the customers compared, shown to holders of
  // billing:view): any other plan id in a link (unknown, unused, or not the caller's to see) is ignored.
  const planId = query.group?.kind === "plan" ? query.group.planId : null;
  const groupPlan = planId ? plans.find((p) => p.id === planId) : undefined;
  const group = planId && !groupPlan ? null : query.group;
  const inGroup = (g: PeerGroup) => (c: (typeof all)[number]) =>
    g.kind === "plan" ? c.planId === g.planId : g.kind === "size" ? c.sizeBand === g.band : c.industry === g.industry;
  const chosen = group
    ? all.filter(inGroup(group))
    : query.customers.map((slug) => all.find((c) => c.slug === slug)).filter((c): c is (typeof all)[number] => c !== undefined);
  const missing = group ? 0 : query.customers.length - chosen.length;

  const toRow = (c: (typeof all)[number]): ComparedCustomer => {
    const peers = all.filter((p) => p.parent_id === c.parent_id && p.id !== c.id);
    return {
      slug: c.slug,
      name: c.name,
      assets: c.assets,
      sizeBand: SIZE_BAND_LABELS[c.sizeBand],
      industry: industryLabel(c.industry),
      plan: c.planName,
      values: c.values,
      percentiles: Object.fromEntries(COMPARE_METRICS.map((m) => [m, percentileAmong(c.values[m], peers.map((p) => p.values[m]))])) as MetricValues,
      peers: peers.length,
      figures: c.figures,
    };
  };

  const limit = group ? GROUP_ROWS : MAX_COMPARED;
  const needle = query.q?.toLowerCase() ?? null;
  return {
    allowed: true,
    rows: chosen.slice(0, limit).map(toRow),
    more: Math.max(0, chosen.length - limit),
    group: group ? { label: groupLabel(group, groupPlan?.name), size: chosen.length } : null,
    groupIgnored: group === null && query.group !== null,
    ticksIgnored: group ? query.customers.length : 0,
    mssps: new Set(all.map((c) => c.parent_id)).size,
    median: medians(all),
    groupMedian: group ? medians(chosen) : null,
    population: all.length,
    hidden: hiddenRows[0]?.n ?? 0,
    missing,
    candidates: all
      .filter((c) => !query.customers.includes(c.slug) && (!needle || c.name.toLowerCase().includes(needle) || c.slug.includes(needle)))
      .slice(0, CANDIDATES)
      .map((c) => ({ slug: c.slug, name: c.name })),
    plans,
    bands: countBy(all.map((c) => c.sizeBand), (b) => SIZE_BAND_LABELS[b]),
    industries: countBy(all.map((c) => c.industry).filter((i) => i !== "unspecified"), industryLabel),
  };
}
