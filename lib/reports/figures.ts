// The figures of a report, for one tenant's subtree (a customer and its
// sites) over [from, to). Every query names the subtree by its root's path,
// so the same SQL answers under a person's RLS and on the worker's service
// role (which reads only the tenant the report row belongs to). Definitions
// (docs/reports.md):
//   detected   detected_at in [from, to)
//   closed     resolved_at in [from, to) (resolved or false positive)
//   open at end  detected before `to` and not closed before `to`
//   MTTA / MTTR  mean minutes from detection to acknowledgement / closing,
//              over the alerts detected in the period that have one
//   SLA met    share of the alerts detected in the period acknowledged /
//              closed within the tenant's effective SLA target of their severity
//   backlog    alerts open now (new, acknowledged, in progress), by age
//   assets seen in or since the period  created before `to` and last seen at or after
//              `from` (only the latest sighting is kept: see figureStatements' assets)
import type pg from "pg";
import { ALERT_SEVERITIES, type AlertSeverityName as Severity } from "@/lib/alerts/severity";
import type { SlaTargets } from "@/lib/settings/read";
import { METRIC_DEFINITIONS, USAGE_METRICS, type UsageMetric } from "@/lib/usage/metrics";
import type { Period } from "./period";

// The old name, kept only for scripts/bench/page-scenarios-reports.ts (not ours to edit); new code imports lib/alerts/severity.
export { ALERT_SEVERITIES as SEVERITIES };
export type BySeverity = Record<Severity, number>;

export interface ReportFigures {
  tenant: { id: string; slug: string; name: string; kind: string; status: string };
  period: Period;
  bucket: "day" | "week";
  detected: BySeverity & { total: number };
  closed: number;
  openAtEnd: number;
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  sla: { severity: Severity; total: number; ackTarget: number; ackMet: number; resolveTarget: number; resolveMet: number }[];
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

/** Runs the queries one after another on the one client (pg does not run two at once on a client). */
async function inOrder<T extends readonly (() => Promise<unknown>)[]>(fns: T): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const out: unknown[] = [];
  for (const f of fns) out.push(await f());
  return out as { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
}

const zeros = (): BySeverity => Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) as BySeverity;
const n = (v: unknown) => Number(v ?? 0);
const minutes = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

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
 * Every statement computeFigures runs, by figure (exported for scripts/bench, which times them through
 * RLS and, with `f`, as the owner). Parameters: $1 the root, $2/$3 the period (backlog: $2 now; open at
 * end: $2 the period's end; sla: $4 the targets as JSON, $5 the severities; assetsBy, collectors,
 * health, oldestOpen: $1 only).
 */
export function figureStatements(bucket: "day" | "week", f: FigureFilter = NO_FILTER) {
  const where = (alias: string) => (f(alias) ? ` where ${f(alias)}true` : "");
  const inPeriod = `a.detected_at >= $2 and a.detected_at < $3`;
  return {
    detected: `select a.severity, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by a.severity`,
    closed: `select count(*) as c from ${SUBTREE} where ${f("a")}a.resolved_at >= $2 and a.resolved_at < $3`,
    openAtEnd: `select count(*) as c from ${SUBTREE} where ${f("a")}a.detected_at < $2 and (a.resolved_at is null or a.resolved_at >= $2)`,
    times: `select avg(extract(epoch from a.acknowledged_at - a.detected_at) / 60) filter (where a.acknowledged_at >= a.detected_at) as mtta,
              avg(extract(epoch from a.resolved_at - a.detected_at) / 60) filter (where a.resolved_at >= a.detected_at) as mttr
         from ${SUBTREE} where ${f("a")}${inPeriod}`,
    trend: `select to_char(date_trunc('${bucket}', a.detected_at at time zone 'UTC'), 'YYYY-MM-DD') as b, a.severity, count(*) as c
         from ${SUBTREE} where ${f("a")}${inPeriod} group by 1, 2 order by 1`,
    topAlerts: `select a.title, (array_agg(a.severity order by array_position(array['critical','high','medium','low','info'], a.severity)))[1] as severity, count(*) as c
         from ${SUBTREE} where ${f("a")}${inPeriod} group by a.title order by c desc, a.title limit 10`,
    byStatus: `select a.status, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by a.status order by c desc, a.status`,
    /** The ten most frequent values of `expr` (rule, source, host). */
    top: (expr: string) => `select ${expr} as name, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by 1 order by c desc, 1 limit 10`,
    sla: `select a.severity, count(*) as total,
            count(*) filter (where a.acknowledged_at is not null and a.acknowledged_at - a.detected_at <= make_interval(mins => (($4::jsonb -> a.severity) ->> 'ack')::int)) as ack_met,
            count(*) filter (where a.resolved_at is not null and a.resolved_at - a.detected_at <= make_interval(mins => (($4::jsonb -> a.severity) ->> 'resolve')::int)) as resolve_met
       from ${SUBTREE} where ${f("a")}${inPeriod} and a.severity = any ($5::text[]) group by a.severity`,
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

  const [sev, closed, open, times, trend, top, status, rules, sources, hosts] = await inOrder([
    () => client.query<{ severity: Severity; c: string }>(sql.detected, p),
    () => client.query<{ c: string }>(sql.closed, p),
    () => client.query<{ c: string }>(sql.openAtEnd, [rootId, period.to]),
    () => client.query<{ mtta: string | null; mttr: string | null }>(sql.times, p),
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
  const trendMap = new Map<string, BySeverity>();
  for (const r of trend.rows) {
    const counts = trendMap.get(r.b) ?? zeros();
    counts[r.severity] = n(r.c);
    trendMap.set(r.b, counts);
  }

  const slaRows = await client.query<{ severity: Severity; total: string; ack_met: string; resolve_met: string }>(
    sql.sla,
    [...p, JSON.stringify(Object.fromEntries(Object.entries(opts.sla).map(([s, t]) => [s, { ack: t.ackMinutes, resolve: t.resolveMinutes }]))), Object.keys(opts.sla)],
  );
  const slaBy = new Map(slaRows.rows.map((r) => [r.severity, r]));
  const sla = ALERT_SEVERITIES.filter((s) => s in opts.sla).map((s) => {
    const t = opts.sla[s as keyof SlaTargets];
    const r = slaBy.get(s);
    return { severity: s, total: n(r?.total), ackTarget: t.ackMinutes, ackMet: n(r?.ack_met), resolveTarget: t.resolveMinutes, resolveMet: n(r?.resolve_met) };
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
    bucket,
    detected,
    closed: n(closed.rows[0]?.c),
    openAtEnd: n(open.rows[0]?.c),
    mttaMinutes: minutes(times.rows[0]?.mtta),
    mttrMinutes: minutes(times.rows[0]?.mttr),
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
