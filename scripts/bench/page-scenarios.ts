// The per-query bench's remaining pages (issue 13 point 7: every console and tenant page's queries), the
// same two ways as scripts/bench/scenarios.ts: each statement through RLS (withTenant, the claims from the
// real hook) and as the owner with an explicit `tenant_id = any($n::uuid[])` filter; bench.ts checks that
// both sides and the app's own page function (`app`, under withTenant with the real PDP) return the same
// data before timing. Where a statement already names its tenants (the ids the PDP allowed, as the page
// passes them) it is the same on both sides, as scenario 4 and 8 do.
//   9   alert detail, tenant admin (tenant host): the alert, its timeline, the assignees
//   10  alert detail, MSSP admin (console): the same statements over the MSSP's ~1,000 customers
//   11  console /compare: three customers, each's percentile among the MSSP's customers (page-scenarios-analytics.ts)
//   12  tenant /benchmark: the tenant admin's anonymous percentile (page-scenarios-analytics.ts)
//   13  console /reports: exportable tenants, newest reports, schedules (page-scenarios-reports.ts)
//   14  a report's figures for one customer, 30 days (page-scenarios-reports.ts)
//   15  console /health board (MSSP admin): the tenants the PDP is asked about, the counts per state, the first page
//   16  tenant /status (the customer's health and history)
//   17  tenant /usage (this month's totals and 30 days)
//   18  console /usage (every customer's month)
//   19  console /configuration drift report (MSSP admin): counts and the first page (page-scenarios-drift.ts)
// Data the generator does not make (an alert's events, health states, usage rollups, reports) is created
// here as the owner, small and realistic, only for the scenarios asked for (--only).
import pg from "pg";
import { ALERT_DETAIL_SQL, ASSIGNEES_SQL, ASSIGNEES_STATEMENT_NAME, loadAlertDetail, assigneesFor, TIMELINE_SQL } from "@/lib/alerts/detail";
import type { Caller } from "@/lib/db/claims";
import type { TenantTx } from "@/lib/db/with-tenant";
import {
  BOARD_COUNTS_SQL,
  BOARD_PAGE_SIZE,
  BOARD_PAGE_SQL,
  HEALTH_HISTORY_NAME,
  HEALTH_HISTORY_SQL,
  loadHealthBoard,
  loadTenantHealth,
  RECENT_TRANSITIONS_SQL,
  TENANT_BY_SLUG_NAME,
  TENANT_BY_SLUG_SQL,
  TENANTS_SQL,
} from "@/lib/health/page-data";
import { METRIC_DEFINITIONS, USAGE_METRICS, type UsageMetric } from "@/lib/usage/metrics";
import { loadCustomerUsage, loadTenantUsage } from "@/lib/usage/page-data";
import { LIMITED_METRICS } from "@/lib/usage/limits";
import { monthAndDaysOver, monthStart, OWN_PEAKS_SQL, ownPeaks, SUBTREE_MONTH_AND_DAYS_SQL, SUBTREE_TOTALS_SQL, totalsOver } from "@/lib/usage/read";
import { DAY_MS, utcDay } from "@/lib/usage/rollup";
import { prepareHealthData } from "./health";
import { insertUsageRollups } from "./usage-data";
import { fmtCount } from "./measure";
import { analyticsScenarios } from "./page-scenarios-analytics";
import { driftScenarios } from "./page-scenarios-drift";
import { reportScenarios } from "./page-scenarios-reports";
import type { Outcome, Scenario, ScenarioContext, Statement } from "./scenarios";

export interface PageScenarioContext extends ScenarioContext {
  /** The bench database (the owner's connection string) for the scenarios' own data. */
  url: string;
  msspId: string;
  customerId: string;
  /** Whether a scenario id was asked for (--only); data is created only for those. */
  wanted: (id: string) => boolean;
}

/** What every builder gets: the context, an owner connection, and the setup figures. */
export interface PageSetup {
  ctx: PageScenarioContext;
  owner: pg.Client;
  /** The customers (kind customer) of the bench MSSP, active, by slug. */
  customers: { id: string; slug: string }[];
  /** The MSSP's customers and sites (the tenants the console's pages list). */
  nonRoot: string[];
}

export const stmt = (label: string, sql: string, params: unknown[]): Statement => ({ label, sql, params });
/** The same statement sent named, as the page sends it (`name`: the page's; the owner's side its own). */
export const named = (s: Statement, name: string): Statement => ({ ...s, name });
/** Replaces `from` in `sql`, failing loudly when the lib's SQL changed shape. */
export function swap(sql: string, from: string, to: string): string {
  if (!sql.includes(from)) throw new Error(`page scenarios: the statement no longer contains ${JSON.stringify(from)}`);
  return sql.replace(from, to);
}
const sorted = (xs: string[]) => [...xs].sort();

