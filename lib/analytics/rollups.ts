// Reading the alert rollups (migration 20261201016000, docs/console.md):
// public.alert_daily_rollups (tenant, UTC day, severity) and
// public.alert_open_counts (tenant, severity), kept exact by triggers on
// public.alerts. Everything here runs under the caller's withTenant: RLS on
// the rollups decides which tenants' rows exist, and callers pass the
// tenants the PDP lets them read alerts of (lib/alerts/access.ts
// readableAlertTenants). Never reads public.alerts.
//
// Public surface (stable; helper modules build on it, /work/helpers/analytics-api.md):
//   tenantMetrics(tx, query)   per tenant (or per subtree root): daily rows,
//                              period totals, open now, open at each day's end
//   scopeSeries(metrics, …)    one dense day-by-day series summed over tenants
//   mttaMs / mttrMs            means from the sums (null when nothing counted)
import { ALERT_SEVERITIES, type AlertSeverityName } from "@/lib/alerts/severity";
import type { TenantTx } from "@/lib/db/with-tenant";
import type { RollupCover } from "./cover";

/** What one rollup row counts (definitions: migration 20261201016000 and docs/console.md). */
export interface RollupCounts {
  /** Alerts detected (detected_at) that day. */
  created: number;
  /** Alerts first acknowledged that day (time known). */
  acknowledged: number;
  /** Sum of their time to acknowledge, ms (from detection). */
  ttaMsSum: number;
  /** Alerts closed (resolved or false positive) that day. */
  closed: number;
  /** Of closed: closed as false positive. */
  falsePositives: number;
  /** Of closed: those with a recorded close time (the MTTR's count). */
  ttrCount: number;
  /** Sum of their time to resolve, ms (from detection). */
  ttrMsSum: number;
  /** Of acknowledged: past the acknowledge target in force when acknowledged. */
  ackBreaches: number;
  /** Of ttrCount: past the resolve target in force when closed. */
  resolveBreaches: number;
}

export interface DailyRow extends RollupCounts {
  /** The tenant, or the subtree root when query.subtree. */
  tenantId: string;
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  severity: AlertSeverityName;
}

export type BySeverity<T> = Record<AlertSeverityName, T>;

export interface TenantMetrics {
  tenantId: string;
  /** Rows of days in [from, to], sparse (a day with nothing has no row). */
  daily: DailyRow[];
  /** The period's sums per severity. */
  period: BySeverity<RollupCounts>;
  /** Open (new, acknowledged, in progress) now, per severity. */
  openNow: BySeverity<number>;
  /** created - closed summed over the days after `to` (to reach open at the end of each day from openNow). */
  netAfter: BySeverity<number>;
}

export interface MetricsQuery {
  /** First UTC day, "YYYY-MM-DD" (inclusive). */
  from: string;
  /** Last UTC day, "YYYY-MM-DD" (inclusive). */
  to: string;
  /** The tenants asked about (RLS drops any the caller cannot see). */
  tenantIds: readonly string[];
  /**
   * Per subtree: each tenant of tenantIds gets its own figures plus those of
   * every tenant below it that is in `within` (default: tenantIds). The tree
   * is today's (a moved site counts under its new parent).
   */
  subtree?: boolean;
  within?: readonly string[];
  /**
   * false: only the period's sums, open now and netAfter (no per-day rows):
   * one row per tenant and severity, for ranking many tenants.
   */
  daily?: boolean;
}

const zeroCounts = (): RollupCounts => ({
  created: 0, acknowledged: 0, ttaMsSum: 0, closed: 0, falsePositives: 0, ttrCount: 0, ttrMsSum: 0, ackBreaches: 0, resolveBreaches: 0,
});
export const emptyCounts = zeroCounts;
const bySeverity = <T>(make: () => T): BySeverity<T> =>
  Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, make()])) as BySeverity<T>;

export function addCounts(into: RollupCounts, c: RollupCounts): RollupCounts {
  for (const k of Object.keys(into) as (keyof RollupCounts)[]) into[k] += c[k];
  return into;
}

