// The benchmark's scenarios. Each is the same work done two ways:
//   rls       the app path: inside withTenant (claims from the real access-token
//             hook, SET LOCAL ROLE authenticated), the query as the app sends it:
//             RLS decides what exists (the alert list also names the tenants the
//             PDP lets the caller read, listAlerts' readableTenantIds, so the
//             planner can size its tenant filter; the baseline has the same);
//   baseline  as the owner (no RLS), the same query with the fastest correct
//             explicit tenant filter, the visible tenant ids computed up front.
// The SQL mirrors what lib/alerts/list.ts (listAlerts) and lib/tenancy/tree.ts
// (loadTenantTree's counts) send; bench.ts checks once that the app functions
// return the same answer as both sides before anything is timed.
import { readableAlertTenants } from "@/lib/alerts/access";
import type pg from "pg";
import { ALERT_COUNT_CAP, listAlerts, POLICY_ALONE_MAX_TENANTS } from "@/lib/alerts/list";
import { ROLLUP_COUNT_MAX_TENANTS } from "@/lib/alerts/list-count";
import { isDeepStrictEqual } from "node:util";
import { createdByTenant, openNowByTenant, PER_TENANT_SQL, scopeSeriesOf, scopeSeriesStatement } from "@/lib/analytics/rollups";
import type { RollupCover } from "@/lib/analytics/cover";
import type { Caller } from "@/lib/db/claims";
import type { TenantTx } from "@/lib/db/with-tenant";
import { flattenTree, loadTenantTree } from "@/lib/tenancy/tree";
import { fmtCount } from "./measure";

export interface Statement {
  label: string;
  sql: string;
  params: unknown[];
  /**
   * Sent as a named statement, as the page sends it (lib/db/prepared.ts): prepared once per
   * connection, planned generically after a few runs. The owner's side gets its own name.
   */
  name?: string;
}

export interface Outcome {
  /** Rows returned (or updated) by the scenario's main statement. */
  rows: number;
  /** Short description of the result for the table, e.g. "25 of 1,234". */
  label: string;
  /** Everything returned, compared between the two sides once. */
  data: unknown;
}

export interface Scenario {
  id: string;
  name: string;
  caller: Caller;
  /** Statements of the RLS side, in order (no tenant filter). */
  rls: Statement[];
  /** The same statements as owner, with the explicit tenant filter. */
  baseline: Statement[];
  /** Builds the outcome from the statements' results. */
  outcome(results: pg.QueryResult[]): Outcome;
  /** Roll the transaction back instead of committing (writes). */
  rollback?: boolean;
  /** Run EXPLAIN (ANALYZE, BUFFERS) on these and judge the plan. */
  explain?: boolean;
  /**
   * The app's own function for this work, run under withTenant; must return
   * the same `data` as both sides (proves the SQL here is what the app runs).
   */
  app?: (tx: TenantTx) => Promise<unknown>;
  /** Extra per-scenario note for the report. */
  note?: string;
}

export interface ScenarioContext {
  customerAdmin: Caller;
  siteAnalyst: Caller;
  msspAdmin: Caller;
  /** Precomputed as owner: what each caller may see. */
  customerTenantIds: string[];
  siteTenantId: string;
  msspTenantIds: string[];
  /** The MSSP admin's rollup cover (lib/analytics/cover.ts subtreeCover over msspTenantIds). */
  msspCover: RollupCover;
  /** The tenants of ten customers, as the dashboard's riskiest list names them. */
  listedTenantIds: string[];
  /** An alert of the customer's, for the point update. */
  updateAlertId: string;
  updateAlertStatus: string;
}

export const PAGE_SIZE = 25;

// listAlerts takes the page from alerts alone, then names the (at most 25)
// tenants of its rows by primary key; that last lookup is left out here.
const LIST_COLUMNS = `a.id, a.tenant_id, a.title, a.severity, a.status, a.source, a.hostname, a.detected_at`;

/**
 * listAlerts' two statements: the total, then the first page. `tenantFilter`
 * is the baseline's explicit tenant predicate (with its parameter).
 * `policyAlone`: the RLS side of a caller whose every visible tenant is readable
 * and few (listAlerts' readableIsEveryVisible): its count leaves the tenants to the
 * policy; the page still reads them one by one.
 */