export async function buildPageScenarios(ctx: PageScenarioContext): Promise<Scenario[]> {
  const ids = ["9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19"];
  if (!ids.some(ctx.wanted)) return [];
  const owner = new pg.Client({ connectionString: ctx.url });
  await owner.connect();
  try {
    const { rows: customers } = await owner.query<{ id: string; slug: string }>(
      `select id, slug from public.tenants where parent_id = $1 and kind = 'customer' and status in ('active', 'suspended') order by slug`,
      [ctx.msspId],
    );
    const setup: PageSetup = { ctx, owner, customers, nonRoot: ctx.msspTenantIds.filter((id) => id !== ctx.msspId) };
    const out: Scenario[] = [];
    if (ctx.wanted("9") || ctx.wanted("10")) out.push(...(await alertDetailScenarios(setup)));
    out.push(...(await analyticsScenarios(setup)));
    out.push(...(await reportScenarios(setup)));
    if (ctx.wanted("15") || ctx.wanted("16")) out.push(...(await healthScenarios(setup)));
    if (ctx.wanted("17") || ctx.wanted("18")) out.push(...(await usageScenarios(setup)));
    if (ctx.wanted("19")) out.push(...(await driftScenarios(setup)));
    await owner.query("analyze public.alert_events, public.tenant_health, public.tenant_health_transitions, public.usage_rollups, public.reports, public.report_schedules");
    return out.filter((s) => ctx.wanted(s.id));
  } finally {
    await owner.end();
  }
}

// ------------------------------------------------------------------ alert detail
async function alertDetailScenarios({ ctx, owner }: PageSetup): Promise<Scenario[]> {
  // An alert of the customer's busiest tenant, with a realistic timeline: status changes and comments.
  const { rows: [alert] } = await owner.query<{ id: string; tenant_id: string }>(
    `select id, tenant_id from public.alerts where tenant_id = any ($1::uuid[]) order by detected_at desc, id limit 1 offset 3`,
    [ctx.customerTenantIds],
  );
  const actor = ctx.customerAdmin.userId;
  await owner.query(
    `insert into public.alert_events (tenant_id, alert_id, kind, actor_id, from_status, to_status, body, created_at)
     select $1, $2, e.kind, $3, e.from_status, e.to_status, e.body, now() - (10 - e.n) * interval '7 minutes'
       from (values (1, 'status', 'new', 'acknowledged', null), (2, 'comment', null, null, 'Looking at the host.'),
                    (3, 'comment', null, null, 'Same hash seen on two other hosts.'), (4, 'status', 'acknowledged', 'in_progress', null),
                    (5, 'comment', null, null, 'Isolated the host; waiting for the EDR scan.'), (6, 'comment', null, null, 'Scan clean.')) e(n, kind, from_status, to_status, body)`,
    [alert.tenant_id, alert.id, actor],
  );
  const build = (id: string, name: string, caller: Caller, visible: string[]): Scenario => ({
    id,
    name,
    caller,
    rls: [
      stmt("alert", ALERT_DETAIL_SQL, [alert.id]),
      stmt("timeline", TIMELINE_SQL, [alert.tenant_id, alert.id]),
      named(stmt("assignees", ASSIGNEES_SQL, [alert.tenant_id]), ASSIGNEES_STATEMENT_NAME),
    ],
    baseline: [
      stmt("alert", swap(ALERT_DETAIL_SQL, "where a.id = $1", "where a.tenant_id = any ($2::uuid[]) and a.id = $1"), [alert.id, visible]),
      stmt("timeline", swap(TIMELINE_SQL, "where e.tenant_id = $1 and", "where e.tenant_id = $1 and e.tenant_id = any ($3::uuid[]) and"), [alert.tenant_id, alert.id, visible]),
      // Who the caller sees: the memberships (and so the people) of its visible tenants.
      named(stmt("assignees", swap(ASSIGNEES_SQL, "where m.role in", "where m.tenant_id = any ($2::uuid[]) and m.role in"), [alert.tenant_id, visible]), `bench.owner:${ASSIGNEES_STATEMENT_NAME}`),
    ],
    outcome: (results) => {
      const a = results[0].rows[0];
      return {
        rows: results[0].rows.length,
        label: `1 alert, ${results[1].rows.length} events, ${results[2].rows.length} assignees`,
        data: {
          alert: a ? `${a.tenant_id}/${a.id}/${a.status}/${a.title}` : null,
          timeline: results[1].rows.map((e) => `${e.id}/${e.kind}`),
          assignees: results[2].rows.map((u) => u.id as string),
        },
      };
    },
    app: async (tx: TenantTx) => {
      const view = await loadAlertDetail(tx, alert.id, new Date());
      if (!view) return null;
      const a = view.alert;
      return {
        alert: `${a.tenantId}/${a.id}/${a.status}/${a.title}`,
        // The page's first entry is the alert's creation, not a row.
        timeline: view.timeline.slice(1).map((e) => `${e.id}/${e.kind}`),
        // The page lists assignees only when the caller may triage; the same function either way.
        assignees: (view.canTriage ? view.assignees : await assigneesFor(tx, a.tenantId)).map((u) => u.id),
      };
    },
    explain: true,
  });
  return [
    build("9", "tenant admin: alert detail (alert, timeline, assignees)", ctx.customerAdmin, ctx.customerTenantIds),
    build("10", "MSSP admin: console alert detail", ctx.msspAdmin, ctx.msspTenantIds),
  ];
}

