// What the dashboards show (/dashboard on the console and on a tenant host;
// docs/console.md has the definitions). Served from the alert rollups
// (lib/analytics/rollups.ts), never from public.alerts; assets, collectors
// and health are small per-tenant tables read as they are.
//
// Who sees what: RLS decides which tenants exist for the caller; the PDP is
// asked per tenant (alerts:read for the alert figures, as the console
// overview does; assets:read for assets; alerts:triage for collectors and
// health, as lib/health does). Tenants the PDP denies are left out and counted
// as hidden.
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import { ALERT_SEVERITIES, type AlertSeverityName } from "@/lib/alerts/severity";
import { slaTargetsFor } from "@/lib/alerts/sla-targets";
import type { SlaTargets } from "@/lib/alerts/sla";
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfigs } from "@/lib/settings/resolve";
import { resolveTenantFilter, type ResolvedTenantFilter } from "@/lib/tenancy/tenant-filter";
import type { DashboardQuery } from "./range";
import {
  addCounts, createdByTenant, emptyCounts, mttaMs, mttrMs, openNowByTenant, scopeSeriesOf, totalOf,
  type BySeverity, type RollupCounts, type SeriesDay,
} from "./rollups";
import { subtreeCover } from "./cover";
import { pathWithin } from "@/lib/tenancy/path";

export const ASSET_CRITICALITIES = ["critical", "high", "medium", "low"] as const;
export type AssetCriticality = (typeof ASSET_CRITICALITIES)[number];

/** Risk weights of open alerts by severity (docs/console.md "Risky"). */
export const RISK_WEIGHTS: BySeverity<number> = { critical: 10, high: 4, medium: 1, low: 0, info: 0 };

export interface ScopeTenant {
  id: string;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  path: string;
  parentId: string | null;
  /** Depth below the host's top (0 = top). */
  depth: number;
}

export interface RiskyRow {
  tenant: ScopeTenant;
  /** Open now in its subtree, per severity. */
  open: BySeverity<number>;
  /** Σ weight × open. */
  weightedOpen: number;
  /** Assets in its subtree. */
  assets: number;
  /** weightedOpen ÷ max(assets, 1). */
  risk: number;
  /** New alerts in the period in its subtree. */
  created: number;
}

export interface SlaRow {
  severity: Exclude<AlertSeverityName, "info">;
  counts: RollupCounts;
  mttaMs: number | null;
  mttrMs: number | null;
  ackTargetMinutes: number | null;
  resolveTargetMinutes: number | null;
}

export interface DashboardData {
  query: DashboardQuery;
  /** Notes about the query (a scope that is not visible, …). */
  problems: string[];
  /** Where the picker starts: null on the console (every visible tenant). */
  top: ScopeTenant | null;
  /** The selected tenant (null: the console's whole scope). */
  scope: ScopeTenant | null;
  /** From the top down to the scope's parent: the way back up. */
  trail: ScopeTenant[];
  /** Every tenant of the host's subtree, in tree order (the picker offers those below the top, MSSPs aside). */
  options: ScopeTenant[];
  /** ?scope= as typed when it named several tenants (the page offers them as links); else null. */
  scopeMatches: ResolvedTenantFilter<ScopeTenant> | null;
  /** ?scope= as typed, when it named none or several (the picker's text field keeps it). */
  scopeTyped: string | null;
  /** Tenants whose alerts are counted / left out by the PDP. */
  counted: number;
  hidden: number;
  /** The period's sums over every severity, and open now. */
  totals: RollupCounts & { openNow: number };
  bySeverity: BySeverity<RollupCounts & { openNow: number }>;
  series: SeriesDay[];
  sla: SlaRow[];
  /** Whose SLA targets the table shows (each tenant is judged against its own). */
  slaTargetsOf: string | null;
  risky: RiskyRow[];
  /** What the risky list ranks: "customers" on the console's whole scope, else the scope's children. */
  riskyOf: "customers" | "children";
  assets: { total: number; byCriticality: Record<AssetCriticality, number>; allowed: boolean };
  collectors: { total: number; reporting: number; silent: number; erroring: number; allowed: boolean };
  health: { healthy: number; degraded: number; down: number; notEvaluated: number; allowed: boolean };
}

const DASHBOARD_ACTIONS = ["alerts:read", "assets:read", "alerts:triage"] as const;
type DashAction = (typeof DASHBOARD_ACTIONS)[number];

// checkActionsForEach asks the PDP in parallel batches (lib/authz/pdp.ts).
function decide(tx: TenantTx, rows: TenantResource[]): Promise<Map<string, Record<DashAction, boolean>>> {
  return checkActionsForEach(principalFromClaims(tx.claims), DASHBOARD_ACTIONS, rows);
}

type TenantRow = TenantResource & { slug: string; name: string; parent_id: string | null };

/**
 * The dashboard for the caller. `hostTenantId`: the tenant host's tenant
 * (the dashboard covers it and its subtree); null on the console.
 */
