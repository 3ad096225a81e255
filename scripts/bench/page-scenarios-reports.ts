// Page scenarios of the reports (scripts/bench/page-scenarios.ts has the overview):
//   13  console /reports (lib/reports/page-data.ts loadReportsPage): the tenants the MSSP admin may export
//       reports of, their 100 newest reports and their schedules. The list statements name the tenants the
//       PDP allowed (as the page passes them), so they are the same on both sides.
//   14  one customer's report figures over 30 days (lib/reports/figures.ts computeFigures), as its admin:
//       the period summary, trend, top lists, SLA, assets, collectors, health and backlog statements. The
//       SQL is figures.ts' own (copied; the app check proves it returns what computeFigures returns), the
//       owner side with `a.tenant_id = any(...)` (or s./c./h.) added. The usage section is left out (the
//       usage pages' scenarios 17 and 18 time usage.subtree_daily).
// The generator makes no reports: 1-4 per customer and site (PDF and CSV, ready or failed, over the
// last 90 days) and a weekly or monthly schedule for a fifth of the customers are inserted here.
import { loadReportsPage } from "@/lib/reports/page-data";
import { computeFigures, SEVERITIES } from "@/lib/reports/figures";
import { NEWEST_REPORTS_SQL, SCHEDULES_SQL } from "@/lib/reports/store";
import { withTenant } from "@/lib/db/with-tenant";
import { slaTargets } from "@/lib/settings/read";
import { fmtCount } from "./measure";
import { stmt, type PageSetup } from "./page-scenarios";
import type { Outcome, Scenario, Statement } from "./scenarios";

const EXPORTABLE_SQL = `select id, path::text as path, kind, status, slug, name from public.tenants
      where kind = any ($1::text[]) and ($2::uuid[] is null or id = any ($2::uuid[]))
      order by name, id`;

async function seedReports({ owner, nonRoot, ctx }: PageSetup) {
  const { rows: [{ n }] } = await owner.query<{ n: number }>("select count(*)::int as n from public.reports");
  if (n > 0) return;
  await owner.query(
    `insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, next_run_at, created_by, created_at)
     select t.id, case when k % 2 = 0 then 'executive' else 'operational' end, 'pdf',
            case when k % 3 = 0 then 'monthly' else 'weekly' end, array['soc-lead@example.test'],
            date_trunc('week', now()) + interval '7 days 6 hours', $2, now() - k * interval '1 hour'
       from unnest($1::uuid[]) with ordinality t(id, k)
      where k % 5 = 0`,
    [nonRoot, ctx.msspAdmin.userId],
  );
  await owner.query(
    `insert into public.reports (tenant_id, kind, format, period_start, period_end, status, progress, content, size_bytes, error, created_by, created_at, finished_at)
     select t.id, case when j % 2 = 0 then 'executive' else 'operational' end, case when j % 3 = 0 then 'csv' else 'pdf' end,
            date_trunc('day', now()) - (j * 7 + 7) * interval '1 day', date_trunc('day', now()) - j * 7 * interval '1 day',
            case when (k + j) % 17 = 0 then 'failed' else 'ready' end, 100,
            case when (k + j) % 17 = 0 then null else convert_to('%PDF-1.7 bench report ' || t.id || '/' || j, 'UTF8') end,
            case when (k + j) % 17 = 0 then null else 48000 + (k * 37 + j) % 9000 end,
            case when (k + j) % 17 = 0 then 'The report could not be generated: timed out.' end,
            $2, now() - (j * 7 + k % 7) * interval '1 day' - k * interval '1 second', now() - (j * 7 + k % 7) * interval '1 day'
       from unnest($1::uuid[]) with ordinality t(id, k), generate_series(0, (abs(hashtext(t.id::text)) % 4)) j`,
    [nonRoot, ctx.msspAdmin.userId],
  );
}