// ------------------------------------------------------------------------ health
async function healthScenarios({ ctx, owner, customers }: PageSetup): Promise<Scenario[]> {
  await prepareHealthData(owner);
  const customerSlug = customers.find((c) => c.id === ctx.customerId)!.slug;
  const tiles = (rows: pg.QueryResult["rows"]) => sorted(rows.map((r) => `${r.id}/${r.state}`));
  const recent = (rows: pg.QueryResult["rows"]) => rows.map((r) => `${r.tenant_id}/${new Date(r.occurred_at).toISOString()}/${r.to_state}`);
  // The board's tenants as the page passes them to its statements: those TENANTS_SQL lists (the PDP
  // allows the MSSP admin every one), which leaves out the MSSP and offboarded tenants.
  const { rows: listed } = await owner.query<{ id: string }>(
    `select id from public.tenants where id = any ($1::uuid[]) and kind <> 'mssp' and status <> 'deprovisioned'`,
    [ctx.msspTenantIds],
  );
  const boardIds = listed.map((r) => r.id);
  const pageParams = [boardIds, null, null, BOARD_PAGE_SIZE, 0];
  const board: Scenario = {
    id: "15",
    name: "MSSP admin: console /health board (counts per state, first page)",
    caller: ctx.msspAdmin,
    rls: [
      stmt("tenants (for the PDP)", TENANTS_SQL, []),
      stmt("counts per state", BOARD_COUNTS_SQL, [boardIds, null]),
      stmt("first page", BOARD_PAGE_SQL, pageParams),
      stmt("recent changes", RECENT_TRANSITIONS_SQL, [boardIds, 10]),
    ],
    baseline: [
      stmt("tenants (for the PDP)", `${TENANTS_SQL} and t.id = any ($1::uuid[])`, [ctx.msspTenantIds]),
      stmt("counts per state", BOARD_COUNTS_SQL, [boardIds, null]),
      stmt("first page", BOARD_PAGE_SQL, pageParams),
      stmt("recent changes", RECENT_TRANSITIONS_SQL, [boardIds, 10]),
    ],
    outcome: (results): Outcome => {
      const counts: Record<string, number> = { all: 0, down: 0, degraded: 0, healthy: 0, unknown: 0 };
      for (const r of results[1].rows) {
        counts[r.state] = r.n;
        counts.all += r.n;
      }
      return {
        rows: results[2].rows.length,
        label: `${fmtCount(results[0].rows.length)} tenants, ${counts.down} down, ${counts.degraded} degraded; ${results[2].rows.length} tiles, ${results[3].rows.length} changes`,
        data: { tenants: results[0].rows.length, counts, page: results[2].rows.map((r) => `${r.id}/${r.state}`), recent: recent(results[3].rows) },
      };
    },
    app: async (tx) => {
      const b = await loadHealthBoard(tx);
      return {
        tenants: b.scope + b.hidden,
        counts: b.counts,
        page: b.tiles.map((t) => `${t.id}/${t.state}`),
        recent: b.recent.map((r) => `${r.tenantId}/${r.at.toISOString()}/${r.to}`),
      };
    },
    explain: true,
  };
  const status: Scenario = {
    id: "16",
    name: "tenant admin: /status (health + history)",
    caller: ctx.customerAdmin,
    rls: [
      named(stmt("tenant health", TENANT_BY_SLUG_SQL, [customerSlug]), TENANT_BY_SLUG_NAME),
      named(stmt("history", HEALTH_HISTORY_SQL, [ctx.customerId]), HEALTH_HISTORY_NAME),
    ],
    baseline: [
      named(stmt("tenant health", `${TENANT_BY_SLUG_SQL} and t.id = any ($2::uuid[])`, [customerSlug, ctx.customerTenantIds]), `bench.owner:${TENANT_BY_SLUG_NAME}`),
      named(
        stmt("history", swap(HEALTH_HISTORY_SQL, "where tenant_id = $1", "where tenant_id = $1 and tenant_id = any ($2::uuid[])"), [ctx.customerId, ctx.customerTenantIds]),
        `bench.owner:${HEALTH_HISTORY_NAME}`,
      ),
    ],
    outcome: (results): Outcome => ({
      rows: results[0].rows.length,
      label: `${results[0].rows[0]?.state ?? "no state"}, ${results[1].rows.length} changes`,
      data: { tile: tiles(results[0].rows), history: results[1].rows.map((h) => `${new Date(h.occurred_at).toISOString()}/${h.from_state}/${h.to_state}`) },
    }),
    app: async (tx) => {
      const h = await loadTenantHealth(tx, customerSlug);
      return { tile: h ? [`${h.tenant.id}/${h.state}`] : [], history: (h?.history ?? []).map((x) => `${x.at.toISOString()}/${x.from}/${x.to}`) };
    },
    explain: true,
  };
  return [board, status];
}

