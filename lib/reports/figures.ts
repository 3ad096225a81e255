// The figures of a report, for one tenant's subtree (a customer and its
// sites) over [from, to). Every query names the subtree by its root's path,
// so the same SQL answers under a person's RLS and on the worker's service
// role (which reads only the tenant the report row belongs to). Definitions
// (docs/reports.md; closed, open at end, MTTA, MTTR and SLA are the
// dashboard's, docs/console.md, read from the same alert rollups through
// lib/analytics tenantMetrics: periodAlertFigures below):
//   detected   detected_at in [from, to)
//   closed     closed (resolved or false positive) in the period's UTC days, on
//              the day of resolved_at; without a close time (imported rows), on
//              the detection day
//   open at end  open at the end of the period's last UTC day
//   MTTA       over the alerts acknowledged in the period's days
//   MTTR       over the alerts closed in the period's days with a close time
//   SLA        per severity (critical to low): of those acknowledgements /
//              closes, the ones within the target in force when the clock
//              stopped (the verdict each alert keeps: ack_breached, resolve_breached)
//   trend      alerts detected per UTC day / week, every bucket of the period
//              listed (zeros too); a week is labelled with its Monday, the first
//              one with the period's start when that is later
//   backlog    alerts open now (new, acknowledged, in progress), by age
//   assets seen in or since the period  created before `to` and last seen at or after
//              `from` (only the latest sighting is kept: see figureStatements' assets)
import type pg from "pg";
import { ALERT_SEVERITIES, type AlertSeverityName as Severity } from "@/lib/alerts/severity";
import { SLA_SEVERITIES, type SlaSeverity } from "@/lib/alerts/sla";
import { mttaMs, mttrMs, tenantMetrics, totalOf } from "@/lib/analytics/rollups";
import type { SlaTargets } from "@/lib/settings/read";
import { METRIC_DEFINITIONS, USAGE_METRICS, type UsageMetric } from "@/lib/usage/metrics";
import type { Period } from "./period";

// The old name, kept only for scripts/bench/page-scenarios-reports.ts (not ours to edit); new code imports lib/alerts/severity.
export { ALERT_SEVERITIES as SEVERITIES };
export type BySeverity = Record<Severity, number>;

// closed, openAtEnd, acknowledged, closedWithCloseTime, mttaMinutes, mttrMinutes: the dashboard's figures (docs/console.md), from periodAlertFigures.
export interface ReportFigures extends Omit<PeriodAlertFigures, "sla"> {
  tenant: { id: string; slug: string; name: string; kind: string; status: string };
  period: Period;
  /**
   * The UTC days (both included) that closed, open at end, MTTA, MTTR and SLA cover: the alert rollups
   * count by UTC day, so a period that does not start and end at UTC midnight is read as the days it
   * touches (`whole` false: the files say so).
   */
  days: PeriodDays;
  bucket: "day" | "week";
  detected: BySeverity & { total: number };
  /** Critical to low. ackTarget / resolveTarget: the tenant's targets today (each alert was judged against the one in force then). */
  sla: SlaFigures[];
  /** Every bucket of the period in order, zeros included. */
  trend: { bucket: string; counts: BySeverity }[];
  topAlerts: { title: string; severity: string; count: number }[];
  byStatus: { status: string; count: number }[];
  topRules: { name: string; count: number }[];
  topSources: { name: string; count: number }[];
  topHosts: { name: string; count: number }[];
  /** seenInPeriod: seen in or since the period (created before its end, last seen at or after its start). */
  assets: { total: number; seenInPeriod: number; withAlerts: number; byCriticality: { name: string; count: number }[]; byKind: { name: string; count: number }[] };
  collectors: { name: string; tenant: string; version: string | null; lastHeartbeatAt: Date; lastError: string | null }[];
  health: { tenant: string; state: string; since: Date }[];
  healthChanges: number;
  backlog: { severity: Severity; under1d: number; d1to7: number; d7to30: number; over30d: number }[];
  oldestOpen: { title: string; severity: string; status: string; detectedAt: Date; tenant: string }[];
  usage: { metric: UsageMetric; label: string; unit: string; value: number }[] | null;
}

