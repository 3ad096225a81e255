// What the health pages show (docs/health.md). Every read runs under the
// caller's withTenant (RLS on tenant_health decides which rows exist) after
// the PDP allowed alerts:triage on the tenant: health is the operational
// state of the tenant's detection pipeline, for the people who work its
// alerts (MSSP staff, the tenant's admins and analysts; not viewers).
//   loadHealthBoard   console /health: every customer and site, worst first
//   loadTenantHealth  console /health/<slug> and the tenant host's /status
import { namedStatement } from "@/lib/db/prepared";
import { z } from "zod";
import { checkActionsForEach, permissions, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { choiceSchema, listHref, parseListQuery } from "@/lib/url/list-query";
import { STATE_LABELS, STATE_RANK, type HealthState, type Signal } from "./signals";

export const HEALTH_ACTION = "alerts:triage" as const;

export const BOARD_FILTERS = ["all", "down", "degraded", "healthy", "unknown"] as const;
export type BoardFilter = (typeof BOARD_FILTERS)[number];
export const FILTER_LABELS: Record<BoardFilter, string> = { all: "All", down: "Down", degraded: "Degraded", healthy: "Healthy", unknown: "Not evaluated yet" };

export interface BoardQuery {
  state: BoardFilter;
}
const DEFAULT_QUERY: BoardQuery = { state: "all" };

export function parseBoardQuery(params: Record<string, string | string[] | undefined>): { query: BoardQuery; problems: string[] } {
  return parseListQuery<BoardQuery>(params, { state: choiceSchema(BOARD_FILTERS, (f) => FILTER_LABELS[f].toLowerCase()) as z.ZodType<BoardFilter> }, { state: "state filter" }, DEFAULT_QUERY);
}
export const boardHref = (q: BoardQuery) => `/health${listHref({ state: q.state }, DEFAULT_QUERY)}`;

export interface HealthTile {
  id: string;
  slug: string;
  name: string;
  kind: "customer" | "site";
  parentName: string | null;
  /** null: not evaluated yet (a new tenant, or the job has not run). */
  state: HealthState | null;
  reasons: Signal[];
  since: Date | null;
  evaluatedAt: Date | null;
}

export interface TransitionView {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  from: HealthState | null;
  to: HealthState;
  reasons: Signal[];
  at: Date;
  notified: number;
}

export interface HealthBoard {
  tiles: HealthTile[];
  counts: Record<BoardFilter, number>;
  /** The latest changes across the tiles (the in-app notifications). */
  recent: TransitionView[];
  /** Tenants the PDP does not let the caller see the health of. */
  hidden: number;
}

const rankOf = (s: HealthState | null) => (s === null ? 1.5 : STATE_RANK[s]);
const notOk = (signals: Signal[]) => signals.filter((s) => s.level !== "ok").sort((a, b) => (a.level === b.level ? 0 : a.level === "critical" ? -1 : 1));

type TenantRow = TenantResource & { slug: string; name: string; parent_name: string | null; state: HealthState | null; signals: Signal[] | null; since: Date | null; evaluated_at: Date | null };

/** Every customer and site RLS shows, with its health (exported for scripts/bench). */
export const TENANTS_SQL = `select t.id, t.slug, t.name, t.kind, t.status, t.path::text as path, p.name as parent_name,
        h.state, h.signals, h.since, h.evaluated_at
   from public.tenants t
   left join public.tenants p on p.id = t.parent_id
   left join public.tenant_health h on h.tenant_id = t.id
  where t.kind <> 'mssp' and t.status <> 'deprovisioned'`;

function tileOf(r: TenantRow): HealthTile {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    kind: r.kind as "customer" | "site",
    parentName: r.kind === "site" ? r.parent_name : null,
    state: r.state,
    reasons: notOk(r.signals ?? []),
    since: r.since ? new Date(r.since) : null,
    evaluatedAt: r.evaluated_at ? new Date(r.evaluated_at) : null,
  };
}

/**
 * The board's latest changes: $1 the tenants shown, $2 how many (exported for scripts/bench). Their
 * slugs and names come from the board's own rows: joining tenants again costs an MSSP's statement
 * another read of its ~1,600 visible tenant ids, probed once per change (issue 13 point 7).
 */
export const RECENT_TRANSITIONS_SQL = `select h.tenant_id, h.from_state, h.to_state, h.reasons, h.occurred_at, h.notified
       from public.tenant_health_transitions h
      where h.tenant_id = any ($1::uuid[]) and h.from_state is not null
      order by h.occurred_at desc, h.id desc limit $2`;