// ------------------------------------------------------------------------- usage
/** usage.subtree_daily's body inlined as the owner, with the explicit tenant filter ($4); a subquery without its alias (totalsOver adds one). */
const OWNER_SUBTREE_DAILY = `(select r.id as root_id, d.period_start as day, d.metric, sum(d.quantity) as quantity
      from public.tenants r
      join public.tenants t on t.path operator(extensions.<@) r.path
      join public.usage_rollups d on d.tenant_id = t.id and d.grain = 'day'
     where r.id = any ($1::uuid[]) and d.period_start >= $2 and d.period_start < $3 and d.tenant_id = any ($4::uuid[])
     group by r.id, d.period_start, d.metric)`;
/** lib/usage/read.ts SUBTREE_TOTALS_SQL over OWNER_SUBTREE_DAILY. */
const OWNER_SUBTREE_TOTALS = totalsOver(OWNER_SUBTREE_DAILY);
/** lib/usage/read.ts SUBTREE_MONTH_AND_DAYS_SQL over OWNER_SUBTREE_DAILY ($5 the totals' first day, $6 the days'). */
const OWNER_SUBTREE_MONTH_AND_DAYS = monthAndDaysOver(`${OWNER_SUBTREE_DAILY} s`, "$5::timestamptz", "$6::timestamptz");