type Client = Pick<pg.PoolClient, "query">;

export interface PeriodDays {
  /** First and last UTC day, "YYYY-MM-DD", both included. */
  from: string;
  to: string;
  /** The period is exactly these days (starts and ends at UTC midnight). */
  whole: boolean;
}

/** The UTC days a period touches: from the day of `from` to the day of its last instant. */
export function periodDays(period: Period): PeriodDays {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const midnight = (d: Date) => d.getTime() % 86_400_000 === 0;
  return { from: day(period.from), to: day(new Date(period.to.getTime() - 1)), whole: midnight(period.from) && midnight(period.to) };
}

export interface SlaFigures {
  severity: SlaSeverity;
  /** Alerts acknowledged in the period, and of them those past the acknowledge target. */
  acknowledged: number;
  ackBreaches: number;
  /** acknowledged - ackBreaches. */
  ackMet: number;
  /** Alerts closed in the period with a close time, and of them those past the resolve target. */
  closed: number;
  resolveBreaches: number;
  /** closed - resolveBreaches. */
  resolveMet: number;
  ackTarget: number;
  resolveTarget: number;
}

/** The figures a report shares with the dashboard, per subtree root (periodAlertFigures). */
export interface PeriodAlertFigures {
  closed: number;
  openAtEnd: number;
  /** MTTA's population: alerts acknowledged in the period. */
  acknowledged: number;
  /** MTTR's population: of `closed`, those with a recorded close time. */
  closedWithCloseTime: number;
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  sla: Record<SlaSeverity, { acknowledged: number; ackBreaches: number; closed: number; resolveBreaches: number }>;
}

/** The tenants of the roots' subtrees ($1 the roots), as the caller sees them: tenantMetrics' `within`. */
export const SUBTREE_IDS_SQL = `select distinct t.id from public.tenants r join public.tenants t on t.path operator(extensions.<@) r.path where r.id = any ($1::uuid[])`;

const msToMinutes = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);

/**
 * Closed, open at the end, MTTA, MTTR and the SLA counts of each root's subtree (as the caller sees it:
 * RLS) over the period's UTC days: the dashboard's definitions (docs/console.md), read from the same
 * alert rollups through the same function (lib/analytics tenantMetrics), never from public.alerts.
 * Open at the end = open now - (detected - closed) over the days after the period, as the dashboard's
 * series. Used by the report (computeFigures) and the console's cross-tenant CSV.
 */
export async function periodAlertFigures(client: Client, rootIds: readonly string[], period: Period): Promise<Map<string, PeriodAlertFigures>> {
  const out = new Map<string, PeriodAlertFigures>();
  if (rootIds.length === 0) return out;
  const days = periodDays(period);
  const { rows } = await client.query<{ id: string }>(SUBTREE_IDS_SQL, [[...new Set(rootIds)]]);
  const metrics = await tenantMetrics({ client }, {
    from: days.from, to: days.to, tenantIds: rootIds, subtree: true, within: rows.map((r) => r.id), daily: false,
  });
  for (const m of metrics) {
    const total = totalOf(m.period);
    out.set(m.tenantId, {
      closed: total.closed,
      openAtEnd: ALERT_SEVERITIES.reduce((sum, s) => sum + m.openNow[s] - m.netAfter[s], 0),
      acknowledged: total.acknowledged,
      closedWithCloseTime: total.ttrCount,
      mttaMinutes: msToMinutes(mttaMs(total)),
      mttrMinutes: msToMinutes(mttrMs(total)),
      sla: Object.fromEntries(SLA_SEVERITIES.map((s) => {
        const c = m.period[s];
        return [s, { acknowledged: c.acknowledged, ackBreaches: c.ackBreaches, closed: c.ttrCount, resolveBreaches: c.resolveBreaches }];
      })) as PeriodAlertFigures["sla"],
    });
  }
  return out;
}

/** Runs the queries one after another on the one client (pg does not run two at once on a client). */
async function inOrder<T extends readonly (() => Promise<unknown>)[]>(fns: T): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const out: unknown[] = [];
  for (const f of fns) out.push(await f());
  return out as { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
}

