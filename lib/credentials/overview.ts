// The console's Credentials page: every credential across the tenants the
// caller can see, masked, for MSSP operators who need to know which
// customers' EDR/SIEM credentials are expired or about to expire without
// visiting each customer's portal. Read-only: each row links to its
// tenant's credentials page in the console (page-data.ts
// loadCredentialsPageFor), where they are created, replaced and deleted.
//
// Everything runs in the caller's withTenant transaction, so RLS decides
// which tenants and credentials exist; nothing here filters by tenant. Two
// set-based statements, whatever the number of tenants:
//   - SUMMARY_SQL counts everything in one pass (count(*) filter (where ...),
//     grouped by rollup(connector)): the stat cards and the chart over the
//     whole scope, and the status chips' counts within the search and
//     connector filter;
//   - PAGE_SQL takes one page of 50 rows in urgency order (expired first,
//     then the soonest expiry, then tenant tree order and name).
// The statuses are defined once (STATUS_SQL) and used by both, with the same
// `now` as a parameter, so a count and its filtered rows always agree (and
// agree with expiryStatus in store.ts). Only explicit, non-secret columns are
// selected: the sealed bytes never leave the table.
//
// loadCredentialsOverview adds the PDP: credentials:view on the caller's
// MSSP roots decides whether the page shows at all, credentials:manage on
// the page's tenants decides whether a row's link reads "Manage" or "View".
import { choiceSchema, containsPattern, listHref, pageSchema, parseListQuery, searchSchema } from "@/lib/url/list-query";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { CONNECTOR_KINDS, CONNECTORS, type ConnectorKind } from "./connectors";
import { EXPIRING_DAYS, listedCredential, type ListedCredential } from "./store";

export const OVERVIEW_PAGE_SIZE = 50;

// ---------------------------------------------------------------- the query

export const OVERVIEW_STATUSES = ["all", "expired", "expiring", "never-used", "healthy"] as const;
export type OverviewStatus = (typeof OVERVIEW_STATUSES)[number];

export const OVERVIEW_STATUS_LABELS: Record<OverviewStatus, string> = {
  all: "All",
  expired: "Expired",
  expiring: "Expiring",
  "never-used": "Never used",
  healthy: "Healthy",
};

/** What each status means, in words (chip tooltips, the chart's legend). */
export const OVERVIEW_STATUS_HINTS: Record<OverviewStatus, string> = {
  all: "Every credential of every tenant you operate",
  expired: "The secret's expiry date has passed: whatever uses it is failing",
  expiring: `The secret expires within ${EXPIRING_DAYS} days`,
  "never-used": "Saved, but nothing has used it yet",
  healthy: `Used at least once, and not expiring within ${EXPIRING_DAYS} days`,
};

/** What the URL asks the Credentials page for. */
export interface OverviewQuery {
  /** Part of a credential's name or of its tenant's name or slug (case-insensitive); null for all. */
  q: string | null;
  connector: ConnectorKind | null;
  status: OverviewStatus;
  /** 1-based. */
  page: number;
}

export const DEFAULT_OVERVIEW_QUERY: OverviewQuery = { q: null, connector: null, status: "all", page: 1 };

const querySchema = {
  q: searchSchema,
  connector: choiceSchema(CONNECTOR_KINDS, (k) => CONNECTORS[k].shortLabel),
  status: choiceSchema(OVERVIEW_STATUSES, (st) => OVERVIEW_STATUS_LABELS[st].toLowerCase()),
  page: pageSchema,
};

/**
 * The page's URL search params. A value that does not parse is dropped and
 * reported, so a mistyped or stale link shows a clear note and the rest of
 * the page instead of an error page.
 */
export function parseOverviewQuery(params: Record<string, string | string[] | undefined>): { query: OverviewQuery; problems: string[] } {
  return parseListQuery<OverviewQuery>(params, querySchema, { q: "search", connector: "connector", status: "status", page: "page" }, DEFAULT_OVERVIEW_QUERY);
}

/** The page's URL for a query (defaults left out). */
export function overviewHref(query: Partial<OverviewQuery>): string {
  return listHref({ q: query.q, connector: query.connector, status: query.status, page: query.page }, DEFAULT_OVERVIEW_QUERY);
}

