// What the health pages show (docs/health.md). Every read runs under the
// caller's withTenant (RLS on tenant_health decides which rows exist) after
// the PDP allowed alerts:triage on the tenant: health is the operational
// state of the tenant's detection pipeline, for the people who work its
// alerts (MSSP staff, the tenant's admins and analysts; not viewers).
//   loadHealthBoard   console /health: the counts per state, then one page of
//                     customers and sites, worst first (an MSSP runs 1,600)
//   loadTenantHealth  console /health/<slug> and the tenant host's /status
// Each answer carries the zone its times are shown in (lib/locale): the
// locale.time_zone of the page's tenant, the MSSP's on the console.
import { namedStatement } from "@/lib/db/prepared";
import { z } from "zod";
import { checkActionsForEach, permissions, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { choiceSchema, containsPattern, listHref, pageSchema, parseListQuery, searchSchema } from "@/lib/url/list-query";
import { STATE_LABELS, type HealthState, type Signal } from "./signals";

export const HEALTH_ACTION = "alerts:triage" as const;

export const BOARD_FILTERS = ["all", "down", "degraded", "healthy", "unknown"] as const;
export type BoardFilter = (typeof BOARD_FILTERS)[number];
export const FILTER_LABELS: Record<BoardFilter, string> = { all: "All", down: "Down", degraded: "Degraded", healthy: "Healthy", unknown: "Not evaluated yet" };

/** Tiles per page: a thousand customers are reached by the search and the pages, never drawn at once. */
export const BOARD_PAGE_SIZE = 50;

export interface BoardQuery {
  state: BoardFilter;
  /** Part of a tenant's name or slug. */
  q: string | null;
  page: number;
}
export const DEFAULT_BOARD_QUERY: BoardQuery = { state: "all", q: null, page: 1 };

export function parseBoardQuery(params: Record<string, string | string[] | undefined>): { query: BoardQuery; problems: string[] } {
  return parseListQuery<BoardQuery>(
    params,
    {
      state: choiceSchema(BOARD_FILTERS, (f) => FILTER_LABELS[f].toLowerCase()) as z.ZodType<BoardFilter>,
      q: searchSchema.transform((s) => s || null),
      page: pageSchema,
    },
    { state: "state filter", q: "search", page: "page" },
    DEFAULT_BOARD_QUERY,
  );
}
/** The board's URL for a query (defaults left out; a changed filter should pass page 1). */
export const boardHref = (q: Partial<BoardQuery>) => `/health${listHref({ ...DEFAULT_BOARD_QUERY, ...q }, DEFAULT_BOARD_QUERY)}`;

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
  /** One page of the tenants matching the query, worst first. */
  tiles: HealthTile[];
  /** Tenants per state among those matching the search (all of them without one); exact, counted in SQL. */
  counts: Record<BoardFilter, number>;
  /** Every tenant whose health the caller may see, whatever the query. */
  scope: number;
  /** The query as served: the page clamped to the pages there are. */
  query: BoardQuery;
  pageCount: number;
  pageSize: number;
  /** The latest changes across every tenant of the board (the in-app notifications). */
  recent: TransitionView[];
  /** Tenants the PDP does not let the caller see the health of. */
  hidden: number;
  /** The zone the board's times are shown in: the caller's MSSP's locale.time_zone (the board is the console's). */
  timeZone: string;
}

const notOk = (signals: Signal[]) => signals.filter((s) => s.level !== "ok").sort((a, b) => (a.level === b.level ? 0 : a.level === "critical" ? -1 : 1));

type TenantRow = TenantResource & { slug: string; name: string; parent_name: string | null; state: HealthState | null; signals: Signal[] | null; since: Date | null; evaluated_at: Date | null };

/**
 * Every customer and site RLS shows, as the PDP is asked about them (exported for scripts/bench):
 * the narrow columns only; health, parents and signals are read for one page of them.
 */
export const TENANTS_SQL = `select t.id, t.slug, t.name, t.kind, t.status, t.path::text as path
   from public.tenants t
  where t.kind <> 'mssp' and t.status <> 'deprovisioned'`;

/**
 * How many of the tenants ($1, those the PDP allowed) are in each state, among those whose name or
 * slug matches $2 (a LIKE pattern; null: all). 'unknown': not evaluated yet. Exported for scripts/bench.
 */
export const BOARD_COUNTS_SQL = `select coalesce(h.state, 'unknown') as state, count(*)::int as n
   from public.tenants t
   left join public.tenant_health h on h.tenant_id = t.id
  where t.id = any ($1::uuid[]) and ($2::text is null or t.name ilike $2 or t.slug ilike $2)
  group by 1`;

/**
 * One page of the board: the tenants ($1) matching the search ($2) in state $3 (null: any), worst first
 * (down, degraded, not evaluated, healthy), then by name; $4 rows from $5. The parent's name is read for
 * the page's rows only. Exported for scripts/bench.
 */
