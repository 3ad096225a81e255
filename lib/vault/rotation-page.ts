// What the console's Keys page shows, loaded inside the caller's withTenant
// transaction: RLS decides which tenants, credentials and jobs exist for the
// caller; the PDP (keys:rotate) decides which rotate buttons appear. If the
// PDP cannot answer, the page stays readable and every button is hidden.
//
// An MSSP operates 1,000-2,000 tenants, so the tenant table is paged (50 rows,
// tree order) and searchable, and only the page's tenants cost anything:
//   - one statement counts every filter at once (count(*) filter (where ...))
//     over the tenants RLS lets the caller see and takes the page (and the
//     MSSP roots for the KEK cards), so each table's RLS helper runs once;
//   - credentials per key version, latest jobs, keyring status (service role)
//     and the PDP are asked about the page's <= 50 tenants (and the MSSP roots
//     for the KEK cards), each in one set-based request, never per row;
//   - the only keyring read over all tenants is the short list of those with
//     a retiring key (keyring.retiring_tenant_ids), for "rotation pending".
// loadKeysLive serves the page's live updates: the rows of the tenants whose
// job just finished, the KEK cards and the recent jobs, without the table.
import { choiceSchema, containsPattern, listHref, pageSchema, parseListQuery, searchSchema } from "@/lib/url/list-query";
import { z } from "zod";
import { checkActionsForEach, isPdpUnavailable, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { latestJobs, listJobs, type JobView } from "@/lib/jobs";
import { jobJson, type JobJson } from "@/lib/jobs/json";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import type { KekVersion, TenantKeyVersion } from "./keys";
import { ROTATE_DEK_KIND, ROTATE_KEK_KIND } from "./rotation";
import { activeVersionOf, groupBy, kekStatusOf, keyStatusOf, retiringTenantIds } from "./rotation-status";

export const KEY_JOB_KINDS = [ROTATE_DEK_KIND, ROTATE_KEK_KIND] as const;
export const KEYS_PAGE_SIZE = 50;
const RECENT_JOBS = 15;

// ---------------------------------------------------------------- the query

export const KEY_FILTERS = ["all", "with-credentials", "rotation-pending", "never-rotated"] as const;
export type KeyFilter = (typeof KEY_FILTERS)[number];

export const KEY_FILTER_LABELS: Record<KeyFilter, string> = {
  all: "All tenants",
  "with-credentials": "With credentials",
  "rotation-pending": "Rotation pending",
  "never-rotated": "Never rotated",
};

/** What the URL asks the Keys page for. */
export interface KeysQuery {
  /** Part of a tenant's name or slug (case-insensitive); null for every tenant. */
  q: string | null;
  filter: KeyFilter;
  /** 1-based. */
  page: number;
}

export const DEFAULT_KEYS_QUERY: KeysQuery = { q: null, filter: "all", page: 1 };

const querySchema = {
  q: searchSchema,
  filter: choiceSchema(KEY_FILTERS, (f) => KEY_FILTER_LABELS[f].toLowerCase()),
  page: pageSchema,
};

/**
 * The Keys page's URL search params. A value that does not parse is dropped
 * and reported, so a mistyped or stale link shows a clear note and the
 * unfiltered table instead of an error page.
 */
export function parseKeysQuery(params: Record<string, string | string[] | undefined>): { query: KeysQuery; problems: string[] } {
  return parseListQuery<KeysQuery>(params, querySchema, { q: "search", filter: "filter", page: "page" }, DEFAULT_KEYS_QUERY);
}

/** The URL of the Keys page for a query (defaults left out). */
export function keysHref(query: Partial<KeysQuery>): string {
  return listHref({ q: query.q, filter: query.filter, page: query.page }, DEFAULT_KEYS_QUERY);
}

// ---------------------------------------------------------------- what the browser gets

/** A job as the browser sees it (no payload, dates as ISO strings). */
// The job shape the browser gets is the job engine's (lib/jobs/json.ts).
export { jobJson, type JobJson };

export interface KeyVersionJson {
  version: number;
  status: TenantKeyVersion["status"];
  createdAt: string;
  retiredAt: string | null;
}

export interface KeysTenantRow {
  id: string;
  slug: string;
  name: string;
  kind: TenantResource["kind"];
  status: TenantResource["status"];
  /** 0 for an MSSP. */
  depth: number;
  parentId: string | null;
  /** The parent's name, for rows shown without their parent (search, filters, a page break). */
  parentName: string | null;
  active: KeyVersionJson | null;
  /** Versions that still open something (retiring), newest first. */
  retiring: KeyVersionJson[];
  destroyed: boolean;
  /** Credentials per key version, newest version first. */
  credentials: { version: number; count: number }[];
  credentialsTotal: number;
  /** The newest DEK rotation that succeeded. */
  lastRotation: JobJson | null;
  /** The newest DEK rotation of any status (shown while unfinished or just failed). */
  latestJob: JobJson | null;
  canRotate: boolean;
}

export interface KekCard {
  mssp: { id: string; slug: string; name: string };
  active: (Pick<KekVersion, "version" | "status" | "wraps"> & { createdAt: string }) | null;
  retiredCount: number;
  latestJob: JobJson | null;
  canRotate: boolean;
}

export type RecentJob = JobJson & { tenantName: string };

/** The parts of the page that change while jobs run (the live route's answer). */
export interface KeysLiveData {
  keks: KekCard[];
  tenants: KeysTenantRow[];
  recentJobs: RecentJob[];
  /** The PDP did not answer: everything read-only. */
  pdpUnavailable: boolean;
}

export interface KeysPageData extends KeysLiveData {
  /** The query as served: the page clamped to the pages there are. */
  query: KeysQuery;
  /** Tenants per filter, within the search. */
  counts: Record<KeyFilter, number>;
  /** Tenants matching the search and the filter (what the pager counts). */
  total: number;
  pageCount: number;
  pageSize: number;
  /**
   * The zone the page's times are shown in: the caller's MSSP's
   * locale.time_zone (a console page). Not part of the live data: the page
   * hands it to the components that format, which keep it while they update.
   */
  timeZone: string;
}

// ---------------------------------------------------------------- reading

interface TenantRaw {
  id: string;
  slug: string;
  name: string;
  kind: TenantResource["kind"];
  status: TenantResource["status"];
  path: string;
  parent_id: string | null;
  parent_name: string | null;
  depth: number;
}

/**
 * `scope` is for the benchmark's baseline only: the same statements run as
 * the table owner (no RLS) with the explicit tenant filter RLS otherwise
 * supplies, to measure what RLS costs. Pages and routes never pass it.
 */
export interface ReadOptions {
  scope?: readonly string[];
}

const TENANT_COLUMNS = `t.id, t.slug, t.name, t.kind, t.status, t.path::text as path, t.parent_id, p.name as parent_name,
       extensions.nlevel(t.path) - 1 as depth`;

/** The MSSP roots the caller can see (one KEK card each), for the live route. */
async function visibleRoots(tx: TenantTx): Promise<TenantRaw[]> {
  const { rows } = await tx.client.query<TenantRaw>(
    `select ${TENANT_COLUMNS}
       from public.tenants t left join public.tenants p on p.id = t.parent_id
      where t.parent_id is null
      order by t.path`,
  );
  return rows;
}

/** The tenant paths the caller's scope hangs from: the active tenant, else each membership. */
function scopePaths(tx: TenantTx): string[] {
  return tx.claims.tenant_path ? [tx.claims.tenant_path] : tx.claims.tenants.map((m) => m.path);
}

// The Keys page's head in one statement, so each table's RLS helper runs once
// (per-tenant subqueries made every probe re-read the visible-id array: 10x
// slower at 1,600 tenants, npm run bench -- --only=keys-page). Parameters:
//   $1 search pattern or null   $2 tenants with a retiring key   $3 DEK kind
//   $4 the baseline's scope     $5 filter   $6 page size   $7 requested page
// f: every visible tenant, whether it matches the search, and one flag per
// filter. "Rotation pending": a retiring key, or the newest DEK rotation is
// queued, running or failed. "Never rotated": no DEK rotation succeeded.
// Answers one row per page tenant ('page') and per visible root ('root'),
// each carrying the counts (and one row of counts alone when there is neither).
const HEAD_SQL = `
with f as materialized (
  select t.id, t.slug, t.name, t.kind, t.status, t.path, t.parent_id,
         ($1::text is null or t.name ilike $1 or t.slug ilike $1) as matches,
         c.tenant_id is not null as with_credentials,
         (t.id = any ($2::uuid[]) or coalesce(j.latest_status in ('queued', 'running', 'failed'), false)) as rotation_pending,
         not coalesce(j.ever_succeeded, false) as never_rotated
    from public.tenants t
    left join (select c.tenant_id from public.credentials c group by c.tenant_id) c on c.tenant_id = t.id
    left join (select j.tenant_id,
                      (array_agg(j.status order by j.created_at desc))[1] as latest_status,
                      bool_or(j.status = 'succeeded') as ever_succeeded
                 from public.jobs j where j.kind = $3 group by j.tenant_id) j on j.tenant_id = t.id
   where ($4::uuid[] is null or t.id = any ($4::uuid[]))
),
counts as (
  select count(*) filter (where matches)::int as n_all,
         count(*) filter (where matches and with_credentials)::int as n_with_credentials,
         count(*) filter (where matches and rotation_pending)::int as n_rotation_pending,
         count(*) filter (where matches and never_rotated)::int as n_never_rotated
    from f
),
selected as (
  select case $5::text when 'with-credentials' then n_with_credentials when 'rotation-pending' then n_rotation_pending
                       when 'never-rotated' then n_never_rotated else n_all end as n
    from counts
),
pick as (
  select 'page' as part, f.* from f
   where f.matches and case $5::text when 'with-credentials' then f.with_credentials when 'rotation-pending' then f.rotation_pending
                                     when 'never-rotated' then f.never_rotated else true end
   order by f.path
   limit $6::int
  offset (select (least($7::int, greatest(1, ceil(n / $6::numeric)::int)) - 1) * $6::int from selected)
),
shown as (
  select * from pick
  union all
  select 'root' as part, f.* from f where f.parent_id is null
)
select s.part, s.id, s.slug, s.name, s.kind, s.status, s.path::text as path, s.parent_id, p.name as parent_name,
       extensions.nlevel(s.path) - 1 as depth, c.*
  from counts c
  left join shown s on true
  left join f p on p.id = s.parent_id
 order by s.part, s.path`;


interface Counted {
  counts: Record<KeyFilter, number>;
  tenants: TenantRaw[];
  total: number;
  page: number;
  pageCount: number;
}

interface HeadRow extends TenantRaw {
  part: "page" | "root" | null;
  n_all: number;
  n_with_credentials: number;
  n_rotation_pending: number;
  n_never_rotated: number;
}

interface Head {
  roots: TenantRaw[];
  counted: Counted;
}

/** The keyring's short list of retiring keys (service role), then counts, the page and the roots in one statement. */
async function readHead(tx: TenantTx, query: KeysQuery, opts: ReadOptions): Promise<Head> {
  const retiring = await retiringTenantIds(scopePaths(tx), tx.db);
  const { rows } = await tx.client.query<HeadRow>(HEAD_SQL, [
    containsPattern(query.q),
    retiring,
    ROTATE_DEK_KIND,
    opts.scope ?? null,
    query.filter,
    KEYS_PAGE_SIZE,
    query.page,
  ]);
  const [c] = rows;
  const counts: Record<KeyFilter, number> = {
    all: c.n_all,
    "with-credentials": c.n_with_credentials,
    "rotation-pending": c.n_rotation_pending,
    "never-rotated": c.n_never_rotated,
  };
  const total = counts[query.filter];
  const pageCount = Math.max(1, Math.ceil(total / KEYS_PAGE_SIZE));
  const strip = ({ part: _p, n_all: _a, n_with_credentials: _w, n_rotation_pending: _r, n_never_rotated: _n, ...t }: HeadRow): TenantRaw => t;
  return {
    roots: rows.filter((r) => r.part === "root").map(strip),
    counted: { counts, total, pageCount, page: Math.min(query.page, pageCount), tenants: rows.filter((r) => r.part === "page").map(strip) },
  };
}

/** Tenants by id (at most a page of them), as far as RLS lets the caller see them; for the live route. */
async function tenantsById(tx: TenantTx, ids: readonly string[]): Promise<TenantRaw[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.client.query<TenantRaw>(
    `select ${TENANT_COLUMNS}
       from public.tenants t left join public.tenants p on p.id = t.parent_id
      where t.id = any ($1::uuid[])
      order by t.path`,
    [ids],
  );
  return rows;
}

interface Details {
  credentials: Map<string, { key_version: number; n: number }[]>;
  /** Newest job per `${tenantId} ${kind}`. */
  latest: Map<string, JobView>;
  /** Newest succeeded DEK rotation per tenant. */
  succeeded: Map<string, JobView>;
  recent: RecentJob[];
}

/**
 * Everything per row from the caller's transaction, for the page's tenants
 * and the roots only. One statement at a time: a transaction's client runs
 * one query at once (the keyring and the PDP overlap with these instead).
 */
async function readDetails(tx: TenantTx, ids: readonly string[], rootIds: readonly string[], opts: ReadOptions): Promise<Details> {
  const { rows: counts } =
    ids.length === 0
      ? { rows: [] }
      : await tx.client.query<{ tenant_id: string; key_version: number; n: number }>(
          `select tenant_id, key_version, count(*)::int as n from public.credentials
            where tenant_id = any ($1::uuid[]) group by 1, 2 order by 1, 2 desc`,
          [ids],
        );
  const latest = await latestJobs(tx, KEY_JOB_KINDS, undefined, [...new Set([...ids, ...rootIds])]);
  const succeeded = await latestJobs(tx, [ROTATE_DEK_KIND], ["succeeded"], ids);
  const recent = await listJobs(tx, { kinds: KEY_JOB_KINDS, limit: RECENT_JOBS, tenantIds: opts.scope });
  const recentIds = [...new Set(recent.map((j) => j.tenantId))];
  const { rows: names } =
    recentIds.length === 0
      ? { rows: [] }
      : await tx.client.query<{ id: string; name: string }>(`select id, name from public.tenants where id = any ($1::uuid[])`, [recentIds]);
  const nameOf = new Map(names.map((t) => [t.id, t.name]));
  return {
    credentials: groupBy(counts, (c) => c.tenant_id),
    latest: new Map(latest.map((j) => [`${j.tenantId} ${j.kind}`, j])),
    succeeded: new Map(succeeded.map((j) => [j.tenantId, j])),
    recent: recent.map((j) => ({ ...jobJson(j), tenantName: nameOf.get(j.tenantId) ?? "Unknown tenant" })),
  };
}

/** What the Keys page reads from the database: no PDP, no per-tenant keyring status. */
export interface KeysPageRead extends Head {
  details: Details;
}

/** The database part of loadKeysPage, on its own (the benchmark times it with and without RLS). */
export async function readKeysPage(tx: TenantTx, query: KeysQuery, opts: ReadOptions = {}): Promise<KeysPageRead> {
  const head = await readHead(tx, query, opts);
  const ids = head.counted.tenants.map((t) => t.id);
  return { ...head, details: await readDetails(tx, ids, head.roots.map((r) => r.id), opts) };
}

// ---------------------------------------------------------------- assembling

const versionJson = (v: TenantKeyVersion): KeyVersionJson => ({
  version: v.version,
  status: v.status,
  createdAt: v.createdAt.toISOString(),
  retiredAt: v.retiredAt?.toISOString() ?? null,
});

const resource = (t: TenantRaw): TenantResource => ({ id: t.id, path: t.path, kind: t.kind, status: t.status });

/** keys:rotate on the page's tenants and the roots: at most two PDP requests, side by side. */
async function rotatePermissions(tx: TenantTx, tenants: readonly TenantRaw[], roots: readonly TenantRaw[]) {
  const principal = principalFromClaims(tx.claims);
  const onPage = new Set(tenants.map((t) => t.id));
  const batches = [tenants, roots.filter((r) => !onPage.has(r.id))].filter((b) => b.length > 0);
  try {
    const answers = await Promise.all(batches.map((b) => checkActionsForEach(principal, ["keys:rotate"], b.map(resource))));
    const allowed = new Set<string>();
    for (const answer of answers) for (const [id, a] of answer) if (a["keys:rotate"]) allowed.add(id);
    return { allowed, pdpUnavailable: false };
  } catch (error) {
    if (!isPdpUnavailable(error)) throw error;
    return { allowed: new Set<string>(), pdpUnavailable: true };
  }
}

/**
 * The page's rows and cards: the details from the caller's transaction, the
 * keyring status (service role, the page's tenants and the roots only) and
 * the PDP, side by side.
 */
async function assemble(tx: TenantTx, tenants: readonly TenantRaw[], roots: readonly TenantRaw[], opts: ReadOptions = {}): Promise<KeysLiveData> {
  const ids = tenants.map((t) => t.id);
  const rootIds = roots.map((r) => r.id);
  // The PDP (HTTP) is asked while the statements run one after another on this transaction's connection
  // (the keyring's as the service role on it too: never a second pooled connection while holding one).
  const permissions = rotatePermissions(tx, tenants, roots);
  permissions.catch(() => {}); // awaited below; not an unhandled rejection while the statements run
  const d = await readDetails(tx, ids, rootIds, opts);
  const keyStatus = await keyStatusOf(ids, tx.db);
  const keks = await kekStatusOf(rootIds, tx.db);
  const pdp = await permissions;
  const latestOf = (tenantId: string, kind: string) => {
    const job = d.latest.get(`${tenantId} ${kind}`);
    return job ? jobJson(job) : null;
  };
  return {
    keks: roots.map((root) => {
      const versions = keks.get(root.id) ?? [];
      const active = versions.find((v) => v.status === "active") ?? null;
      return {
        mssp: { id: root.id, slug: root.slug, name: root.name },
        active: active ? { version: active.version, status: active.status, wraps: active.wraps, createdAt: active.createdAt.toISOString() } : null,
        retiredCount: versions.filter((v) => v.status === "retired").length,
        latestJob: latestOf(root.id, ROTATE_KEK_KIND),
        canRotate: pdp.allowed.has(root.id),
      };
    }),
    tenants: tenants.map((t) => {
      const versions = keyStatus.get(t.id) ?? [];
      const credentials = (d.credentials.get(t.id) ?? []).map((c) => ({ version: c.key_version, count: c.n }));
      const active = activeVersionOf(versions);
      const destroyed = versions.some((v) => v.status === "destroyed");
      const succeeded = d.succeeded.get(t.id);
      return {
        id: t.id,
        slug: t.slug,
        name: t.name,
        kind: t.kind,
        status: t.status,
        depth: t.depth,
        parentId: t.parent_id,
        parentName: t.parent_name,
        active: active ? versionJson(active) : null,
        retiring: versions.filter((v) => v.status === "retiring").map(versionJson),
        destroyed,
        credentials,
        credentialsTotal: credentials.reduce((n, c) => n + c.count, 0),
        lastRotation: succeeded ? jobJson(succeeded) : null,
        latestJob: latestOf(t.id, ROTATE_DEK_KIND),
        canRotate: pdp.allowed.has(t.id) && !destroyed,
      };
    }),
    recentJobs: d.recent,
    pdpUnavailable: pdp.pdpUnavailable,
  };
}

/** The Keys page: KEK cards, one page of the tenant table with its counts, recent jobs. */
export async function loadKeysPage(tx: TenantTx, query: KeysQuery = DEFAULT_KEYS_QUERY): Promise<KeysPageData> {
  const { roots, counted } = await readHead(tx, query, {});
  const live = await assemble(tx, counted.tenants, roots);
  return {
    ...live,
    query: { ...query, page: counted.page },
    counts: counted.counts,
    total: counted.total,
    pageCount: counted.pageCount,
    pageSize: KEYS_PAGE_SIZE,
    timeZone: await viewerTimeZone(tx, null),
  };
}

/** At most a page of tenant ids, for the live route. */
export const liveIdsSchema = z.array(z.string().uuid()).max(KEYS_PAGE_SIZE);

/**
 * The live parts of the page: the rows of `tenantIds` (those RLS lets the
 * caller see; at most a page), the KEK cards and the recent jobs.
 */
export async function loadKeysLive(tx: TenantTx, tenantIds: readonly string[]): Promise<KeysLiveData> {
  const ids = liveIdsSchema.parse([...new Set(tenantIds)]);
  const roots = await visibleRoots(tx);
  const tenants = await tenantsById(tx, ids);
  return assemble(tx, tenants, roots);
}