async function usageScenarios({ ctx, owner, customers, nonRoot }: PageSetup): Promise<Scenario[]> {
  // Every customer's and site's usage, 36 days (scripts/bench/usage-data.ts).
  await insertUsageRollups(owner, nonRoot);
  const now = new Date();
  const month = monthStart(now);
  const tomorrow = new Date(utcDay(now).getTime() + DAY_MS);
  const since = new Date(tomorrow.getTime() - 30 * DAY_MS);
  const customerSlug = customers.find((c) => c.id === ctx.customerId)!.slug;
  const valueOf = (r: { metric: UsageMetric; total: string; peak: string }) => Number(METRIC_DEFINITIONS[r.metric].kind === "counter" ? r.total : r.peak);
  const tenantSql = "select id, slug, name, kind, path::text as path from public.tenants where slug = $1 and status <> 'deprovisioned'";
  const customerPath = (await owner.query<{ path: string }>("select path::text as path from public.tenants where id = $1", [ctx.customerId])).rows[0].path;
  // lib/usage/read.ts OWN_PEAKS_SQL with the explicit tenant filter ($5).
  const ownerOwnPeaks = swap(OWN_PEAKS_SQL, "and d.metric = any ($4::text[])", "and d.metric = any ($4::text[]) and d.tenant_id = any ($5::uuid[])");
  const peaksOf = (rows: { tenant_id: string; metric: string; peak: string }[]) => sorted(rows.map((r) => `${r.tenant_id}/${r.metric}/${Number(r.peak)}`));
  const appPeaks = async (tx: TenantTx, path: string | null) =>
    sorted((await ownPeaks(tx, path, LIMITED_METRICS, month, tomorrow)).map((p) => `${p.tenantId}/${p.metric}/${p.peak}`));
  const tenantPage: Scenario = {
    id: "17",
    name: "tenant admin: /usage (month totals + 30 days)",
    caller: ctx.customerAdmin,
    // The month's totals and the 30 days in one statement, as the page sends them (lib/usage/read.ts subtreeMonthAndDays).
    rls: [
      stmt("tenant", tenantSql, [customerSlug]),
      stmt("month totals + 30 days", SUBTREE_MONTH_AND_DAYS_SQL, [ctx.customerId, month, since, tomorrow]),
      stmt("own peaks (limits)", OWN_PEAKS_SQL, [customerPath, month, tomorrow, LIMITED_METRICS]),
    ],
    baseline: [
      stmt("tenant", `${tenantSql} and id = any ($2::uuid[])`, [customerSlug, ctx.customerTenantIds]),
      stmt(
        "month totals + 30 days",
        OWNER_SUBTREE_MONTH_AND_DAYS,
        [[ctx.customerId], new Date(Math.min(month.getTime(), since.getTime())), tomorrow, ctx.customerTenantIds, month, since],
      ),
      stmt("own peaks (limits)", ownerOwnPeaks, [customerPath, month, tomorrow, LIMITED_METRICS, ctx.customerTenantIds]),
    ],
    outcome: (results): Outcome => {
      const totalRows = results[1].rows.filter((r) => r.day === null);
      const dayRows = results[1].rows.filter((r) => r.day !== null);
      const totals = Object.fromEntries(totalRows.map((r) => [r.metric, `${valueOf(r)}/${Number(r.peak)}/${Number(r.latest)}`]));
      return {
        rows: dayRows.length,
        label: `${totalRows.length} metrics, ${dayRows.length} day rows`,
        data: {
          totals: USAGE_METRICS.map((m) => `${m}/${totals[m] ?? "0/0/0"}`),
          days: sorted(dayRows.map((r) => `${new Date(r.day).toISOString().slice(0, 10)}/${r.metric}/${Number(r.total)}`)),
          peaks: peaksOf(results[2].rows),
        },
      };
    },
    app: async (tx) => {
      const u = await loadTenantUsage(tx, customerSlug, now);
      return {
        totals: (u?.metrics ?? []).map((m) => `${m.metric}/${m.totals.value}/${m.totals.peakDay}/${m.totals.latest}`),
        days: sorted((u?.days ?? []).flatMap((d) => USAGE_METRICS.filter((m) => d.values[m] > 0).map((m) => `${d.day}/${m}/${d.values[m]}`))),
        // The page compares each tenant's own peak with its own limit (loadTenantUsage picks the closest).
        peaks: await appPeaks(tx, customerPath),
      };
    },
    explain: true,
  };
  const listSql = "select id, slug, name, path::text as path, kind, status from public.tenants where kind = 'customer' and status <> 'deprovisioned' order by name";
  const customerIds = ctx.msspTenantIds; // the console's list: every customer RLS shows (the PDP allows billing:view on all for the MSSP admin)
  const overview: Scenario = {
    id: "18",
    name: "MSSP admin: console /usage (every customer's month)",
    caller: ctx.msspAdmin,
    rls: [
      stmt("customers", listSql, []),
      stmt("month totals", SUBTREE_TOTALS_SQL, [customers.map((c) => c.id), month, tomorrow]),
      stmt("own peaks (limits)", OWN_PEAKS_SQL, [null, month, tomorrow, LIMITED_METRICS]),
    ],
    baseline: [
      stmt("customers", swap(listSql, " order by name", " and id = any ($1::uuid[]) order by name"), [customerIds]),
      stmt(
        "month totals",
        OWNER_SUBTREE_TOTALS,
        [customers.map((c) => c.id), month, tomorrow, ctx.msspTenantIds],
      ),
      stmt("own peaks (limits)", ownerOwnPeaks, [null, month, tomorrow, LIMITED_METRICS, ctx.msspTenantIds]),
    ],
    outcome: (results): Outcome => {
      const values = new Map(results[1].rows.map((r) => [`${r.root_id}/${r.metric}`, valueOf(r)]));
      const shown = results[0].rows.flatMap((c) => USAGE_METRICS.map((m) => `${c.id}/${m}/${values.get(`${c.id}/${m}`) ?? 0}`));
      return {
        rows: results[0].rows.length,
        label: `${fmtCount(results[0].rows.length)} customers, ${fmtCount(results[1].rows.length)} totals, ${fmtCount(results[2].rows.length)} own peaks`,
        data: { totals: sorted(shown), peaks: peaksOf(results[2].rows) },
      };
    },
    app: async (tx) => {
      const u = await loadCustomerUsage(tx, now);
      return { totals: sorted(u.rows.flatMap((r) => USAGE_METRICS.map((m) => `${r.id}/${m}/${r.metrics[m].value}`))), peaks: await appPeaks(tx, null) };
    },
    explain: true,
  };
  return [tenantPage, overview];
}