export { containsPattern };

// ---------------------------------------------------------------- what the page gets

/** A credential as the console lists it: the tenant page's masked row, without its settings, plus its tenant. */
export interface OverviewRow extends ListedCredential {
  tenantSlug: string;
  tenantName: string;
  tenantKind: TenantResource["kind"];
  tenantStatus: TenantResource["status"];
  /** ltree path, for the PDP. */
  tenantPath: string;
}

/** Counts over a set of credentials. `neverUsed` overlaps the others; the chart's parts do not. */
export interface OverviewCounts {
  total: number;
  expired: number;
  expiring: number;
  neverUsed: number;
  healthy: number;
  /** Never used and neither expired nor expiring: with expired, expiring and healthy, adds up to total. */
  unusedValid: number;
}

export interface OverviewSummary extends OverviewCounts {
  /** Every connector, in CONNECTOR_KINDS order (zeros included). */
  byConnector: ({ connector: ConnectorKind } & OverviewCounts)[];
}

export interface OverviewData {
  /** The query as served: the page clamped to the pages there are. */
  query: OverviewQuery;
  /** Everything the caller can see, whatever the filters (stat cards, chart). */
  summary: OverviewSummary;
  /** Credentials per status chip, within the search and the connector filter. */
  counts: Record<OverviewStatus, number>;
  /** Credentials matching every filter (what the pager counts). */
  total: number;
  pageCount: number;
  pageSize: number;
  rows: OverviewRow[];
}

// ---------------------------------------------------------------- reading

// Parameters shared by both statements:
//   $1 search pattern or null   $2 connector or null   $3 now   $4 EXPIRING_DAYS
const MATCHES = `($1::text is null or c.name ilike $1 or t.name ilike $1 or t.slug ilike $1)
     and ($2::text is null or c.connector = $2::text)`;
const SOON = `$3::timestamptz + make_interval(days => $4::int)`;
const STATUS_SQL: Record<Exclude<OverviewStatus, "all">, string> = {
  expired: `c.expires_at <= $3::timestamptz`,
  expiring: `(c.expires_at > $3::timestamptz and c.expires_at <= ${SOON})`,
  "never-used": `c.last_used_at is null`,
  healthy: `((c.expires_at is null or c.expires_at > ${SOON}) and c.last_used_at is not null)`,
};
const UNUSED_VALID = `((c.expires_at is null or c.expires_at > ${SOON}) and c.last_used_at is null)`;

// What RLS lets the caller see, each table scanned once on its own (its
// policy's visible-id array is an InitPlan evaluated once) and then
// hash-joined. Joined directly, the planner nests a loop that re-checks the
// ~1,600-id array inside every tenant's index probe: 78 ms against 11 ms for
// 1,617 tenants and 13,000 credentials (EXPLAIN ANALYZE). Explicit columns:
// never \`sealed\`.
const VISIBLE = `
with visible_tenants as materialized (
  select t.id, t.slug, t.name, t.kind, t.status, t.path from public.tenants t
),
visible_credentials as materialized (
  select c.tenant_id, c.id, c.connector, c.name, c.secret_hint, c.expires_at, c.created_at, c.rotated_at, c.last_used_at
    from public.credentials c
)`;

// One pass over every visible credential: each credential's flags computed
// once (s), then counted; rollup(connector) answers one row per connector
// present plus the grand total (connector null). The m_ columns count within
// the search and connector filter, for the chips.
const SUMMARY_SQL = `${VISIBLE}
select s.connector,
       count(*)::int as total,
       count(*) filter (where s.expired)::int as expired,
       count(*) filter (where s.expiring)::int as expiring,
       count(*) filter (where s.never_used)::int as never_used,
       count(*) filter (where s.healthy)::int as healthy,
       count(*) filter (where s.unused_valid)::int as unused_valid,
       count(*) filter (where s.matches)::int as m_all,
       count(*) filter (where s.matches and s.expired)::int as m_expired,
       count(*) filter (where s.matches and s.expiring)::int as m_expiring,
       count(*) filter (where s.matches and s.never_used)::int as m_never_used,
       count(*) filter (where s.matches and s.healthy)::int as m_healthy
  from (select c.connector,
               coalesce(${MATCHES}, false) as matches,
               coalesce(${STATUS_SQL.expired}, false) as expired,
               coalesce(${STATUS_SQL.expiring}, false) as expiring,
               ${STATUS_SQL["never-used"]} as never_used,
               ${STATUS_SQL.healthy} as healthy,
               ${UNUSED_VALID} as unused_valid
          from visible_credentials c
          join visible_tenants t on t.id = c.tenant_id) s
 group by rollup (s.connector)`;