export const BOARD_PAGE_SQL = `select b.*, p.name as parent_name
   from (select t.id, t.slug, t.name, t.kind, t.status, t.path::text as path, t.parent_id, h.state, h.signals, h.since, h.evaluated_at
           from public.tenants t
           left join public.tenant_health h on h.tenant_id = t.id
          where t.id = any ($1::uuid[]) and ($2::text is null or t.name ilike $2 or t.slug ilike $2)
            and ($3::text is null or coalesce(h.state, 'unknown') = $3)
          order by case coalesce(h.state, 'unknown') when 'down' then 0 when 'degraded' then 1 when 'unknown' then 2 else 3 end, t.name, t.id
          limit $4 offset $5) b
   left join public.tenants p on p.id = b.parent_id
  order by case coalesce(b.state, 'unknown') when 'down' then 0 when 'degraded' then 1 when 'unknown' then 2 else 3 end, b.name, b.id`;

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
 * another read of its ~1,600 visible tenant ids, probed once per change (issue 13 point 7). Ties (one
 * evaluation's changes share its time) go by tenant: members may not read `id`, a counter shared by
 * every tenant (migration 20261201032300).
 */
export const RECENT_TRANSITIONS_SQL = `select h.tenant_id, h.from_state, h.to_state, h.reasons, h.occurred_at, h.notified
       from public.tenant_health_transitions h
      where h.tenant_id = any ($1::uuid[]) and h.from_state is not null
      order by h.occurred_at desc, h.tenant_id limit $2`;

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

/**
 * The board for the customers and sites the caller sees (RLS) and may see the health of (PDP): the
 * counts per state, one page of tiles worst first, the latest changes. The PDP is asked about every
 * visible tenant (its decisions are cached, lib/authz/decision-cache.ts), so the counts and pages
 * hold only allowed tenants; the states, signals and parents are read for one page only.
 */
export async function loadHealthBoard(tx: TenantTx, query: BoardQuery = DEFAULT_BOARD_QUERY): Promise<HealthBoard> {
  const { rows } = await tx.client.query<TenantResource & { slug: string; name: string }>(TENANTS_SQL);
  // checkActionsForEach asks the PDP in parallel batches (lib/authz/pdp.ts).
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), [HEALTH_ACTION], rows);
  const allowed = rows.filter((r) => decisions.get(r.id)?.[HEALTH_ACTION]);
  const ids = allowed.map((r) => r.id);
  const pattern = containsPattern(query.q);
  const counts: Record<BoardFilter, number> = { all: 0, down: 0, degraded: 0, healthy: 0, unknown: 0 };
  if (ids.length > 0) {
    const { rows: perState } = await tx.client.query<{ state: Exclude<BoardFilter, "all">; n: number }>(BOARD_COUNTS_SQL, [ids, pattern]);
    for (const r of perState) {
      counts[r.state] = r.n;
      counts.all += r.n;
    }
  }
  const pageCount = Math.max(1, Math.ceil(counts[query.state] / BOARD_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const tiles =
    counts[query.state] === 0
      ? []
      : (
          await tx.client.query<TenantRow>(BOARD_PAGE_SQL, [ids, pattern, query.state === "all" ? null : query.state, BOARD_PAGE_SIZE, (page - 1) * BOARD_PAGE_SIZE])
        ).rows.map(tileOf);
  return {
    tiles,
    counts,
    scope: allowed.length,
    query: { ...query, page },
    pageCount,
    pageSize: BOARD_PAGE_SIZE,
    recent: await recentTransitions(tx, allowed, 10),
    hidden: rows.length - allowed.length,
    // No host tenant: the board is on the console only, so the operator's MSSP's zone (not each tile's tenant's).
    timeZone: await viewerTimeZone(tx, null),
  };
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
  /** The zone the times are shown in: the page's tenant's locale.time_zone (the host's, the MSSP's on the console), not the viewed tenant's. */
  timeZone: string;
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

/** A tenant's health changes, newest first ($1 the tenant; one change per evaluation, so no two share a time; `id` is not members' to read). */
export const HEALTH_HISTORY_SQL = `select from_state, to_state, reasons, occurred_at, notified from public.tenant_health_transitions
      where tenant_id = $1 order by occurred_at desc limit 200`;
// Named: each pooled connection parses and plans them once (lib/db/prepared.ts); names exported for scripts/bench.
export const TENANT_BY_SLUG_NAME = "health.tenant-by-slug";
export const HEALTH_HISTORY_NAME = "health.history";
const TENANT_BY_SLUG = namedStatement(TENANT_BY_SLUG_NAME, TENANT_BY_SLUG_SQL);
const HEALTH_HISTORY = namedStatement(HEALTH_HISTORY_NAME, HEALTH_HISTORY_SQL);

/**
 * One tenant's health; null when the caller cannot see the tenant (or it is an MSSP).
 * `hostTenantId`: the host's tenant (a tenant host's /status); none on the console (the caller's MSSP's zone).
 */
export async function loadTenantHealth(tx: TenantTx, slug: string, hostTenantId?: string | null): Promise<TenantHealth | null> {
  const { rows } = await tx.client.query<TenantRow>(TENANT_BY_SLUG([slug]));
  const r = rows[0];
  if (!r) return null;
  // Refused: no time is shown, so the zone is not read.
  const base = { tenant: { id: r.id, slug: r.slug, name: r.name, kind: r.kind }, state: null, signals: [], reasons: [], since: null, evaluatedAt: null, history: [], timeZone: DEFAULT_TIME_ZONE };
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
    timeZone: await viewerTimeZone(tx, hostTenantId),
  };
}

export { STATE_LABELS };