function alertList(
  filters: { severity?: string; status?: string },
  tenantFilter?: { sql: (n: number) => string; value: unknown },
  policyAlone = false,
): Statement[] {
  const build = (withTenants: boolean) => {
    const where: string[] = [];
    const rowWhere: string[] = [];
    const params: unknown[] = [];
    if (tenantFilter && withTenants) {
      params.push(tenantFilter.value);
      where.push(tenantFilter.sql(params.length));
    }
    if (filters.severity) {
      params.push(filters.severity);
      rowWhere.push(`a.severity = $${params.length}`);
    }
    if (filters.status) {
      params.push(filters.status);
      rowWhere.push(`a.status = $${params.length}`);
    }
    where.push(...rowWhere);
    return { clause: where.length ? `where ${where.join(" and ")}` : "", rowWhere, params };
  };
  const { clause, rowWhere, params } = build(true);
  // Tenant by tenant, the inner read has the row filters only (as lib/alerts/list.ts sends it).
  const perTenant = ["a.tenant_id = page_tenants.tenant", ...rowWhere].join(" and ");
  // As listAlerts counts (lib/alerts/list-count.ts): from the daily rollups when no status is asked
  // for and the tenants are few, else up to ALERT_COUNT_CAP (+1 to know there are more), never every row.
  const fewTenants = Array.isArray(tenantFilter?.value) && (tenantFilter.value as unknown[]).length <= ROLLUP_COUNT_MAX_TENANTS;
  const fromRollups = !filters.status && fewTenants;
  // listAlerts leaves the tenants to the policy up to its own bound (POLICY_ALONE_MAX_TENANTS), not the rollups'.
  const leftToPolicy = policyAlone && Array.isArray(tenantFilter?.value) && (tenantFilter.value as unknown[]).length <= POLICY_ALONE_MAX_TENANTS;
  const counted = build(!leftToPolicy);
  return [
    fromRollups
      ? {
          label: "count (rollups)",
          sql: `select coalesce(sum(a.created), 0)::int as total
  from public.alert_daily_rollups a
 ${counted.clause}`,
          params: counted.params,
        }
      : {
          label: "count (capped)",
          sql: `select count(*)::int as total
  from (select 1 from public.alerts a
 ${counted.clause}
 limit ${ALERT_COUNT_CAP + 1}) capped`,
          params: counted.params,
        },
    // As listAlerts reads a page of few tenants (lib/alerts/list-by-tenant.ts): tenant by tenant.
    fewTenants
      ? {
          label: "page (by tenant)",
          sql: `select a.*
  from unnest($1::uuid[]) page_tenants(tenant)
 cross join lateral (select ${LIST_COLUMNS} from public.alerts a
                      where ${perTenant}
                      order by a.detected_at desc, a.id desc limit ${PAGE_SIZE}) a
 order by a.detected_at desc, a.id desc
 limit ${PAGE_SIZE} offset 0`,
          params,
        }
      : {
          label: "page",
          sql: `select ${LIST_COLUMNS}
  from public.alerts a
 ${clause}
 order by a.detected_at desc, a.id desc
 limit ${PAGE_SIZE} offset 0`,
          params,
        },
  ];
}

const anyOf = (n: number) => `a.tenant_id = any($${n}::uuid[])`;

function appList(filters: { severity?: "high"; status?: "new" }, readableTenantIds?: string[]) {
  return async (tx: TenantTx) => {
    // As the alert page passes them: every visible tenant readable (the bench's callers' PDP hides none).
    const page = await listAlerts(tx.db, { page: 1, ...filters }, PAGE_SIZE, { readableTenantIds, readableIsEveryVisible: true });
    return { total: page.total, ids: page.rows.map((r) => r.id) };
  };
}

async function appOpenCounts(tx: TenantTx) {
  const out: string[] = [];
  // As the console overview does: the PDP's alerts:read answer limits the counts.
  for (const node of flattenTree(await loadTenantTree(tx.db, await readableAlertTenants(tx)))) {
    for (const [severity, n] of Object.entries(node.own)) if (n > 0) out.push(`${node.id}/${severity}/${n}`);
  }
  return out.sort();
}