// One page, most urgent first. $5 status filter, $6 page size, $7 offset.
// expires_at ascending puts the expired (past) first, then the soonest;
// credentials without an expiry come last (nulls last), in tree order.
const PAGE_SQL = `${VISIBLE}
select c.tenant_id, c.id, c.connector, c.name, c.secret_hint, c.expires_at, c.created_at, c.rotated_at, c.last_used_at,
       t.slug as tenant_slug, t.name as tenant_name, t.kind as tenant_kind, t.status as tenant_status, t.path::text as tenant_path
  from visible_credentials c
  join visible_tenants t on t.id = c.tenant_id
 where ${MATCHES}
   and case $5::text
         when 'expired' then ${STATUS_SQL.expired}
         when 'expiring' then ${STATUS_SQL.expiring}
         when 'never-used' then ${STATUS_SQL["never-used"]}
         when 'healthy' then ${STATUS_SQL.healthy}
         else true
       end
 order by c.expires_at asc nulls last, t.path, lower(c.name), c.id
 limit $6::int offset $7::int`;

interface SummaryRow {
  connector: ConnectorKind | null;
  total: number;
  expired: number;
  expiring: number;
  never_used: number;
  healthy: number;
  unused_valid: number;
  m_all: number;
  m_expired: number;
  m_expiring: number;
  m_never_used: number;
  m_healthy: number;
}

interface PageRow {
  tenant_id: string;
  id: string;
  connector: ConnectorKind;
  name: string;
  secret_hint: string;
  expires_at: Date | null;
  created_at: Date;
  rotated_at: Date | null;
  last_used_at: Date | null;
  tenant_slug: string;
  tenant_name: string;
  tenant_kind: TenantResource["kind"];
  tenant_status: TenantResource["status"];
  tenant_path: string;
}

const ZERO: OverviewCounts = { total: 0, expired: 0, expiring: 0, neverUsed: 0, healthy: 0, unusedValid: 0 };

const countsOf = (r: SummaryRow | undefined): OverviewCounts =>
  r
    ? { total: r.total, expired: r.expired, expiring: r.expiring, neverUsed: r.never_used, healthy: r.healthy, unusedValid: r.unused_valid }
    : { ...ZERO };

function rowOf(r: PageRow, now: Date): OverviewRow {
  return {
    ...listedCredential(r, now),
    tenantSlug: r.tenant_slug,
    tenantName: r.tenant_name,
    tenantKind: r.tenant_kind,
    tenantStatus: r.tenant_status,
    tenantPath: r.tenant_path,
  };
}

/** The summary alone (no filters, no page): what the console's Overview shows about credentials. */
export async function readCredentialsSummary(tx: TenantTx, now = new Date()): Promise<OverviewCounts> {
  const { rows } = await tx.client.query<SummaryRow>(SUMMARY_SQL, [null, null, now, EXPIRING_DAYS]);
  return countsOf(rows.find((r) => r.connector === null));
}

/**
 * The page's data from the database alone (no PDP): the summary, the chip
 * counts and one page of rows, as far as RLS lets the caller see. A page past
 * the end is served as the last page.
 */