export async function reportScenarios(setup: PageSetup): Promise<Scenario[]> {
  const { ctx, owner, nonRoot } = setup;
  const out: Scenario[] = [];
  if (ctx.wanted("13")) {
    await seedReports(setup);
    const { rows: [counts] } = await owner.query("select (select count(*) from public.reports)::int as r, (select count(*) from public.report_schedules)::int as s");
    out.push({
      id: "13",
      name: "MSSP admin: console /reports (tenants, 100 newest, schedules)",
      caller: ctx.msspAdmin,
      rls: [
        stmt("exportable tenants", EXPORTABLE_SQL, [["customer", "site"], null]),
        stmt("newest reports", NEWEST_REPORTS_SQL, [nonRoot, 100]),
        stmt("schedules", SCHEDULES_SQL, [nonRoot]),
      ],
      baseline: [
        stmt("exportable tenants", EXPORTABLE_SQL.replace("order by name, id", "and id = any ($3::uuid[]) order by name, id"), [["customer", "site"], null, ctx.msspTenantIds]),
        stmt("newest reports", NEWEST_REPORTS_SQL, [nonRoot, 100]),
        stmt("schedules", SCHEDULES_SQL, [nonRoot]),
      ],
      outcome: (results): Outcome => {
        // The page lists schedules by their tenant's place in the tenant list (by name), oldest first within one.
        const rank = new Map(results[0].rows.map((r, i) => [r.id as string, i]));
        const schedules = [...results[2].rows].sort((a, b) => (rank.get(a.tenant_id) ?? -1) - (rank.get(b.tenant_id) ?? -1));
        return {
          rows: results[1].rows.length,
          label: `${results[1].rows.length} of ${fmtCount(counts.r)} reports, ${fmtCount(results[2].rows.length)} schedules`,
          data: { tenants: results[0].rows.map((r) => r.id), reports: results[1].rows.map((r) => r.id), schedules: schedules.map((r) => r.id) },
        };
      },
      app: async (tx) => {
        const p = await loadReportsPage(tx);
        return { tenants: p.tenants.map((t) => t.id), reports: p.reports.map((r) => r.id), schedules: p.schedules.map((s) => s.id) };
      },
      explain: true,
      note: "the reports and schedules statements name the tenants the PDP allowed (reports:export), the same list on both sides",
    });
  }
  if (ctx.wanted("14")) out.push(await figuresScenario(setup));
  return out;
}

// ------------------------------------------------------------- report figures
/** figures.ts' SUBTREE; `f` is the owner's extra tenant predicate (with its trailing "and"). */
const SUBTREE = `public.alerts a join public.tenants t on t.id = a.tenant_id
  join public.tenants r on r.id = $1 and t.path operator(extensions.<@) r.path`;
const SUB_OF = (alias: string, table: string) => `${table} ${alias} join public.tenants t on t.id = ${alias}.tenant_id join public.tenants r on r.id = $1 and t.path operator(extensions.<@) r.path`;

type Build = (f: (alias: string) => string) => string;
/** " where <the owner's predicate> true" on the owner side, nothing on the RLS side (figures.ts has no where there). */
const onlyOwner = (f: (alias: string) => string, alias: string) => (f(alias) ? ` where ${f(alias)}true` : "");

