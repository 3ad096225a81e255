// Reading usage, inside the caller's withTenant transaction: RLS on
// public.usage_rollups decides which tenants' rows exist (admins of the
// tenant or an ancestor, keys with usage:read). Totals are of the tenant's
// subtree (a customer's include its sites), summed per day from the daily
// rollups by usage.subtree_daily; a month's value is the sum of its days for
// a counter and the largest day for a snapshot (docs/usage.md).
import type { TenantTx } from "@/lib/db/with-tenant";
import { DAY_MS, utcDay } from "./rollup";
import { METRIC_DEFINITIONS, USAGE_METRICS, type UsageMetric } from "./metrics";

export interface MetricTotals {
  /** The period's value: sum (counter) or largest day (snapshot). */
  value: number;
  /** The busiest day's value. */
  peakDay: number;
  /** The last day with data's value (for a snapshot: the current level). */
  latest: number;
}

export type UsageTotals = Record<UsageMetric, MetricTotals>;

export interface DayUsage {
  /** YYYY-MM-DD (UTC). */
  day: string;
  values: Record<UsageMetric, number>;
}

export const emptyTotals = (): UsageTotals =>
  Object.fromEntries(USAGE_METRICS.map((m) => [m, { value: 0, peakDay: 0, latest: 0 }])) as UsageTotals;

const emptyValues = () => Object.fromEntries(USAGE_METRICS.map((m) => [m, 0])) as Record<UsageMetric, number>;

/** The first instant of `now`'s UTC month. */
export const monthStart = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

/** Each root's totals over `daily` (rows of root_id, day, metric, quantity): see SUBTREE_TOTALS_SQL. Exported for scripts/bench. */
export const totalsOver = (daily: string) => `select root_id, metric, sum(quantity) as total, max(quantity) as peak, sum(quantity) filter (where day = last_day) as latest
       from (select s.root_id, s.day, s.metric, s.quantity, max(s.day) over (partition by s.root_id, s.metric) as last_day
               from ${daily} s) d
      group by root_id, metric`;

/**
 * subtreeTotals' statement: $1 the roots, [$2, $3) the days (exported for scripts/bench). `latest` is
 * the quantity of the last day with a row (one row per root, day and metric), found with one window
 * over the sorted rows rather than an ordered aggregate per group (a sort per root and metric: 21 ms
 * of the console's 1,000 customers' month, npm run bench -- --only=18).
 */
export const SUBTREE_TOTALS_SQL = totalsOver("usage.subtree_daily($1::uuid[], $2, $3)");

/** subtreeDays' statement: $1 the root, [$2, $3) the days (exported for scripts/bench). */
export const SUBTREE_DAYS_SQL = "select day, metric, quantity from usage.subtree_daily(array[$1::uuid], $2, $3)";

/**
 * `daily` (rows of root_id, day, metric, quantity) read once: the totals of its days from `totalsFrom`
 * (rows without a day), then its rows from `daysFrom` (without peak or latest). Exported for scripts/bench.
 */
export const monthAndDaysOver = (daily: string, totalsFrom: string, daysFrom: string) => `with daily as materialized (
         select root_id, day, metric, quantity from ${daily})
       select null::timestamptz as day, t.metric, t.total, t.peak, t.latest
         from (${totalsOver(`(select * from daily where day >= ${totalsFrom})`)}) t
       union all
       select day, metric, quantity, null, null from daily where day >= ${daysFrom}`;

/**
 * subtreeMonthAndDays' statement: $1 the root, its totals over [$2, $4) and its days over [$3, $4), from
 * one pass of usage.subtree_daily over the union of the two ranges (exported for scripts/bench).
 */
export const SUBTREE_MONTH_AND_DAYS_SQL = monthAndDaysOver(
  "usage.subtree_daily(array[$1::uuid], least($2::timestamptz, $3::timestamptz), $4)",
  "$2::timestamptz",
  "$3::timestamptz",
);