async function recentTransitions(tx: TenantTx, tenants: readonly { id: string; slug: string; name: string }[], limit: number): Promise<TransitionView[]> {
  if (tenants.length === 0) return [];
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const { rows } = await tx.client.query<{ tenant_id: string; from_state: HealthState | null; to_state: HealthState; reasons: Signal[]; occurred_at: Date; notified: number }>(
    RECENT_TRANSITIONS_SQL,
    [tenants.map((t) => t.id), limit],
  );
  return rows.map((r) => {
    const t = byId.get(r.tenant_id)!;
    return { tenantId: r.tenant_id, tenantSlug: t.slug, tenantName: t.name, from: r.from_state, to: r.to_state, reasons: r.reasons, at: new Date(r.occurred_at), notified: r.notified };
  });
}

/** Every customer and site the caller sees (RLS) and may see the health of (PDP), worst first. */
export async function loadHealthBoard(tx: TenantTx, query: BoardQuery = DEFAULT_QUERY): Promise<HealthBoard> {
  const { rows } = await tx.client.query<TenantRow>(TENANTS_SQL);
  // checkActionsForEach asks the PDP in parallel batches (lib/authz/pdp.ts).
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), [HEALTH_ACTION], rows);
  const allowed = rows.filter((r) => decisions.get(r.id)?.[HEALTH_ACTION]);
  const all = allowed.map(tileOf).sort((a, b) => rankOf(a.state) - rankOf(b.state) || a.name.localeCompare(b.name));
  const counts: Record<BoardFilter, number> = { all: all.length, down: 0, degraded: 0, healthy: 0, unknown: 0 };
  for (const t of all) counts[t.state ?? "unknown"]++;
  const tiles = query.state === "all" ? all : all.filter((t) => (t.state ?? "unknown") === query.state);
  return { tiles, counts, recent: await recentTransitions(tx, allowed, 10), hidden: rows.length - allowed.length };
}

export interface TenantHealth {
  tenant: { id: string; slug: string; name: string; kind: string };
  allowed: boolean;
  state: HealthState | null;
  signals: Signal[];
  reasons: Signal[];
  since: Date | null;
  evaluatedAt: Date | null;
  /** Newest first, the first evaluation included. */
  history: TransitionView[];
}

/**
 * One tenant's row by slug ($1) for its health page (exported for scripts/bench): TENANTS_SQL without
 * the parent's name, which this page does not show (one policy InitPlan less per request).
 */
export const TENANT_BY_SLUG_SQL = `select t.id, t.slug, t.name, t.kind, t.status, t.path::text as path, null::text as parent_name,
        h.state, h.signals, h.since, h.evaluated_at
   from public.tenants t
   left join public.tenant_health h on h.tenant_id = t.id
  where t.kind <> 'mssp' and t.status <> 'deprovisioned' and t.slug = $1`;

/** A tenant's health changes, newest first ($1 the tenant). */
export const HEALTH_HISTORY_SQL = `select from_state, to_state, reasons, occurred_at, notified from public.tenant_health_transitions
      where tenant_id = $1 order by occurred_at desc, id desc limit 200`;
// Named: each pooled connection parses and plans them once (lib/db/prepared.ts); names exported for scripts/bench.
export const TENANT_BY_SLUG_NAME = "health.tenant-by-slug";
export const HEALTH_HISTORY_NAME = "health.history";
const TENANT_BY_SLUG = namedStatement(TENANT_BY_SLUG_NAME, TENANT_BY_SLUG_SQL);
const HEALTH_HISTORY = namedStatement(HEALTH_HISTORY_NAME, HEALTH_HISTORY_SQL);

/** One tenant's health; null when the caller cannot see the tenant (or it is an MSSP). */
export async function loadTenantHealth(tx: TenantTx, slug: string): Promise<TenantHealth | null> {
  const { rows } = await tx.client.query<TenantRow>(TENANT_BY_SLUG([slug]));
  const r = rows[0];
  if (!r) return null;
  const base = { tenant: { id: r.id, slug: r.slug, name: r.name, kind: r.kind }, state: null, signals: [], reasons: [], since: null, evaluatedAt: null, history: [] };
  const can = await permissions(tx, [HEALTH_ACTION], r.id);
  if (!can[HEALTH_ACTION]) return { ...base, allowed: false };
  const { rows: history } = await tx.client.query<{ from_state: HealthState | null; to_state: HealthState; reasons: Signal[]; occurred_at: Date; notified: number }>(
    HEALTH_HISTORY([r.id]),
  );
  const tile = tileOf(r);
  return {
    ...base,
    allowed: true,
    state: tile.state,
    signals: r.signals ?? [],
    reasons: tile.reasons,
    since: tile.since,
    evaluatedAt: tile.evaluatedAt,
    history: history.map((h) => ({ tenantId: r.id, tenantSlug: r.slug, tenantName: r.name, from: h.from_state, to: h.to_state, reasons: h.reasons, at: new Date(h.occurred_at), notified: h.notified })),
  };
}

export { STATE_LABELS };