const zeros = (): BySeverity => Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) as BySeverity;
const n = (v: unknown) => Number(v ?? 0);

/** Alerts of the root's subtree: `a` joined to its tenant `t`; $1 is the root's id. */
const SUBTREE = `public.alerts a join public.tenants t on t.id = a.tenant_id
  join public.tenants r on r.id = $1 and t.path operator(extensions.<@) r.path`;
/** Rows of `table` (as `alias`) in the root's subtree, joined to their tenant `t`. */
const SUBTREE_OF = (table: string, alias: string) =>
  `${table} ${alias} join public.tenants t on t.id = ${alias}.tenant_id join public.tenants r on r.id = $1 and t.path operator(extensions.<@) r.path`;

/**
 * An extra predicate on a table alias, put first in the statement's `where` with its trailing "and":
 * none for the app; scripts/bench's owner side adds its explicit tenant filter (`a.tenant_id = any ($n) and `).
 */
export type FigureFilter = (alias: string) => string;
const NO_FILTER: FigureFilter = () => "";

/**
 * Every statement computeFigures runs over public.alerts and the other tables, by figure (exported for
 * scripts/bench, which times them through RLS and, with `f`, as the owner). Parameters: $1 the root,
 * $2/$3 the period (backlog: $2 now; assetsBy, collectors, health, oldestOpen: $1 only). Closed, open at
 * end, MTTA, MTTR and SLA are not here: they come from the rollups (periodAlertFigures).
 */
export function figureStatements(bucket: "day" | "week", f: FigureFilter = NO_FILTER) {
  const where = (alias: string) => (f(alias) ? ` where ${f(alias)}true` : "");
  const inPeriod = `a.detected_at >= $2 and a.detected_at < $3`;
  return {
    detected: `select a.severity, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by a.severity`,
    // Every bucket of [from, to) (generate_series), each severity, zeros included; the first week is
    // labelled with the period's start when its Monday is before it.
    trend: `with g as (
           select b from generate_series(date_trunc('${bucket}', $2::timestamptz at time zone 'UTC'),
                                         $3::timestamptz at time zone 'UTC' - interval '1 microsecond', interval '1 ${bucket}') b),
         c as (
           select date_trunc('${bucket}', a.detected_at at time zone 'UTC') as b, a.severity, count(*) as c
             from ${SUBTREE} where ${f("a")}${inPeriod} group by 1, 2)
         select to_char(greatest(g.b, $2::timestamptz at time zone 'UTC'), 'YYYY-MM-DD') as b, s.severity, coalesce(c.c, 0) as c
           from g cross join unnest(array[${ALERT_SEVERITIES.map((s) => `'${s}'`).join(", ")}]) with ordinality s(severity, o)
           left join c on c.b = g.b and c.severity = s.severity
          order by g.b, s.o`,
    topAlerts: `select a.title, (array_agg(a.severity order by array_position(array['critical','high','medium','low','info'], a.severity)))[1] as severity, count(*) as c
         from ${SUBTREE} where ${f("a")}${inPeriod} group by a.title order by c desc, a.title limit 10`,
    byStatus: `select a.status, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by a.status order by c desc, a.status`,
    /** The ten most frequent values of `expr` (rule, source, host). */
    top: (expr: string) => `select ${expr} as name, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by 1 order by c desc, 1 limit 10`,
    // "Seen in or since the period": an asset keeps only its latest sighting (last_seen_at moves on as it
    // reports), so one seen all through the period and again today has last_seen_at after the period. What
    // the data allows: it existed before the period's end and reported at or after its start.
    assets: `select count(*) as total, count(*) filter (where s.created_at < $3 and s.last_seen_at >= $2) as seen,
              count(*) filter (where exists (select 1 from public.alerts a where a.tenant_id = s.tenant_id and a.asset_id = s.id
                                                and a.detected_at >= $2 and a.detected_at < $3)) as with_alerts
         from ${SUBTREE_OF("public.assets", "s")}${where("s")}`,
    /** Assets counted by `expr` (criticality, kind). */
    assetsBy: (expr: string) => `select ${expr} as name, count(*) as c from ${SUBTREE_OF("public.assets", "s")}${where("s")} group by 1 order by c desc, 1`,
    collectors: `select c.name, t.name as tenant, c.version, c.last_heartbeat_at, c.last_error
         from ${SUBTREE_OF("public.collectors", "c")}${where("c")}
        order by c.last_heartbeat_at, c.name limit 50`,
    health: `select t.name as tenant, h.state, h.since
         from ${SUBTREE_OF("public.tenant_health", "h")}${where("h")}
        order by array_position(array['down','degraded','healthy'], h.state), t.name limit 50`,
    healthChanges: `select count(*) as c from ${SUBTREE_OF("public.tenant_health_transitions", "h")} where ${f("h")}h.occurred_at >= $2 and h.occurred_at < $3`,
    backlog: `select a.severity,
              count(*) filter (where a.detected_at > $2::timestamptz - interval '1 day') as a,
              count(*) filter (where a.detected_at <= $2::timestamptz - interval '1 day' and a.detected_at > $2::timestamptz - interval '7 days') as b,
              count(*) filter (where a.detected_at <= $2::timestamptz - interval '7 days' and a.detected_at > $2::timestamptz - interval '30 days') as c,
              count(*) filter (where a.detected_at <= $2::timestamptz - interval '30 days') as d
         from ${SUBTREE} where ${f("a")}a.status in ('new', 'acknowledged', 'in_progress') group by a.severity`,
    oldestOpen: `select a.title, a.severity, a.status, a.detected_at, t.name as tenant
         from ${SUBTREE} where ${f("a")}a.status in ('new', 'acknowledged', 'in_progress') order by a.detected_at, a.id limit 10`,
    usage: `select metric, sum(quantity) as total, max(quantity) as peak from usage.subtree_daily(array[$1::uuid], $2, $3) group by metric`,
  };
}