type TotalsRow = { metric: UsageMetric; total: string; peak: string; latest: string };
type DayRow = { day: Date; metric: UsageMetric; quantity: string };

/** One totals row into `t` (a metric the registry no longer has is skipped). */
function addTotals(t: UsageTotals, r: TotalsRow): void {
  if (!(r.metric in t)) return;
  const peak = Number(r.peak);
  t[r.metric] = { value: METRIC_DEFINITIONS[r.metric].kind === "counter" ? Number(r.total) : peak, peakDay: peak, latest: Number(r.latest) };
}

/** One entry per UTC day of [from, before), days without rows as zeros. */
function daysOf(rows: DayRow[], from: Date, before: Date): DayUsage[] {
  const byDay = new Map<number, Record<UsageMetric, number>>();
  for (let t = utcDay(from).getTime(); t < before.getTime(); t += DAY_MS) byDay.set(t, emptyValues());
  for (const r of rows) {
    const values = byDay.get(r.day.getTime());
    if (values && r.metric in values) values[r.metric] = Number(r.quantity);
  }
  return [...byDay].map(([t, values]) => ({ day: new Date(t).toISOString().slice(0, 10), values }));
}

/** Totals over [from, before) for each root's subtree; roots without data (or not readable) get zeros. */
export async function subtreeTotals(tx: TenantTx, rootIds: readonly string[], from: Date, before: Date): Promise<Map<string, UsageTotals>> {
  const out = new Map<string, UsageTotals>(rootIds.map((id) => [id, emptyTotals()]));
  if (rootIds.length === 0) return out;
  const { rows } = await tx.client.query<TotalsRow & { root_id: string }>(SUBTREE_TOTALS_SQL, [rootIds, from, before]);
  for (const r of rows) {
    const t = out.get(r.root_id);
    if (t) addTotals(t, r);
  }
  return out;
}

/** One row per UTC day of [from, before) for `rootId`'s subtree, days without data as zeros. */
export async function subtreeDays(tx: TenantTx, rootId: string, from: Date, before: Date): Promise<DayUsage[]> {
  const { rows } = await tx.client.query<DayRow>(SUBTREE_DAYS_SQL, [rootId, from, before]);
  return daysOf(rows, from, before);
}

/**
 * subtreeTotals over [totalsFrom, before) and subtreeDays over [daysFrom, before) for one root, in one
 * statement: the tenant /usage page's month and 30 days overlap, and for an MSSP's own subtree each
 * pass over the daily rollups is most of the page's database time (290,880 rows in 30 days for 1,617
 * tenants, about 100 ms; docs/usage.md).
 */
export async function subtreeMonthAndDays(
  tx: TenantTx,
  rootId: string,
  totalsFrom: Date,
  daysFrom: Date,
  before: Date,
): Promise<{ totals: UsageTotals; days: DayUsage[] }> {
  return monthAndDaysOf(await tx.client.query<MonthAndDaysRow>(SUBTREE_MONTH_AND_DAYS_SQL, [rootId, totalsFrom, daysFrom, before]), daysFrom, before);
}

/**
 * ownMonthAndDays' statement: the own daily rollups of the tenants $1 summed per day (each tenant once,
 * not its subtree), totals over [$2, $4) and days over [$3, $4), in the shape of SUBTREE_MONTH_AND_DAYS_SQL.
 */
export const OWN_MONTH_AND_DAYS_SQL = monthAndDaysOver(
  `(select null::uuid as root_id, d.period_start as day, d.metric, sum(d.quantity) as quantity
      from public.usage_rollups d
     where d.grain = 'day' and d.tenant_id = any ($1::uuid[])
       and d.period_start >= least($2::timestamptz, $3::timestamptz) and d.period_start < $4
     group by d.period_start, d.metric) own`,
  "$2::timestamptz",
  "$3::timestamptz",
);

/**
 * subtreeMonthAndDays over exactly `tenantIds` (each tenant's own rows): for a page whose subtree holds
 * tenants the PDP does not let the caller see usage of, which must not be summed in (docs/usage.md).
 */