/** Mean time to acknowledge (ms), null when nothing was acknowledged. */
export const mttaMs = (c: RollupCounts): number | null => (c.acknowledged > 0 ? c.ttaMsSum / c.acknowledged : null);
/** Mean time to resolve (ms) over closes with a recorded time, null when none. */
export const mttrMs = (c: RollupCounts): number | null => (c.ttrCount > 0 ? c.ttrMsSum / c.ttrCount : null);

export const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface Row {
  tenant_id: string;
  day: string | null;
  severity: AlertSeverityName;
  created: string;
  acknowledged: string;
  tta_ms_sum: string;
  closed: string;
  false_positives: string;
  ttr_count: string;
  ttr_ms_sum: string;
  ack_breaches: string;
  resolve_breaches: string;
}

const countsOf = (r: Row): RollupCounts => ({
  created: Number(r.created),
  acknowledged: Number(r.acknowledged),
  ttaMsSum: Number(r.tta_ms_sum),
  closed: Number(r.closed),
  falsePositives: Number(r.false_positives),
  ttrCount: Number(r.ttr_count),
  ttrMsSum: Number(r.ttr_ms_sum),
  ackBreaches: Number(r.ack_breaches),
  resolveBreaches: Number(r.resolve_breaches),
});

const SUMS = `sum(d.created) as created, sum(d.acknowledged) as acknowledged, sum(d.tta_ms_sum) as tta_ms_sum,
  sum(d.closed) as closed, sum(d.false_positives) as false_positives, sum(d.ttr_count) as ttr_count,
  sum(d.ttr_ms_sum) as ttr_ms_sum, sum(d.ack_breaches) as ack_breaches, sum(d.resolve_breaches) as resolve_breaches`;

/**
 * tenantMetrics' two statements (exported for the bench, which times exactly
 * what the page sends). daily: $1 ids, $2 from, $3 to[, $4 within];
 * open: $1 ids[, $2 within].
 */
export function tenantMetricsSql(subtree: boolean, perDay = true): { daily: string; open: string } {
  // Who each rollup row counts for: itself, or every asked root above it.
  const owners = (within: string) =>
    subtree
      ? `select r.id as root_id, t.id as tenant_id
           from public.tenants r join public.tenants t on t.path operator(extensions.<@) r.path
          where r.id = any ($1::uuid[]) and t.id = any (${within}::uuid[])`
      : `select u as root_id, u as tenant_id from unnest($1::uuid[]) u`;
  return {
    daily: `with o as (${owners("$4")})
     select o.root_id as tenant_id, case when d.day > $3::date then null else ${perDay ? "d.day::text" : "$2::text"} end as day, d.severity, ${SUMS}
       from o join public.alert_daily_rollups d on d.tenant_id = o.tenant_id
      where d.day >= $2::date
      group by 1, 2, 3`,
    open: `with o as (${owners("$2")})
     select o.root_id as tenant_id, c.severity, sum(c.open) as open
       from o join public.alert_open_counts c on c.tenant_id = o.tenant_id
      group by 1, 2`,
  };
}

/** What tenantMetrics needs of a transaction: its client (a TenantTx, or the bare client lib/reports computes with). */
export type MetricsClient = { client: Pick<TenantTx["client"], "query"> };

/**
 * Figures per tenant (or per subtree root) for the UTC days [from, to]:
 * two statements over the rollups, none over the alerts. Tenants with no
 * rows get zeros.
 */
export async function tenantMetrics(tx: MetricsClient, q: MetricsQuery): Promise<TenantMetrics[]> {
  if (!DAY.test(q.from) || !DAY.test(q.to)) throw new Error("tenantMetrics: from and to are UTC days (YYYY-MM-DD)");
  const ids = [...new Set(q.tenantIds)];
  if (ids.length === 0) return [];
  const within = q.subtree ? [...new Set(q.within ?? ids)] : ids;
  const perDay = q.daily ?? true;
  const sql = tenantMetricsSql(q.subtree ?? false, perDay);
  const { rows } = await tx.client.query<Row>(sql.daily, q.subtree ? [ids, q.from, q.to, within] : [ids, q.from, q.to]);
  const { rows: open } = await tx.client.query<{ tenant_id: string; severity: AlertSeverityName; open: string }>(
    sql.open,
    q.subtree ? [ids, within] : [ids],
  );
  const out = new Map<string, TenantMetrics>(
    ids.map((id) => [id, { tenantId: id, daily: [], period: bySeverity(zeroCounts), openNow: bySeverity(() => 0), netAfter: bySeverity(() => 0) }]),
  );
  for (const r of rows) {
    const m = out.get(r.tenant_id)!;
    const c = countsOf(r);
    if (r.day === null) m.netAfter[r.severity] += c.created - c.closed;
    else {
      if (perDay) m.daily.push({ tenantId: r.tenant_id, day: r.day, severity: r.severity, ...c });
      addCounts(m.period[r.severity], c);
    }
  }
  for (const r of open) out.get(r.tenant_id)!.openNow[r.severity] += Number(r.open);
  for (const m of out.values()) m.daily.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return [...out.values()];
}