async function figuresScenario({ ctx }: PageSetup): Promise<Scenario> {
  const root = ctx.customerId;
  const now = new Date();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const period = { from: new Date(to.getTime() - 30 * 86_400_000), to };
  const sla = await withTenant(ctx.customerAdmin, (tx) => slaTargets(tx, root));
  const slaJson = JSON.stringify(Object.fromEntries(Object.entries(sla).map(([s, t]) => [s, { ack: t.ackMinutes, resolve: t.resolveMinutes }])));
  const p = [root, period.from, period.to];
  const inPeriod = `a.detected_at >= $2 and a.detected_at < $3`;
  const top = (expr: string): Build => (f) => `select ${expr} as name, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by 1 order by c desc, 1 limit 10`;
  const group = (expr: string): Build => (f) => `select ${expr} as name, count(*) as c from ${SUB_OF("s", "public.assets")}${onlyOwner(f, "s")} group by 1 order by c desc, 1`;
  const parts: Array<[string, Build, unknown[]]> = [
    ["detected by severity", (f) => `select a.severity, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by a.severity`, p],
    ["closed", (f) => `select count(*) as c from ${SUBTREE} where ${f("a")}a.resolved_at >= $2 and a.resolved_at < $3`, p],
    ["open at end", (f) => `select count(*) as c from ${SUBTREE} where ${f("a")}a.detected_at < $2 and (a.resolved_at is null or a.resolved_at >= $2)`, [root, period.to]],
    ["mtta/mttr", (f) => `select avg(extract(epoch from a.acknowledged_at - a.detected_at) / 60) filter (where a.acknowledged_at >= a.detected_at) as mtta,
              avg(extract(epoch from a.resolved_at - a.detected_at) / 60) filter (where a.resolved_at >= a.detected_at) as mttr
         from ${SUBTREE} where ${f("a")}${inPeriod}`, p],
    ["trend", (f) => `select to_char(date_trunc('day', a.detected_at at time zone 'UTC'), 'YYYY-MM-DD') as b, a.severity, count(*) as c
         from ${SUBTREE} where ${f("a")}${inPeriod} group by 1, 2 order by 1`, p],
    ["top alerts", (f) => `select a.title, (array_agg(a.severity order by array_position(array['critical','high','medium','low','info'], a.severity)))[1] as severity, count(*) as c
         from ${SUBTREE} where ${f("a")}${inPeriod} group by a.title order by c desc, a.title limit 10`, p],
    ["by status", (f) => `select a.status, count(*) as c from ${SUBTREE} where ${f("a")}${inPeriod} group by a.status order by c desc, a.status`, p],
    ["top rules", top("coalesce(a.rule_name, '(no rule)')"), p],
    ["top sources", top("a.source"), p],
    ["top hosts", top("coalesce(a.hostname, '(no host)')"), p],
    ["sla", (f) => `select a.severity, count(*) as total,
            count(*) filter (where a.acknowledged_at is not null and a.acknowledged_at - a.detected_at <= make_interval(mins => (($4::jsonb -> a.severity) ->> 'ack')::int)) as ack_met,
            count(*) filter (where a.resolved_at is not null and a.resolved_at - a.detected_at <= make_interval(mins => (($4::jsonb -> a.severity) ->> 'resolve')::int)) as resolve_met
       from ${SUBTREE} where ${f("a")}${inPeriod} and a.severity = any ($5::text[]) group by a.severity`, [...p, slaJson, Object.keys(sla)]],
    ["assets", (f) => `select count(*) as total, count(*) filter (where s.last_seen_at >= $2 and s.last_seen_at < $3) as seen,
              count(*) filter (where exists (select 1 from public.alerts a where a.tenant_id = s.tenant_id and a.asset_id = s.id
                                                and a.detected_at >= $2 and a.detected_at < $3)) as with_alerts
         from ${SUB_OF("s", "public.assets")}${onlyOwner(f, "s")}`, p],
    ["assets by criticality", group("s.criticality"), [root]],
    ["assets by kind", group("s.kind"), [root]],
    ["collectors", (f) => `select c.name, t.name as tenant, c.version, c.last_heartbeat_at, c.last_error
         from ${SUB_OF("c", "public.collectors")}${onlyOwner(f, "c")}
        order by c.last_heartbeat_at, c.name limit 50`, [root]],
    ["health", (f) => `select t.name as tenant, h.state, h.since
         from ${SUB_OF("h", "public.tenant_health")}${onlyOwner(f, "h")}
        order by array_position(array['down','degraded','healthy'], h.state), t.name limit 50`, [root]],
    ["backlog", (f) => `select a.severity,
              count(*) filter (where a.detected_at > $2::timestamptz - interval '1 day') as a,
              count(*) filter (where a.detected_at <= $2::timestamptz - interval '1 day' and a.detected_at > $2::timestamptz - interval '7 days') as b,
              count(*) filter (where a.detected_at <= $2::timestamptz - interval '7 days' and a.detected_at > $2::timestamptz - interval '30 days') as c,
              count(*) filter (where a.detected_at <= $2::timestamptz - interval '30 days') as d
         from ${SUBTREE} where ${f("a")}a.status in ('new', 'acknowledged', 'in_progress') group by a.severity`, [root, now]],
    ["oldest open", (f) => `select a.title, a.severity, a.status, a.detected_at, t.name as tenant
         from ${SUBTREE} where ${f("a")}a.status in ('new', 'acknowledged', 'in_progress') order by a.detected_at, a.id limit 10`, [root]],
  ];
  const rls: Statement[] = parts.map(([label, build, params]) => stmt(label, build(() => ""), params));
  const baseline: Statement[] = parts.map(([label, build, params]) =>
    stmt(label, build((alias) => `${alias}.tenant_id = any ($${params.length + 1}::uuid[]) and `), [...params, ctx.customerTenantIds]),
  );
  const num = (v: unknown) => Number(v ?? 0);
  const mins = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  const named = (rows: Array<Record<string, unknown>>) => rows.map((r) => `${r.name}/${num(r.c)}`);
  return {
    id: "14",
    name: "tenant admin: report figures, 30 days, one customer",
    caller: ctx.customerAdmin,
    rls,
    baseline,
    outcome: (results): Outcome => {
      const [sev, closed, open, times, trend, topAlerts, status, rules, sources, hosts, slaRows, assets, crit, kinds, collectors, health, backlog, oldest] = results.map((r) => r.rows);
      const slaBy = new Map(slaRows.map((r) => [r.severity, r]));
      const backlogBy = new Map(backlog.map((r) => [r.severity, r]));
      return {
        rows: sev.length,
        label: `${fmtCount(sev.reduce((s, r) => s + num(r.c), 0))} alerts detected, ${trend.length} trend cells`,
        data: {
          detected: sorted(sev.map((r) => `${r.severity}/${num(r.c)}`)),
          closed: num(closed[0]?.c),
          openAtEnd: num(open[0]?.c),
          mtta: mins(times[0]?.mtta),
          mttr: mins(times[0]?.mttr),
          trend: sorted(trend.map((r) => `${r.b}/${r.severity}/${num(r.c)}`)),
          topAlerts: topAlerts.map((r) => `${r.title}/${r.severity}/${num(r.c)}`),
          byStatus: status.map((r) => `${r.status}/${num(r.c)}`),
          tops: [named(rules), named(sources), named(hosts)],
          sla: SEVERITIES.filter((s) => s in sla).map((s) => `${s}/${num(slaBy.get(s)?.total)}/${num(slaBy.get(s)?.ack_met)}/${num(slaBy.get(s)?.resolve_met)}`),
          assets: [num(assets[0]?.total), num(assets[0]?.seen), num(assets[0]?.with_alerts), named(crit), named(kinds)],
          collectors: collectors.map((r) => `${r.name}/${r.tenant}`),
          health: health.map((r) => `${r.tenant}/${r.state}`),
          backlog: SEVERITIES.map((s) => ["a", "b", "c", "d"].map((k) => num(backlogBy.get(s)?.[k])).join("/")),
          oldest: oldest.map((r) => `${r.title}/${r.tenant}/${new Date(r.detected_at).toISOString()}`),
        },
      };
    },
    app: async (tx) => {
      const f = await computeFigures(tx.client, root, period, { sla, includeUsage: false, now });
      if (!f) return null;
      const list = (xs: { name: string; count: number }[]) => xs.map((x) => `${x.name}/${x.count}`);
      return {
        detected: sorted(SEVERITIES.filter((s) => f.detected[s] > 0).map((s) => `${s}/${f.detected[s]}`)),
        closed: f.closed,
        openAtEnd: f.openAtEnd,
        mtta: f.mttaMinutes,
        mttr: f.mttrMinutes,
        trend: sorted(f.trend.flatMap((t) => SEVERITIES.filter((s) => t.counts[s] > 0).map((s) => `${t.bucket}/${s}/${t.counts[s]}`))),
        topAlerts: f.topAlerts.map((r) => `${r.title}/${r.severity}/${r.count}`),
        byStatus: f.byStatus.map((r) => `${r.status}/${r.count}`),
        tops: [list(f.topRules), list(f.topSources), list(f.topHosts)],
        sla: f.sla.map((r) => `${r.severity}/${r.total}/${r.ackMet}/${r.resolveMet}`),
        assets: [f.assets.total, f.assets.seenInPeriod, f.assets.withAlerts, list(f.assets.byCriticality), list(f.assets.byKind)],
        collectors: f.collectors.map((r) => `${r.name}/${r.tenant}`),
        health: f.health.map((r) => `${r.tenant}/${r.state}`),
        backlog: f.backlog.map((b) => [b.under1d, b.d1to7, b.d7to30, b.over30d].join("/")),
        oldest: f.oldestOpen.map((r) => `${r.title}/${r.tenant}/${r.detectedAt.toISOString()}`),
      };
    },
    explain: true,
    note: "computeFigures' SQL, copied from lib/reports/figures.ts (the app check compares every figure); the usage section is in 17/18",
  };
}

const sorted = (xs: string[]) => [...xs].sort();