export async function ownMonthAndDays(
  tx: TenantTx,
  tenantIds: readonly string[],
  totalsFrom: Date,
  daysFrom: Date,
  before: Date,
): Promise<{ totals: UsageTotals; days: DayUsage[] }> {
  return monthAndDaysOf(await tx.client.query<MonthAndDaysRow>(OWN_MONTH_AND_DAYS_SQL, [tenantIds, totalsFrom, daysFrom, before]), daysFrom, before);
}

type MonthAndDaysRow = { day: Date | null; metric: UsageMetric; total: string; peak: string | null; latest: string | null };

function monthAndDaysOf({ rows }: { rows: MonthAndDaysRow[] }, daysFrom: Date, before: Date): { totals: UsageTotals; days: DayUsage[] } {
  const totals = emptyTotals();
  const dayRows: DayRow[] = [];
  for (const r of rows) {
    if (r.day === null) addTotals(totals, { metric: r.metric, total: r.total, peak: r.peak!, latest: r.latest! });
    else dayRows.push({ day: r.day, metric: r.metric, quantity: r.total });
  }
  return { totals, days: daysOf(dayRows, daysFrom, before) };
}

/** Whether the tenant's subtree has any usage rows the caller can read. */
export async function hasUsage(tx: TenantTx, rootId: string): Promise<boolean> {
  const { rows } = await tx.client.query<{ any: boolean }>(
    `select exists (select 1 from public.usage_rollups d join public.tenants t on t.id = d.tenant_id
                      join public.tenants r on t.path operator(extensions.<@) r.path where r.id = $1) as any`,
    [rootId],
  );
  return rows[0].any;
}

/** One tenant's own (not its subtree's) largest day of a metric over a period. */
export interface OwnPeak {
  tenantId: string;
  slug: string;
  name: string;
  path: string;
  metric: UsageMetric;
  peak: number;
}

/**
 * ownPeaks' statement: each tenant's own largest day per metric in [$2, $3) for the metrics $4; $1 a
 * root's path to keep to its subtree, or null for every tenant the caller sees (the console's customers
 * cover nearly all of them). Exported for scripts/bench. Each tenant's rollups are reduced to its peaks before
 * the tenants are joined: through RLS the planner takes the policies' arrays for 10 ids, and joining first
 * had it loop over an MSSP's 1,617 tenants and sort their 29,000 rows, names and paths on disk.
 */
export const OWN_PEAKS_SQL = `select t.id as tenant_id, t.slug, t.name, t.path::text as path, p.metric, p.peak
       from (select d.tenant_id, d.metric, max(d.quantity) as peak
               from public.usage_rollups d
              where d.grain = 'day' and d.period_start >= $2 and d.period_start < $3 and d.metric = any ($4::text[])
              group by d.tenant_id, d.metric) p
       join public.tenants t on t.id = p.tenant_id
      where ($1::text is null or t.path operator(extensions.<@) $1::text::extensions.ltree)`;

/**
 * Each tenant's own largest day of `metrics` over [from, before), within the subtree at `rootPath` (or
 * every tenant the caller's usage rows cover when null). Limits apply per tenant (a site inherits its own
 * copy of its customer's), so "how close to a limit" is a question for each tenant's own usage, never a
 * subtree's sum (lib/usage/limits.ts closestLimit).
 */
export async function ownPeaks(tx: TenantTx, rootPath: string | null, metrics: readonly UsageMetric[], from: Date, before: Date): Promise<OwnPeak[]> {
  if (metrics.length === 0) return [];
  const { rows } = await tx.client.query<{ tenant_id: string; slug: string; name: string; path: string; metric: UsageMetric; peak: string }>(OWN_PEAKS_SQL, [
    rootPath,
    from,
    before,
    metrics,
  ]);
  return rows.map((r) => ({ tenantId: r.tenant_id, slug: r.slug, name: r.name, path: r.path, metric: r.metric, peak: Number(r.peak) }));
}