export async function computeFigures(
  client: Client,
  rootId: string,
  period: Period,
  opts: { sla: SlaTargets; includeUsage: boolean; now?: Date },
): Promise<ReportFigures | null> {
  const now = opts.now ?? new Date();
  const { rows: tr } = await client.query<{ id: string; slug: string; name: string; kind: string; status: string }>(
    "select id, slug, name, kind, status from public.tenants where id = $1",
    [rootId],
  );
  if (!tr[0]) return null;
  const p = [rootId, period.from, period.to];
  const bucket: "day" | "week" = period.to.getTime() - period.from.getTime() <= 62 * 86_400_000 ? "day" : "week";
  const sql = figureStatements(bucket);

  const [sev, rolled, trend, top, status, rules, sources, hosts] = await inOrder([
    () => client.query<{ severity: Severity; c: string }>(sql.detected, p),
    () => periodAlertFigures(client, [rootId], period),
    () => client.query<{ b: string; severity: Severity; c: string }>(sql.trend, p),
    () => client.query<{ title: string; severity: string; c: string }>(sql.topAlerts, p),
    () => client.query<{ status: string; c: string }>(sql.byStatus, p),
    () => named(client, sql.top("coalesce(a.rule_name, '(no rule)')"), p),
    () => named(client, sql.top("a.source"), p),
    () => named(client, sql.top("coalesce(a.hostname, '(no host)')"), p),
  ] as const);

  const detected = { ...zeros(), total: 0 };
  for (const r of sev.rows) {
    detected[r.severity] = n(r.c);
    detected.total += n(r.c);
  }
  // Rows come in bucket order, every bucket with every severity.
  const trendMap = new Map<string, BySeverity>();
  for (const r of trend.rows) {
    const counts = trendMap.get(r.b) ?? zeros();
    counts[r.severity] = n(r.c);
    trendMap.set(r.b, counts);
  }

  const shared = rolled.get(rootId)!;
  const sla: SlaFigures[] = SLA_SEVERITIES.map((s) => {
    const c = shared.sla[s];
    return {
      severity: s,
      acknowledged: c.acknowledged,
      ackBreaches: c.ackBreaches,
      ackMet: c.acknowledged - c.ackBreaches,
      closed: c.closed,
      resolveBreaches: c.resolveBreaches,
      resolveMet: c.closed - c.resolveBreaches,
      ackTarget: opts.sla[s].ackMinutes,
      resolveTarget: opts.sla[s].resolveMinutes,
    };
  });

  const [assets, crit, kinds, collectors, health, changes, backlog, oldest, usage] = await inOrder([
    () => client.query<{ total: string; seen: string; with_alerts: string }>(sql.assets, p),
    () => named(client, sql.assetsBy("s.criticality"), [rootId]),
    () => named(client, sql.assetsBy("s.kind"), [rootId]),
    () => client.query<{ name: string; tenant: string; version: string | null; last_heartbeat_at: Date; last_error: string | null }>(sql.collectors, [rootId]),
    () => client.query<{ tenant: string; state: string; since: Date }>(sql.health, [rootId]),
    () => client.query<{ c: string }>(sql.healthChanges, p),
    () => client.query<{ severity: Severity; a: string; b: string; c: string; d: string }>(sql.backlog, [rootId, now]),
    () => client.query<{ title: string; severity: string; status: string; detected_at: Date; tenant: string }>(sql.oldestOpen, [rootId]),
    () => opts.includeUsage
      ? client.query<{ metric: UsageMetric; total: string; peak: string }>(sql.usage, p)
      : Promise.resolve(null),
  ] as const);

  const backlogBy = new Map(backlog.rows.map((r) => [r.severity, r]));
  let usageRows: ReportFigures["usage"] = null;
  if (usage && usage.rows.length > 0) {
    const by = new Map(usage.rows.map((r) => [r.metric, r]));
    usageRows = USAGE_METRICS.map((m) => {
      const r = by.get(m);
      const def = METRIC_DEFINITIONS[m];
      return { metric: m, label: def.label, unit: def.unit, value: def.kind === "counter" ? n(r?.total) : n(r?.peak) };
    });
  }

  return {
    tenant: tr[0],
    period,
    days: periodDays(period),
    bucket,
    detected,
    closed: shared.closed,
    openAtEnd: shared.openAtEnd,
    acknowledged: shared.acknowledged,
    closedWithCloseTime: shared.closedWithCloseTime,
    mttaMinutes: shared.mttaMinutes,
    mttrMinutes: shared.mttrMinutes,
    sla,
    trend: [...trendMap].map(([b, counts]) => ({ bucket: b, counts })),
    topAlerts: top.rows.map((r) => ({ title: r.title, severity: r.severity, count: n(r.c) })),
    byStatus: status.rows.map((r) => ({ status: r.status, count: n(r.c) })),
    topRules: rules,
    topSources: sources,
    topHosts: hosts,
    assets: {
      total: n(assets.rows[0]?.total),
      seenInPeriod: n(assets.rows[0]?.seen),
      withAlerts: n(assets.rows[0]?.with_alerts),
      byCriticality: crit,
      byKind: kinds,
    },
    collectors: collectors.rows.map((r) => ({ name: r.name, tenant: r.tenant, version: r.version, lastHeartbeatAt: r.last_heartbeat_at, lastError: r.last_error })),
    health: health.rows,
    healthChanges: n(changes.rows[0]?.c),
    backlog: ALERT_SEVERITIES.map((s) => {
      const r = backlogBy.get(s);
      return { severity: s, under1d: n(r?.a), d1to7: n(r?.b), d7to30: n(r?.c), over30d: n(r?.d) };
    }),
    oldestOpen: oldest.rows.map((r) => ({ title: r.title, severity: r.severity, status: r.status, detectedAt: r.detected_at, tenant: r.tenant })),
    usage: usageRows,
  };
}

/** A statement's `name`/`c` rows as counts (the top lists, the asset groups). */
async function named(client: Client, statement: string, params: unknown[]): Promise<{ name: string; count: number }[]> {
  const { rows } = await client.query<{ name: string; c: string }>(statement, params);
  return rows.map((r) => ({ name: r.name, count: n(r.c) }));
}