function listOutcome(results: pg.QueryResult[]): Outcome {
  const total = Math.min(results[0].rows[0].total as number, ALERT_COUNT_CAP);
  const page = results[1].rows;
  return {
    rows: page.length,
    label: `${page.length} of ${fmtCount(total)}`,
    data: { total, ids: page.map((r) => r.id) },
  };
}

/**
 * loadTenantTree's count query: open alerts by tenant and severity, from the rollup kept exact by
 * triggers (alert_open_counts), for the tenants whose alerts the PDP lets the caller read (as the
 * page passes them; here every visible one). The same statement on both sides.
 */
function openCounts(readable: string[]): Statement[] {
  return [
    {
      label: "open counts (rollup)",
      sql: `select c.tenant_id, c.severity, c.open as n
  from public.alert_open_counts c
 where c.tenant_id = any($1::uuid[]) and c.open > 0`,
      params: [readable],
    },
  ];
}

export function buildScenarios(ctx: ScenarioContext): Scenario[] {
  const customer = { sql: anyOf, value: ctx.customerTenantIds };
  // The page names its PDP-readable tenants (listAlerts' readableTenantIds): for one site, that one.
  const siteReadable = { sql: anyOf, value: [ctx.siteTenantId] };
  const mssp = { sql: anyOf, value: ctx.msspTenantIds };
  // A step the workflow allows without a close reason (the update rolls back).
  const newStatus = ctx.updateAlertStatus === "new" ? "acknowledged" : ctx.updateAlertStatus === "acknowledged" ? "in_progress" : "new";
  if (newStatus === "new") throw new Error(`the update scenario needs a new or acknowledged alert, got ${ctx.updateAlertStatus}`);

  return [
    {
      id: "1",
      name: "tenant admin: alert list p1 + total",
      caller: ctx.customerAdmin,
      rls: alertList({}, customer, true),
      baseline: alertList({}, customer),
      outcome: listOutcome,
      app: appList({}, ctx.customerTenantIds),
      explain: true,
    },
    {
      id: "2",
      name: "tenant admin: list high+new",
      caller: ctx.customerAdmin,
      rls: alertList({ severity: "high", status: "new" }, customer, true),
      baseline: alertList({ severity: "high", status: "new" }, customer),
      outcome: listOutcome,
      app: appList({ severity: "high", status: "new" }, ctx.customerTenantIds),
      explain: true,
    },
    {
      id: "3",
      name: "site analyst: alert list p1 + total",
      caller: ctx.siteAnalyst,
      rls: alertList({}, siteReadable, true),
      baseline: alertList({}, siteReadable),
      outcome: listOutcome,
      app: appList({}, [ctx.siteTenantId]),
      explain: true,
    },
    {
      id: "4",
      name: "MSSP admin: open counts by tenant+severity",
      caller: ctx.msspAdmin,
      rls: openCounts(ctx.msspTenantIds),
      baseline: openCounts(ctx.msspTenantIds),
      outcome: (results) => {
        const rows = results[0].rows;
        const sorted = rows.map((r) => `${r.tenant_id}/${r.severity}/${r.n}`).sort();
        const open = rows.reduce((s, r) => s + (r.n as number), 0);
        return { rows: rows.length, label: `${fmtCount(rows.length)} groups, ${fmtCount(open)} open`, data: sorted };
      },
      app: appOpenCounts,
      explain: true,
    },
    {
      // As the console's list sends it: a wide scope's PDP-readable tenants named (listAlerts'
      // readableTenantIds, here every visible one), so the planner reads the newest alerts in time
      // order. Both sides carry that filter; the RLS side's policy is the only difference.
      id: "5",
      name: "MSSP admin: all-tenant list p1 + total",
      caller: ctx.msspAdmin,
      rls: alertList({}, mssp),
      baseline: alertList({}, mssp),
      outcome: listOutcome,
      app: appList({}, ctx.msspTenantIds),
      explain: true,
    },
    {
      id: "6",
      name: "tenant admin: update 1 alert status (rolled back)",
      caller: ctx.customerAdmin,
      rls: [
        {
          label: "update",
          sql: `update public.alerts set status = $2 where id = $1::uuid`,
          params: [ctx.updateAlertId, newStatus],
        },
      ],
      baseline: [
        {
          label: "update",
          // tenant_admin holds an update-capable role on all of these.
          sql: `update public.alerts set status = $2 where id = $1::uuid and tenant_id = any($3::uuid[])`,
          params: [ctx.updateAlertId, newStatus, ctx.customerTenantIds],
        },
      ],
      outcome: (results) => ({ rows: results[0].rowCount ?? 0, label: `${results[0].rowCount} updated`, data: results[0].rowCount }),
      rollback: true,
      explain: true,
    },
    (() => {
      // The dashboard (lib/analytics/dashboard.ts loadDashboard): 90 days of alert rollups over every tenant of
      // the MSSP, as the page sends them: the series and period sums (whole subtrees from their root's row in
      // alert_subtree_rollups, the cover of lib/analytics/cover.ts), open now per tenant (the
      // riskiest list; summed in the app for the series' open levels), and the period's new alerts of the ten listed customers' tenants. The ids are passed as
      // the page passes its PDP-readable ones; the same SQL on both sides (RLS's cost is the policy on the rollups).
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const from = day(Date.now() - 89 * 86_400_000);
      const to = day(Date.now());
      const series = scopeSeriesStatement(ctx.msspCover, from, to);
      const statements = [
        { label: "series", ...series },
        { label: "open per tenant", sql: PER_TENANT_SQL.open, params: [ctx.msspTenantIds] },
        { label: "listed customers' new alerts", sql: PER_TENANT_SQL.created, params: [ctx.listedTenantIds, from, to] },
      ];
      return {
        id: "8",
        name: "MSSP admin: dashboard rollups, 90 days",
        caller: ctx.msspAdmin,
        rls: statements,
        baseline: statements,
        outcome: (results: pg.QueryResult[]) => {
          const series = results[0].rows.map((r) => `${r.day}/${r.severity}/${r.created}/${r.closed}/${r.tta_ms_sum}/${r.ttr_ms_sum}`).sort();
          const open = results[1].rows.map((r) => `${r.tenant_id}/${r.severity}/${r.open}`).sort();
          const created = results[2].rows.map((r) => `${r.tenant_id}/${r.created}`).sort();
          return { rows: results[0].rows.length, label: `${fmtCount(series.length)} series rows, ${fmtCount(open.length)} open rows`, data: { series, open, created } };
        },
        // The cover's answer equals summing every tenant's own daily rows (what the page sent before).
        app: async (tx: TenantTx) => {
          const viaCover = await scopeSeriesOf(tx, { from, to, tenantIds: ctx.msspTenantIds, cover: ctx.msspCover });
          const everyTenant = await scopeSeriesOf(tx, { from, to, tenantIds: ctx.msspTenantIds });
          if (!isDeepStrictEqual(viaCover, everyTenant)) throw new Error("scenario 8: the subtree rollups' series differs from the daily rows' sum");
          const { rows } = await tx.client.query(series.sql, series.params);
          const open = [...(await openNowByTenant(tx, ctx.msspTenantIds))].flatMap(([id, by]) =>
            Object.entries(by).filter(([, n]) => n !== 0).map(([sev, n]) => `${id}/${sev}/${n}`));
          const created = [...(await createdByTenant(tx, ctx.listedTenantIds, from, to))].map(([id, n]) => `${id}/${n}`);
          return {
            series: rows.map((r) => `${r.day}/${r.severity}/${r.created}/${r.closed}/${r.tta_ms_sum}/${r.ttr_ms_sum}`).sort(),
            open: open.sort(),
            created: created.sort(),
          };
        },
        explain: true,
      } satisfies Scenario;
    })(),
    {
      id: "7",
      name: "claims only: hook + set role (empty tx)",
      caller: ctx.customerAdmin,
      rls: [],
      baseline: [],
      outcome: () => ({ rows: 0, label: "-", data: null }),
      note: "baseline is an empty owner transaction (begin; commit)",
    },
  ];
}