export async function loadDashboard(tx: TenantTx, asked: DashboardQuery, hostTenantId: string | null): Promise<DashboardData> {
  const problems: string[] = [];
  const { rows } = await tx.client.query<TenantRow>(
    `select id, slug, name, kind, status, path::text as path, parent_id from public.tenants
      where status <> 'deprovisioned' order by path`,
  );
  const hostRow = hostTenantId ? rows.find((r) => r.id === hostTenantId) ?? null : null;
  const inTop = hostRow ? rows.filter((r) => pathWithin(r.path, hostRow.path)) : rows;
  const baseDepth = hostRow ? hostRow.path.split(".").length : 1;
  const toScope = (r: TenantRow): ScopeTenant => ({
    id: r.id, slug: r.slug, name: r.name, kind: r.kind, path: r.path, parentId: r.parent_id,
    depth: Math.max(0, r.path.split(".").length - baseDepth),
  });
  const options = inTop.map(toScope);
  const top = hostRow ? toScope(hostRow) : null;

  // ?scope=: a slug of the subtree, else (typed past TENANT_SELECT_UP_TO) a name or slug among the
  // tenants the picker offers. Naming none or several shows everything, with a note or the matches.
  let scope: ScopeTenant | null = top;
  let scopeMatches: ResolvedTenantFilter<ScopeTenant> | null = null;
  let scopeTyped: string | null = null;
  if (asked.scope) {
    const pickable = options.filter((o) => o.id !== top?.id && o.kind !== "mssp");
    const named = resolveTenantFilter(pickable, asked.scope);
    const found = options.find((o) => o.slug === asked.scope) ?? named.chosen;
    if (found) scope = found;
    else {
      scopeTyped = asked.scope;
      if (named.matchCount > 0) scopeMatches = named;
      else problems.push(`No tenant "${asked.scope.slice(0, 40)}" in your scope here: showing everything you can see.`);
    }
  }
  // Links and the picker carry the tenant's slug from here on (nothing when ?scope= named none or several).
  const query: DashboardQuery = { ...asked, scope: asked.scope && scopeTyped === null ? scope!.slug : null };
  const byId = new Map(options.map((o) => [o.id, o]));
  const trail: ScopeTenant[] = [];
  for (let p = scope?.parentId ? byId.get(scope.parentId) : undefined; p; p = p.parentId ? byId.get(p.parentId) : undefined) trail.unshift(p);

  const inScope = scope ? inTop.filter((r) => pathWithin(r.path, scope.path)) : inTop;
  const decisions = await decide(tx, inScope);
  const allowedTo = (a: DashAction) => inScope.filter((r) => decisions.get(r.id)?.[a]).map((r) => r.id);
  const readable = allowedTo("alerts:read");
  const assetIds = allowedTo("assets:read");
  const triageIds = allowedTo("alerts:triage");

  // The series and the period's sums come from the rollups in one grouped statement: whole subtrees the
  // PDP lets the caller read from their root's row, the other readable tenants from their own rows.
  const cover = subtreeCover(inScope.map((r) => ({ id: r.id, parentId: r.parent_id })), readable);
  // Open now per tenant (the riskiest list needs it per candidate), summed for the series' open levels.
  const openOf = await openNowByTenant(tx, readable);
  const openNow = Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, [...openOf.values()].reduce((n, o) => n + o[s], 0)])) as BySeverity<number>;
  const series = await scopeSeriesOf(tx, { from: query.from, to: query.to, tenantIds: readable, cover, openNow });
  const bySeverity = Object.fromEntries(
    ALERT_SEVERITIES.map((s) => {
      const c = emptyCounts();
      for (const d of series) addCounts(c, d.bySeverity[s]);
      return [s, { ...c, openNow: openNow[s] }];
    }),
  ) as BySeverity<RollupCounts & { openNow: number }>;
  const totals = { ...totalOf(bySeverity), openNow: ALERT_SEVERITIES.reduce((n, s) => n + bySeverity[s].openNow, 0) };

  // SLA targets shown: the scope's (the console's whole scope: its MSSP's).
  const targetTenant = scope ?? (options.find((o) => o.kind === "mssp") ?? null);
  let targets: SlaTargets | null = null;
  if (targetTenant) targets = await slaTargetsFor(tx, targetTenant.id).catch(() => null);
  const sla: SlaRow[] = (["critical", "high", "medium", "low"] as const).map((s) => ({
    severity: s,
    counts: bySeverity[s],
    mttaMs: mttaMs(bySeverity[s]),
    mttrMs: mttrMs(bySeverity[s]),
    ackTargetMinutes: targets ? targets[s].acknowledgeMinutes : null,
    resolveTargetMinutes: targets ? targets[s].resolveMinutes : null,
  }));

  // Assets per tenant and criticality.
  const assetsByTenant = new Map<string, number>();
  const byCriticality = Object.fromEntries(ASSET_CRITICALITIES.map((c) => [c, 0])) as Record<AssetCriticality, number>;
  if (assetIds.length > 0) {
    const { rows: a } = await tx.client.query<{ tenant_id: string; criticality: AssetCriticality; n: number }>(
      `select tenant_id, criticality, count(*)::int as n from public.assets where tenant_id = any ($1::uuid[]) group by 1, 2`,
      [assetIds],
    );
    for (const r of a) {
      assetsByTenant.set(r.tenant_id, (assetsByTenant.get(r.tenant_id) ?? 0) + r.n);
      byCriticality[r.criticality] += r.n;
    }
  }

  // Risky: the console's whole scope ranks customers; a chosen scope ranks its children.
  const riskyOf: DashboardData["riskyOf"] = scope === null || scope.kind === "mssp" ? "customers" : "children";
  const candidates = riskyOf === "customers" ? options.filter((o) => o.kind === "customer" && (!scope || pathWithin(o.path, scope.path))) : options.filter((o) => o.parentId === scope!.id);
  // Each tenant counts for the candidate at or above it (walking up the parents: O(tenants × depth)).
  const candidateIds = new Set(candidates.map((c) => c.id));
  const candidateOf = new Map<string, string>();
  const acc = new Map(candidates.map((c) => [c.id, { open: Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) as BySeverity<number>, assets: 0 }]));
  for (const r of inScope) {
    let at: ScopeTenant | undefined = byId.get(r.id);
    while (at && !candidateIds.has(at.id)) at = at.parentId ? byId.get(at.parentId) : undefined;
    if (!at) continue;
    candidateOf.set(r.id, at.id);
    const a = acc.get(at.id)!;
    a.assets += assetsByTenant.get(r.id) ?? 0;
    const open = openOf.get(r.id);
    if (open) for (const s of ALERT_SEVERITIES) a.open[s] += open[s];
  }
  const ranked: RiskyRow[] = candidates.map((c) => {
    const { open, assets } = acc.get(c.id)!;
    const weightedOpen = ALERT_SEVERITIES.reduce((n, s) => n + RISK_WEIGHTS[s] * open[s], 0);
    return { tenant: c, open, weightedOpen, assets, risk: weightedOpen / Math.max(assets, 1), created: 0 };
  });
  ranked.sort((a, b) => b.risk - a.risk || b.weightedOpen - a.weightedOpen || a.tenant.name.localeCompare(b.tenant.name));
  // The period's new alerts, for the ten listed only (the ranking does not use them).
  const risky = ranked.slice(0, 10);
  const listed = new Set(risky.map((r) => r.tenant.id));
  const createdOf = await createdByTenant(tx, readable.filter((id) => listed.has(candidateOf.get(id) ?? "")), query.from, query.to);
  const riskyById = new Map(risky.map((r) => [r.tenant.id, r]));
  for (const [id, n] of createdOf) riskyById.get(candidateOf.get(id)!)!.created += n;

  // Collectors: reporting, silent past the tenant's warn threshold, or with an error after their last pull.
  const collectors = { total: 0, reporting: 0, silent: 0, erroring: 0, allowed: triageIds.length > 0 };
  const health = { healthy: 0, degraded: 0, down: 0, notEvaluated: 0, allowed: triageIds.length > 0 };
  if (triageIds.length > 0) {
    const { rows: cs } = await tx.client.query<{ tenant_id: string; last_heartbeat_at: Date; last_error_at: Date | null; last_pull_at: Date | null }>(
      `select tenant_id, last_heartbeat_at, last_error_at, last_pull_at from public.collectors where tenant_id = any ($1::uuid[])`,
      [triageIds],
    );
    if (cs.length > 0) {
      const configs = await effectiveConfigs(tx, [...new Set(cs.map((c) => c.tenant_id))]);
      const now = Date.now();
      for (const c of cs) {
        collectors.total++;
        const warn = configs.get(c.tenant_id)?.value<number>("health.collector_silent_warn_minutes") ?? 15;
        const erroring = c.last_error_at !== null && (c.last_pull_at === null || new Date(c.last_error_at) > new Date(c.last_pull_at));
        if (now - new Date(c.last_heartbeat_at).getTime() > warn * 60_000) collectors.silent++;
        else if (erroring) collectors.erroring++;
        else collectors.reporting++;
      }
    }
    const { rows: hs } = await tx.client.query<{ tenant_id: string; state: "healthy" | "degraded" | "down" }>(
      `select tenant_id, state from public.tenant_health where tenant_id = any ($1::uuid[])`,
      [triageIds],
    );
    const kindOf = new Map(inScope.map((r) => [r.id, r.kind]));
    const evaluated = new Set<string>();
    for (const h of hs) {
      health[h.state]++;
      evaluated.add(h.tenant_id);
    }
    health.notEvaluated = triageIds.filter((id) => kindOf.get(id) !== "mssp" && !evaluated.has(id)).length;
  }

  return {
    query, problems, top, scope, trail, options, scopeMatches, scopeTyped,
    counted: readable.length, hidden: inScope.length - readable.length,
    totals, bySeverity, series, sla, slaTargetsOf: targetTenant?.name ?? null,
    risky, riskyOf,
    assets: { total: [...assetsByTenant.values()].reduce((a, b) => a + b, 0), byCriticality, allowed: assetIds.length > 0 },
    collectors, health,
  };
}