export async function readCredentialsOverview(tx: TenantTx, query: OverviewQuery = DEFAULT_OVERVIEW_QUERY, now = new Date()): Promise<OverviewData> {
  const shared = [containsPattern(query.q), query.connector, now, EXPIRING_DAYS];
  const { rows: summaryRows } = await tx.client.query<SummaryRow>(SUMMARY_SQL, shared);
  const grand = summaryRows.find((r) => r.connector === null);
  const byKind = new Map(summaryRows.filter((r) => r.connector !== null).map((r) => [r.connector, r]));
  const counts: Record<OverviewStatus, number> = {
    all: grand?.m_all ?? 0,
    expired: grand?.m_expired ?? 0,
    expiring: grand?.m_expiring ?? 0,
    "never-used": grand?.m_never_used ?? 0,
    healthy: grand?.m_healthy ?? 0,
  };
  const total = counts[query.status];
  const pageCount = Math.max(1, Math.ceil(total / OVERVIEW_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const { rows } =
    total === 0
      ? { rows: [] as PageRow[] }
      : await tx.client.query<PageRow>(PAGE_SQL, [...shared, query.status, OVERVIEW_PAGE_SIZE, (page - 1) * OVERVIEW_PAGE_SIZE]);
  return {
    query: { ...query, page },
    summary: { ...countsOf(grand), byConnector: CONNECTOR_KINDS.map((connector) => ({ connector, ...countsOf(byKind.get(connector)) })) },
    counts,
    total,
    pageCount,
    pageSize: OVERVIEW_PAGE_SIZE,
    rows: rows.map((r) => rowOf(r, now)),
  };
}

// ---------------------------------------------------------------- with the PDP

export type OverviewRowWithAccess = OverviewRow & { canManage: boolean };

export type CredentialsOverview =
  | { allowed: false }
  | ({ allowed: true } & Omit<OverviewData, "rows"> & { rows: OverviewRowWithAccess[] });

/**
 * The Credentials page for an MSSP operator: allowed only if the PDP grants
 * credentials:view on one of the caller's MSSP memberships; each row says
 * whether the PDP grants credentials:manage on its tenant. One PDP request
 * (the roots and the page's <= 50 tenants). Rejects with PdpUnavailableError
 * when the PDP cannot answer.
 */
export async function loadCredentialsOverview(tx: TenantTx, query: OverviewQuery = DEFAULT_OVERVIEW_QUERY, now = new Date()): Promise<CredentialsOverview> {
  const roots = await msspRoots(tx);
  if (roots.length === 0) return { allowed: false };
  const data = await readCredentialsOverview(tx, query, now);
  const resources = new Map<string, TenantResource>(roots.map((r) => [r.id, r]));
  for (const r of data.rows) resources.set(r.tenantId, { id: r.tenantId, path: r.tenantPath, kind: r.tenantKind, status: r.tenantStatus });
  const decided = await checkActionsForEach(principalFromClaims(tx.claims), ["credentials:view", "credentials:manage"], [...resources.values()]);
  if (!roots.some((r) => decided.get(r.id)?.["credentials:view"])) return { allowed: false };
  return { allowed: true, ...data, rows: data.rows.map((r) => ({ ...r, canManage: Boolean(decided.get(r.tenantId)?.["credentials:manage"]) })) };
}

/** The MSSP tenants the caller is a member of, as PDP resources (RLS shows them). */
async function msspRoots(tx: TenantTx): Promise<TenantResource[]> {
  const rootIds = tx.claims.tenants.filter((m) => m.kind === "mssp").map((m) => m.tenant_id);
  if (rootIds.length === 0) return [];
  const { rows } = await tx.client.query<TenantResource>(`select id, path::text as path, kind, status from public.tenants where id = any ($1::uuid[])`, [
    rootIds,
  ]);
  return rows;
}

/**
 * For the console's Overview: how many of the credentials the caller operates
 * have expired or expire soon, if the PDP lets them view credentials on one of
 * their MSSPs (null otherwise). Rejects with PdpUnavailableError when the PDP
 * cannot answer.
 */
export async function loadCredentialsAttention(tx: TenantTx, now = new Date()): Promise<OverviewCounts | null> {
  const roots = await msspRoots(tx);
  if (roots.length === 0) return null;
  const decided = await checkActionsForEach(principalFromClaims(tx.claims), ["credentials:view"], roots);
  if (!roots.some((r) => decided.get(r.id)?.["credentials:view"])) return null;
  return readCredentialsSummary(tx, now);
}
