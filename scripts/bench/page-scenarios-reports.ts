// Page scenarios of the reports (scripts/bench/page-scenarios.ts has the overview):
//   13  console /reports (lib/reports/page-data.ts loadReportsPage): the tenants the MSSP admin may export
//       reports of, their 100 newest reports and their schedules. The list statements name the tenants the
//       PDP allowed (as the page passes them), so they are the same on both sides.
//   14  one customer's report figures over 30 days (lib/reports/figures.ts computeFigures), as its admin:
//       the period summary, trend, top lists, assets, collectors, health and backlog statements. The
//       SQL is figures.ts' own (figureStatements; the app check proves it returns what computeFigures returns),
//       the owner side with `a.tenant_id = any(...)` (or s./c./h.) added; closed, open at end, MTTA, MTTR and
//       SLA come from the rollups (periodAlertFigures: the subtree's ids, then tenantMetrics' two statements,
//       which name their tenants, so the same on both sides). The usage section and the count of
//       health changes are left out (the usage pages' scenarios 17 and 18 time usage.subtree_daily).
// The generator makes no reports: 1-4 per customer and site (PDF and CSV, ready or failed, over the
// last 90 days) and a weekly or monthly schedule for a fifth of the customers are inserted here.
import { loadReportsPage } from "@/lib/reports/page-data";
import { computeFigures, figureStatements, periodDays, SEVERITIES, SUBTREE_IDS_SQL } from "@/lib/reports/figures";
import { tenantMetricsSql } from "@/lib/analytics/rollups";
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
async function figuresScenario({ ctx }: PageSetup): Promise<Scenario> {
  const root = ctx.customerId;
  const now = new Date();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const period = { from: new Date(to.getTime() - 30 * 86_400_000), to };
  const sla = await withTenant(ctx.customerAdmin, (tx) => slaTargets(tx, root));
  const p = [root, period.from, period.to];
  const days = periodDays(period);
  const rollupSql = tenantMetricsSql(true, false);
  // computeFigures' own statements (lib/reports/figures.ts figureStatements), in its order; the owner's
  // side adds `<alias>.tenant_id = any ($n::uuid[]) and ` first in each where, $n after the statement's own parameters.
  const parts: Array<[string, (s: ReturnType<typeof figureStatements>) => string, unknown[]]> = [
    ["detected by severity", (s) => s.detected, p],
    ["trend", (s) => s.trend, p],
    ["top alerts", (s) => s.topAlerts, p],
    ["by status", (s) => s.byStatus, p],
    ["top rules", (s) => s.top("coalesce(a.rule_name, '(no rule)')"), p],
    ["top sources", (s) => s.top("a.source"), p],
    ["top hosts", (s) => s.top("coalesce(a.hostname, '(no host)')"), p],
    ["assets", (s) => s.assets, p],
    ["assets by criticality", (s) => s.assetsBy("s.criticality"), [root]],
    ["assets by kind", (s) => s.assetsBy("s.kind"), [root]],
    ["collectors", (s) => s.collectors, [root]],
    ["health", (s) => s.health, [root]],
    ["backlog", (s) => s.backlog, [root, now]],
    ["oldest open", (s) => s.oldestOpen, [root]],
  ];
  // The rollup statements (periodAlertFigures) name their tenants: the same on both sides.
  const rollups: Statement[] = [
    stmt("subtree ids", SUBTREE_IDS_SQL, [[root]]),
    stmt("rollups: period sums", rollupSql.daily, [[root], days.from, days.to, ctx.customerTenantIds]),
    stmt("rollups: open now", rollupSql.open, [[root], ctx.customerTenantIds]),
  ];
  const app = figureStatements("day");
  const rls: Statement[] = [...parts.map(([label, pick, params]) => stmt(label, pick(app), params)), ...rollups];
  const baseline: Statement[] = [
    ...parts.map(([label, pick, params]) =>
      stmt(label, pick(figureStatements("day", (alias) => `${alias}.tenant_id = any ($${params.length + 1}::uuid[]) and `)), [...params, ctx.customerTenantIds])),
    ...rollups,
  ];
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
      const [sev, trend, topAlerts, status, rules, sources, hosts, assets, crit, kinds, collectors, health, backlog, oldest, , sums, open] = results.map((r) => r.rows);
      const inPeriod = sums.filter((r) => r.day !== null);
      const total = (k: string) => inPeriod.reduce((t, r) => t + num(r[k]), 0);
      const after = sums.filter((r) => r.day === null).reduce((t, r) => t + num(r.created) - num(r.closed), 0);
      const backlogBy = new Map(backlog.map((r) => [r.severity, r]));
      return {
        rows: sev.length,
        label: `${fmtCount(sev.reduce((s, r) => s + num(r.c), 0))} alerts detected, ${trend.length} trend cells`,
        data: {
          detected: sorted(sev.map((r) => `${r.severity}/${num(r.c)}`)),
          closed: total("closed"),
          openAtEnd: open.reduce((t, r) => t + num(r.open), 0) - after,
          mtta: total("acknowledged") > 0 ? mins(total("tta_ms_sum") / total("acknowledged") / 60_000) : null,
          mttr: total("ttr_count") > 0 ? mins(total("ttr_ms_sum") / total("ttr_count") / 60_000) : null,
          trend: sorted(trend.map((r) => `${r.b}/${r.severity}/${num(r.c)}`)),
          topAlerts: topAlerts.map((r) => `${r.title}/${r.severity}/${num(r.c)}`),
          byStatus: status.map((r) => `${r.status}/${num(r.c)}`),
          tops: [named(rules), named(sources), named(hosts)],
          sla: Object.keys(sla).map((s) => {
            const of = inPeriod.filter((r) => r.severity === s);
            const t = (k: string) => of.reduce((n, r) => n + num(r[k]), 0);
            return `${s}/${t("acknowledged")}/${t("ack_breaches")}/${t("ttr_count")}/${t("resolve_breaches")}`;
          }),
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
        // Every bucket and severity, zeros included (the statement lists them all).
        trend: sorted(f.trend.flatMap((t) => SEVERITIES.map((s) => `${t.bucket}/${s}/${t.counts[s]}`))),
        topAlerts: f.topAlerts.map((r) => `${r.title}/${r.severity}/${r.count}`),
        byStatus: f.byStatus.map((r) => `${r.status}/${r.count}`),
        tops: [list(f.topRules), list(f.topSources), list(f.topHosts)],
        sla: f.sla.map((r) => `${r.severity}/${r.acknowledged}/${r.ackBreaches}/${r.closed}/${r.resolveBreaches}`),
        assets: [f.assets.total, f.assets.seenInPeriod, f.assets.withAlerts, list(f.assets.byCriticality), list(f.assets.byKind)],
        collectors: f.collectors.map((r) => `${r.name}/${r.tenant}`),
        health: f.health.map((r) => `${r.tenant}/${r.state}`),
        backlog: f.backlog.map((b) => [b.under1d, b.d1to7, b.d7to30, b.over30d].join("/")),
        oldest: f.oldestOpen.map((r) => `${r.title}/${r.tenant}/${r.detectedAt.toISOString()}`),
      };
    },
    explain: true,
    note: "computeFigures' SQL from lib/reports/figures.ts figureStatements (the app check compares every figure); the usage section is in 17/18",
  };
}

const sorted = (xs: string[]) => [...xs].sort();