export interface SeriesDay {
  day: string;
  bySeverity: BySeverity<RollupCounts>;
  /** Open at the end of the day (UTC), per severity. */
  openAtEnd: BySeverity<number>;
}

/** Every UTC day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * One dense series over the days [from, to], summed over `metrics` (pass
 * per-tenant figures, not overlapping subtrees). Open at the end of day D =
 * open now - (created - closed) summed over the days after D.
 */
export function scopeSeries(metrics: readonly TenantMetrics[], from: string, to: string): SeriesDay[] {
  const days = daysBetween(from, to);
  const index = new Map(days.map((d, i) => [d, i]));
  const series: SeriesDay[] = days.map((day) => ({ day, bySeverity: bySeverity(zeroCounts), openAtEnd: bySeverity(() => 0) }));
  const open = bySeverity(() => 0);
  const after = bySeverity(() => 0);
  for (const m of metrics) {
    for (const s of ALERT_SEVERITIES) {
      open[s] += m.openNow[s];
      after[s] += m.netAfter[s];
    }
    for (const r of m.daily) {
      const i = index.get(r.day);
      if (i !== undefined) addCounts(series[i].bySeverity[r.severity], r);
    }
  }
  for (const s of ALERT_SEVERITIES) {
    let level = open[s] - after[s];
    for (let i = series.length - 1; i >= 0; i--) {
      series[i].openAtEnd[s] = level;
      level -= series[i].bySeverity[s].created - series[i].bySeverity[s].closed;
    }
  }
  return series;
}

const ROLLUP_COLUMNS = `day, severity, created, acknowledged, tta_ms_sum, closed, false_positives, ttr_count, ttr_ms_sum, ack_breaches, resolve_breaches`;

const SUBTREE_PART = `select ${ROLLUP_COLUMNS} from public.alert_subtree_rollups where tenant_id = any ($4::uuid[]) and day >= $2::date`;
const DAILY_PART = `select ${ROLLUP_COLUMNS} from public.alert_daily_rollups where tenant_id = any ($1::uuid[]) and day >= $2::date`;
const seriesOver = (parts: string) => `select case when d.day > $3::date then null else d.day::text end as day, d.severity, ${SUMS}
            from (${parts}) d
           group by 1, 2`;

/**
 * scopeSeriesOf's statements. daily: $1 tenants summed from their own daily
 * rows, $2 from, $3 to, $4 subtree roots read whole from
 * alert_subtree_rollups (lib/analytics/cover.ts); open: $1 every tenant.
 */
export const SCOPE_SERIES_SQL = {
  daily: seriesOver(`${SUBTREE_PART}\n                  union all\n                  ${DAILY_PART}`),
  open: `select c.severity, sum(c.open) as open from public.alert_open_counts c where c.tenant_id = any ($1::uuid[]) group by 1`,
};

/**
 * The series statement for a cover: a part with no tenants is left out of the
 * statement (each part's table policy reads the caller's visible set, ~1.4 ms
 * for an MSSP admin over 1,600 tenants, even when its own list is empty). The
 * parameters stay $1-$4 whichever parts remain.
 */
export function scopeSeriesStatement(cover: RollupCover, from: string, to: string): { sql: string; params: unknown[] } {
  const params = [cover.singles, from, to, cover.roots];
  if (cover.singles.length === 0) return { sql: seriesOver(`${SUBTREE_PART} and $1::uuid[] is not null`), params };
  if (cover.roots.length === 0) return { sql: seriesOver(`${DAILY_PART} and $4::uuid[] is not null`), params };
  return { sql: SCOPE_SERIES_SQL.daily, params };
}

/**
 * The dense day-by-day series of many tenants summed in the database (one
 * row per day and severity, whatever the number of tenants): what
 * scopeSeries(tenantMetrics(…)) gives, without a row per tenant and day.
 * `cover` (subtreeCover of the same tenants) reads whole subtrees from their
 * root's row; without it every tenant's daily rows are summed. `openNow`:
 * the same tenants' open alerts already read (openNowByTenant), so they are
 * not read twice.
 */
export async function scopeSeriesOf(
  tx: TenantTx,
  q: { from: string; to: string; tenantIds: readonly string[]; cover?: RollupCover; openNow?: BySeverity<number> },
): Promise<SeriesDay[]> {
  if (!DAY.test(q.from) || !DAY.test(q.to)) throw new Error("scopeSeriesOf: from and to are UTC days (YYYY-MM-DD)");
  const ids = [...new Set(q.tenantIds)];
  const scope: TenantMetrics = { tenantId: "scope", daily: [], period: bySeverity(zeroCounts), openNow: bySeverity(() => 0), netAfter: bySeverity(() => 0) };
  if (ids.length > 0) {
    const cover = q.cover ?? { roots: [], singles: ids };
    const statement = scopeSeriesStatement(cover, q.from, q.to);
    const { rows } = await tx.client.query<Row>(statement.sql, statement.params);
    for (const r of rows) {
      const c = countsOf(r);
      if (r.day === null) scope.netAfter[r.severity] += c.created - c.closed;
      else {
        scope.daily.push({ tenantId: "scope", day: r.day, severity: r.severity, ...c });
        addCounts(scope.period[r.severity], c);
      }
    }
    if (q.openNow) scope.openNow = { ...q.openNow };
    else {
      const { rows: open } = await tx.client.query<{ severity: AlertSeverityName; open: string }>(SCOPE_SERIES_SQL.open, [ids]);
      for (const r of open) scope.openNow[r.severity] += Number(r.open);
    }
  }
  return scopeSeries([scope], q.from, q.to);
}

/** openNowByTenant's and createdByTenant's statements (exported for the bench). */
export const PER_TENANT_SQL = {
  open: `select c.tenant_id, c.severity, c.open from public.alert_open_counts c where c.tenant_id = any ($1::uuid[]) and c.open <> 0`,
  created: `select d.tenant_id, sum(d.created) as created from public.alert_daily_rollups d
             where d.tenant_id = any ($1::uuid[]) and d.day between $2::date and $3::date group by 1`,
};

/** Open alerts now per tenant and severity (tenants with none have no entry). */
export async function openNowByTenant(tx: TenantTx, tenantIds: readonly string[]): Promise<Map<string, BySeverity<number>>> {
  const out = new Map<string, BySeverity<number>>();
  if (tenantIds.length === 0) return out;
  const { rows } = await tx.client.query<{ tenant_id: string; severity: AlertSeverityName; open: number }>(
    PER_TENANT_SQL.open,
    [[...new Set(tenantIds)]],
  );
  for (const r of rows) {
    let m = out.get(r.tenant_id);
    if (!m) out.set(r.tenant_id, (m = bySeverity(() => 0)));
    m[r.severity] += r.open;
  }
  return out;
}

/** Alerts detected in the UTC days [from, to] per tenant (tenants with none have no entry). */
export async function createdByTenant(tx: TenantTx, tenantIds: readonly string[], from: string, to: string): Promise<Map<string, number>> {
  if (!DAY.test(from) || !DAY.test(to)) throw new Error("createdByTenant: from and to are UTC days (YYYY-MM-DD)");
  if (tenantIds.length === 0) return new Map();
  const { rows } = await tx.client.query<{ tenant_id: string; created: string }>(
    PER_TENANT_SQL.created,
    [[...new Set(tenantIds)], from, to],
  );
  return new Map(rows.map((r) => [r.tenant_id, Number(r.created)]));
}

/** Sum of counts over severities. */
export function totalOf(by: BySeverity<RollupCounts>): RollupCounts {
  const t = zeroCounts();
  for (const s of ALERT_SEVERITIES) addCounts(t, by[s]);
  return t;
}
