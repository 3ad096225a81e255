// The alert list: paged; filtered by full-text search, severity, status,
// assignee, a detection date range and (within the caller's scope) tenant;
// sorted by time, severity or last change. RLS bounds what exists; the
// filters only narrow it. The URL is the state (lib/url/list-query.ts).
import { and, asc, Column, count, desc, eq, gte, inArray, is, isNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { ALERT_STATUSES, alerts, OPEN_ALERT_STATUSES, tenants, users, type AlertStatus, type Severity } from "@/drizzle/schema";
import type { Db } from "@/lib/db/with-tenant";
import { choiceSchema, dayRange, daySchema, listHref, pageSchema, parseListQuery, searchSchema } from "@/lib/url/list-query";
import { STATUS_LABELS } from "./labels";
import { ALERT_SEVERITIES } from "./severity";
import { alertsByTenant } from "./list-by-tenant";
import { tenantFilterSchema } from "@/lib/tenancy/tenant-filter";
import { rollupCount } from "./list-count";
import { UNKNOWN_PERSON } from "@/lib/people/standing";
import { unseenPeopleLabels } from "./people";

export const ALERT_PAGE_SIZE = 25;

export const ALERT_SORTS = ["newest", "oldest", "severity", "updated"] as const;
export type AlertSort = (typeof ALERT_SORTS)[number];
export const SORT_LABELS: Record<AlertSort, string> = {
  newest: "Newest first",
  oldest: "Oldest first",
  severity: "Most severe first",
  updated: "Recently changed",
};

export const STATUS_FILTERS = ["open", ...ALERT_STATUSES] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** "me", "none" (unassigned) or a user id. */
export type AssigneeFilter = "me" | "none" | (string & {});
/** "mine" (a group I am in), "none" (no group) or a group id (lib/groups). */
export type GroupFilter = "mine" | "none" | (string & {});

export interface AlertFilters {
  q?: string;
  severity?: Severity;
  status?: StatusFilter;
  tenant?: string;
  assignee?: AssigneeFilter;
  group?: GroupFilter;
  /** Detected on or after this day (YYYY-MM-DD, UTC). */
  from?: string;
  /** Detected on or before this day (YYYY-MM-DD, UTC). */
  to?: string;
  sort?: AlertSort;
  page: number;
}

export const ALERT_FILTER_DEFAULTS: AlertFilters = { page: 1, sort: "newest" };

const assigneeSchema = z.union([z.enum(["me", "none"]), z.string().uuid()], { error: () => "choose me, unassigned or a person from the list" });

const groupSchema = z.union([z.enum(["mine", "none"]), z.string().uuid()], { error: () => "choose my groups, no group or a group from the list" });

const SCHEMAS = {
  q: searchSchema,
  severity: choiceSchema(ALERT_SEVERITIES, (s) => s),
  status: choiceSchema(STATUS_FILTERS, (s) => (s === "open" ? "open" : STATUS_LABELS[s].toLowerCase())),
  tenant: tenantFilterSchema,
  assignee: assigneeSchema,
  group: groupSchema,
  from: daySchema,
  to: daySchema,
  sort: choiceSchema(ALERT_SORTS, (s) => SORT_LABELS[s].toLowerCase()),
  page: pageSchema,
};
const NAMES = { q: "search", severity: "severity", status: "status", tenant: "tenant", assignee: "assignee", group: "group", from: "start date", to: "end date", sort: "sort order", page: "page" };

/**
 * Reads filters from URL search params. A value that does not parse is
 * dropped and reported, so a mistyped link shows a clear note and the rest of
 * the list instead of an error page.
 */
export function parseAlertFilters(params: Record<string, string | string[] | undefined>): { filters: AlertFilters; problems: string[] } {
  const { query, problems } = parseListQuery<AlertFilters>(params, SCHEMAS as never, NAMES, { ...ALERT_FILTER_DEFAULTS });
  if (query.q === "") delete query.q;
  if (query.from && query.to && query.from > query.to) {
    problems.push(`Ignored the dates: the range ends (${query.to}) before it starts (${query.from}).`);
    delete query.from;
    delete query.to;
  }
  return { filters: query, problems };
}

/** The list's URL with some filters changed (page back to 1 unless given). */
export function alertListHref(filters: AlertFilters, change: Partial<AlertFilters> = {}): string {
  const next = { ...filters, page: 1, ...change };
  return listHref(
    { q: next.q, severity: next.severity, status: next.status, tenant: next.tenant, assignee: next.assignee, group: next.group, from: next.from, to: next.to, sort: next.sort, page: next.page },
    ALERT_FILTER_DEFAULTS,
  );
}

export function isFiltered(f: AlertFilters): boolean {
  return Boolean(f.q || f.severity || f.status || f.tenant || f.assignee || f.group || f.from || f.to);
}

export interface AlertRow {
  id: string;
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  source: string;
  hostname: string | null;
  assignedTo: string | null;
  assigneeName: string | null;
  assignedGroupId: string | null;
  groupName: string | null;
  detectedAt: Date;
  createdAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  /** Each SLA clock's verdict, stored when it stopped (null while it runs, or stopped before they were kept). */
  ackBreached: boolean | null;
  resolveBreached: boolean | null;
}

/** The alert list counts matches up to this many; past it, "10,000+" and narrower filters for older pages. */
export const ALERT_COUNT_CAP = 10_000;
/**
 * A full-text search counts up to this many: a search matching more is a broad one ("1,000+",
 * 40 pages), and each match counted is an alert read (at 2M alerts over 1,600 tenants, counting a
 * common word's matches to 10,000 took 120-400 ms, to 1,000 a tenth of that).
 */
export const ALERT_SEARCH_COUNT_CAP = 1_000;

/** How far the list counts for these filters. */
export const countCapFor = (filters: Pick<AlertFilters, "q">) => (filters.q ? ALERT_SEARCH_COUNT_CAP : ALERT_COUNT_CAP);

export interface AlertPage {
  rows: AlertRow[];
  /** Matching alerts, counted up to ALERT_COUNT_CAP (ALERT_SEARCH_COUNT_CAP for a search). */
  total: number;
  /** More than `total` match (the count stopped at the cap). */
  totalIsLowerBound: boolean;
  page: number;
  pageCount: number;
}

export interface ListOptions {
  /** The caller's user id, for assignee=me. */
  me?: string;
  /** Tenants whose alerts the PDP does not let the caller read (lib/alerts/access.ts). */
  hiddenTenantIds?: readonly string[];
  /**
   * The visible tenants whose alerts the PDP lets the caller read (the complement of
   * hiddenTenantIds within the visible set). When given, the list filters by these
   * instead of leaving the hidden ones out: the same rows (RLS bounds them either
   * way), but the planner then knows how many rows the tenant filter keeps (it cannot
   * size the policy's id list). An MSSP operator's first page is then read in time
   * order (index alerts_detected, ~25 rows) instead of every visible alert sorted, and
   * a customer's stays on its tenants' index instead of walking the time index.
   */
  readableTenantIds?: readonly string[];
  /**
   * readableTenantIds is every tenant RLS shows the caller (the PDP hid none). For a few
   * tenants the statements then leave the tenants to the policy instead of naming them again:
   * the policy's id list already bounds the rows, and a second list on the same column cost
   * a customer admin's count 50-60 us more (a third of it), where the planner sizes the
   * policy's list well enough (it assumes about ten ids). Past POLICY_ALONE_MAX_TENANTS they
   * are still named, for the planner (above).
   */
  readableIsEveryVisible?: boolean;
  /** The visible tenants' slugs and names when the caller already read them (the page's alertAccess): no second tenants query. */
  tenantNames?: ReadonlyMap<string, { slug: string; name: string }>;
  /**
   * An explicit tenant filter, for `npm run bench` only: the same query as
   * the owner without RLS (its baseline). Pages never pass it (RLS scopes them).
   */
  scope?: readonly string[];
  /** The zone the day filter's days are in: the page's (the rows' times are shown on its clock). Default UTC. */
  timeZone?: string;
}

const SEVERITY_RANK = sql`case ${alerts.severity} when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`;

function orderFor(sort: AlertSort | undefined): SQL[] {
  switch (sort) {
    case "oldest":
      return [asc(alerts.detectedAt), asc(alerts.id)];
    case "severity":
      return [asc(SEVERITY_RANK), desc(alerts.detectedAt), desc(alerts.id)];
    case "updated":
      return [desc(alerts.updatedAt), desc(alerts.id)];
    default:
      return [desc(alerts.detectedAt), desc(alerts.id)];
  }
}

/**
 * The page is taken from alerts alone and only its rows are joined to their
 * tenants: joining first made the planner (which cannot size the RLS id list)
 * rescan the alerts index once per tenant for an MSSP operator (npm run bench).
 */
export async function listAlerts(db: Db, filters: AlertFilters, pageSize = ALERT_PAGE_SIZE, opts: ListOptions = {}): Promise<AlertPage> {
  const where: SQL[] = [];
  if (filters.q) where.push(sql`${sql.raw('"alerts"."search"')} @@ websearch_to_tsquery('english', ${filters.q})`);
  if (filters.severity) where.push(eq(alerts.severity, filters.severity));
  if (filters.status === "open") where.push(inArray(alerts.status, [...OPEN_ALERT_STATUSES]));
  else if (filters.status) where.push(eq(alerts.status, filters.status));
  if (filters.assignee === "none") where.push(isNull(alerts.assignedTo));
  else if (filters.assignee === "me") where.push(eq(alerts.assignedTo, opts.me ?? "00000000-0000-0000-0000-000000000000"));
  else if (filters.assignee) where.push(eq(alerts.assignedTo, filters.assignee));
  // Groups (lib/groups): RLS lets each person read the memberships they hold, the MSSP's groups included.
  if (filters.group === "none") where.push(sql`"alerts"."assigned_group_id" is null`);
  else if (filters.group === "mine") {
    where.push(sql`("alerts"."assigned_group_tenant_id", "alerts"."assigned_group_id") in
      (select m.tenant_id, m.group_id from public.assignee_group_members m where m.user_id = ${opts.me ?? "00000000-0000-0000-0000-000000000000"}::uuid)`);
  } else if (filters.group) where.push(sql`"alerts"."assigned_group_id" = ${filters.group}::uuid`);
  const range = dayRange(filters.from, filters.to, opts.timeZone);
  if (range.from) where.push(gte(alerts.detectedAt, range.from));
  if (range.before) where.push(lt(alerts.detectedAt, range.before));
  // Which tenants' rows, apart from the rest: a read tenant by tenant names them itself.
  const rowCondition = where.length ? and(...where) : undefined;
  if (opts.scope) where.push(sql`${alerts.tenantId} = any(${sql.param([...opts.scope])}::uuid[])`);
  const tenantsLeftToPolicy = policyAlone(opts);
  if (opts.readableTenantIds) {
    if (!tenantsLeftToPolicy) where.push(sql`${alerts.tenantId} = any(${sql.param([...opts.readableTenantIds])}::uuid[])`);
  } else if (opts.hiddenTenantIds?.length) where.push(sql`${alerts.tenantId} <> all(${sql.param([...opts.hiddenTenantIds])}::uuid[])`);
  let tenantFilter: string | null = null;
  if (filters.tenant) {
    // A filter, not a scope: RLS already bounds which tenants exist here.
    const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, filters.tenant));
    if (!tenant) return { rows: [], total: 0, totalIsLowerBound: false, page: 1, pageCount: 1 };
    where.push(eq(alerts.tenantId, tenant.id));
    tenantFilter = tenant.id;
  }
  const condition = where.length ? and(...where) : undefined;

  const { pageRows, total, totalIsLowerBound, page, pageCount } = searchByIndex(filters, opts)
    ? await searchThroughIndex(db, filters, pageSize, opts, tenantFilter)
    : await listThroughPolicy(db, filters, pageSize, { condition, rowCondition }, countedTenants(opts, tenantFilter), tenantsLeftToPolicy && !tenantFilter, opts.timeZone);
  const tenantIds = [...new Set(pageRows.map((r) => r.tenantId))];
  const known = opts.tenantNames;
  const missing = known ? tenantIds.filter((id) => !known.has(id)) : tenantIds;
  const names = missing.length
    ? await db.select({ id: tenants.id, slug: tenants.slug, name: tenants.name }).from(tenants).where(inArray(tenants.id, missing))
    : [];
  const byId = new Map<string, { slug: string; name: string }>([...(known ?? []), ...names.map((t) => [t.id, t] as const)]);
  const userIds = [...new Set(pageRows.flatMap((r) => (r.assignedTo ? [r.assignedTo] : [])))];
  // Under RLS someone outside the caller's tenants has no visible name: labelled by what they are at the alert's tenant (lib/alerts/people.ts).
  const people = userIds.length ? await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, userIds)) : [];
  const nameOf = new Map(people.map((p) => [p.id, p.name || p.email]));
  const unseen = await unseenPeopleLabels(db.$client, pageRows.filter((r) => r.assignedTo && !nameOf.has(r.assignedTo)).map((r) => ({ tenantId: r.tenantId, id: r.id })));
  const groupNames = await groupNamesOf(db, pageRows);
  const rows = pageRows.map(({ assignedGroupTenantId: _t, ...r }) => ({
    ...r,
    tenantSlug: byId.get(r.tenantId)?.slug ?? "",
    tenantName: byId.get(r.tenantId)?.name ?? "",
    assigneeName: r.assignedTo ? (nameOf.get(r.assignedTo) ?? unseen.get(`${r.tenantId}:${r.assignedTo}`) ?? UNKNOWN_PERSON) : null,
    groupName: r.assignedGroupId ? (groupNames.get(r.assignedGroupId) ?? "a group") : null,
  }));
  return { rows, total, totalIsLowerBound, page, pageCount };
}

const PAGE_COLUMNS = {
  id: alerts.id,
  tenantId: alerts.tenantId,
  title: alerts.title,
  severity: alerts.severity,
  status: alerts.status,
  source: alerts.source,
  hostname: alerts.hostname,
  assignedTo: alerts.assignedTo,
  assignedGroupTenantId: sql<string | null>`"alerts"."assigned_group_tenant_id"`,
  assignedGroupId: sql<string | null>`"alerts"."assigned_group_id"`,
  detectedAt: alerts.detectedAt,
  createdAt: alerts.createdAt,
  acknowledgedAt: alerts.acknowledgedAt,
  resolvedAt: alerts.resolvedAt,
  ackBreached: alerts.ackBreached,
  resolveBreached: alerts.resolveBreached,
};

/**
 * The same columns on lib/alerts/list-by-tenant.ts's source, which is named "alerts" but is not the
 * table (drizzle checks a column's table): each column's name in SQL. The source selects them from
 * the table; the page reads them from the source, decoded as the columns.
 */
const onAlertsSource = (column: (typeof PAGE_COLUMNS)[keyof typeof PAGE_COLUMNS]): SQL => (is(column, Column) ? sql`"alerts".${sql.identifier(column.name)}` : column);
const BY_TENANT_SOURCE_COLUMNS = sql.join(Object.values(PAGE_COLUMNS).map(onAlertsSource), sql`, `);
const PAGE_COLUMNS_BY_TENANT = Object.fromEntries(
  Object.entries(PAGE_COLUMNS).map(([key, column]) => [key, is(column, Column) ? onAlertsSource(column).mapWith(column) : column]),
) as unknown as typeof PAGE_COLUMNS;

/** A page's rows, ordered as the list sorts; the callers add the filter, limit and offset. */
const pageRowsWhere = (db: Db, where: SQL | undefined, sort: AlertSort | undefined) =>
  db.select(PAGE_COLUMNS).from(alerts).where(where).orderBy(...orderFor(sort));

type Paged = { pageRows: Awaited<ReturnType<typeof pageRowsWhere>>; total: number; totalIsLowerBound: boolean; page: number; pageCount: number };

function paging(counted: number, requested: number, pageSize: number, cap: number) {
  const totalIsLowerBound = counted > cap;
  const total = Math.min(counted, cap);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  return { total, totalIsLowerBound, pageCount, page: Math.min(requested, pageCount) };
}

/**
 * The tenants the list's rows can come from when the caller named them (the
 * PDP-readable ones, the bench's owner scope, the tenant filter within them),
 * for a count from the rollups and a read tenant by tenant: exactly the tenants
 * the list's tenant conditions let through (RLS aside); undefined when only RLS
 * bounds them.
 */
function countedTenants(opts: ListOptions, tenantFilter: string | null): string[] | undefined {
  let ids = opts.readableTenantIds ? [...opts.readableTenantIds] : undefined;
  if (opts.scope) ids = ids ? ids.filter((id) => opts.scope!.includes(id)) : [...opts.scope];
  // Hidden tenants only matter when no readable list was given (listAlerts then filters them out).
  if (ids && !opts.readableTenantIds && opts.hiddenTenantIds?.length) ids = ids.filter((id) => !opts.hiddenTenantIds!.includes(id));
  if (ids && tenantFilter) ids = ids.includes(tenantFilter) ? [tenantFilter] : [];
  return ids;
}

/** Up to this many readable tenants, all of them visible, the list's statements leave the tenants to the policy (ListOptions). */
export const POLICY_ALONE_MAX_TENANTS = 32;

/** Whether the policy alone bounds the list's tenants: every visible tenant readable, few of them, no bench scope. */
const policyAlone = (opts: ListOptions) =>
  Boolean(opts.readableIsEveryVisible && opts.readableTenantIds && opts.readableTenantIds.length <= POLICY_ALONE_MAX_TENANTS && !opts.scope);

/** The list's whole filter, and the same without the filters on which tenants' rows. */
interface ListConditions {
  condition: SQL | undefined;
  rowCondition: SQL | undefined;
}

/**
 * The list's count (capped) and page through RLS: the policy decides which
 * alerts exist. One statement: the count rides along with the requested page's
 * rows (one round trip fewer on every list page); a page past the end, or
 * past the count's cap, is read again as the last page offered. `tenantIds`:
 * the tenants the rows can come from, when known: the count then comes from the
 * rollups (lib/alerts/list-count.ts) and the page is read tenant by tenant
 * (lib/alerts/list-by-tenant.ts) where they apply. `everyVisible`: they are every
 * tenant the policy shows, so the rollups' sum need not name them.
 */
async function listThroughPolicy(
  db: Db,
  filters: AlertFilters,
  pageSize: number,
  where: ListConditions,
  tenantIds: string[] | undefined,
  everyVisible: boolean,
  timeZone: string | undefined,
): Promise<Paged> {
  const { condition } = where;
  const fromRollups = rollupCount(filters, tenantIds, everyVisible, timeZone);
  // Tenant by tenant, each tenant's rows need only the row filters: `tenantIds` already is the
  // tenant filters' answer. Repeated inside, the tenant list made Postgres expect about one row per
  // tenant and read all of each tenant's alerts to sort them (607 each for a customer at 200k
  // alerts, 2.5 ms) instead of the first rows of its time index (0.5 ms).
  const byTenant = alertsByTenant(filters, tenantIds, filters.page * pageSize, where.rowCondition, BY_TENANT_SOURCE_COLUMNS);
  // Counted up to a cap: past it the page says "10,000+", so a list over a
  // million alerts costs a bounded index walk, not a count of every row.
  const cap = countCapFor(filters);
  const capped = db.select({ one: sql<number>`1`.as("one") }).from(alerts).where(condition).limit(cap + 1).as("capped");
  const countOf: SQL = fromRollups ?? sql`(${db.select({ counted: count() }).from(capped)})`;
  const counter = { counted: sql<number>`${countOf}`.mapWith(Number) };
  const withCount = await (byTenant
    ? db.select({ ...PAGE_COLUMNS_BY_TENANT, ...counter }).from(byTenant)
    : db.select({ ...PAGE_COLUMNS, ...counter }).from(alerts).where(condition))
    .orderBy(...orderFor(filters.sort))
    .limit(pageSize)
    .offset((filters.page - 1) * pageSize);
  const counted = withCount.length > 0 ? withCount[0].counted : Number((await db.execute<{ counted: number }>(sql`select ${countOf} as counted`)).rows[0].counted);
  const p = paging(counted, filters.page, pageSize, cap);
  // The page asked for is past the end, or past the counted cap ("10,000+" offers 400 pages): the last page offered.
  if (p.page !== filters.page) return { pageRows: await pageRowsWhere(db, condition, filters.sort).limit(pageSize).offset((p.page - 1) * pageSize), ...p };
  return { pageRows: withCount.map(({ counted: _c, ...row }) => row), ...p };
}

/**
 * A full-text search goes through search.alert_page (migration 20261201026100): through RLS
 * Postgres cannot use the search index (the match is not leakproof), so a search over many tenants
 * read every alert they hold. Not for the bench's owner baseline (`scope`), nor when only a hidden
 * list is known (the function takes the tenants to search, not the ones to leave out).
 */
function searchByIndex(filters: AlertFilters, opts: ListOptions): boolean {
  return Boolean(filters.q) && !opts.scope && (opts.readableTenantIds !== undefined || !opts.hiddenTenantIds?.length);
}

async function searchThroughIndex(db: Db, filters: AlertFilters, pageSize: number, opts: ListOptions, tenantFilter: string | null): Promise<Paged> {
  const readable = opts.readableTenantIds ? [...opts.readableTenantIds] : null;
  // The tenants searched: the tenant filter within the readable ones, else the readable ones (null: every visible tenant).
  const searched = tenantFilter ? (readable && !readable.includes(tenantFilter) ? [] : [tenantFilter]) : readable;
  const range = dayRange(filters.from, filters.to, opts.timeZone);
  const statuses = filters.status === "open" ? [...OPEN_ALERT_STATUSES] : filters.status ? [filters.status] : null;
  const assignee = filters.assignee === "none" ? null : filters.assignee === "me" ? (opts.me ?? "00000000-0000-0000-0000-000000000000") : (filters.assignee ?? null);
  const group = filters.group && filters.group !== "none" && filters.group !== "mine" ? filters.group : null;
  const { rows: [found] } = await db.$client.query<{ matched: number; page: number; tenant_ids: string[]; ids: string[] }>(
    `select matched, page, tenant_ids, ids
       from search.alert_page($1, $2::uuid[], $3, $4::text[], $5::uuid, $6, $7::uuid, $8, $9, $10::timestamptz, $11::timestamptz, $12, $13, $14, $15)`,
    [filters.q, searched, filters.severity ?? null, statuses, assignee, filters.assignee === "none", group,
      filters.group === "none", filters.group === "mine", range.from ?? null, range.before ?? null,
      filters.sort ?? "newest", filters.page, pageSize, ALERT_SEARCH_COUNT_CAP],
  );
  const p = paging(found.matched, filters.page, pageSize, ALERT_SEARCH_COUNT_CAP);
  // The page's rows through RLS, in the list's order (the function returns only their ids).
  const pageRows = found.ids.length
    ? await pageRowsWhere(db, and(inArray(alerts.tenantId, [...new Set(found.tenant_ids)]), inArray(alerts.id, found.ids)), filters.sort)
    : [];
  return { pageRows, ...p, page: found.page };
}

/**
 * Names of the page's groups: those RLS shows (the caller's tenants and
 * below), then, for a group of a tenant above (the MSSP's, seen by a
 * customer), through workflows.groups_for of the alert's tenant.
 */
async function groupNamesOf(db: Db, rows: { tenantId: string; assignedGroupTenantId: string | null; assignedGroupId: string | null }[]): Promise<Map<string, string>> {
  const wanted = rows.filter((r) => r.assignedGroupId);
  const names = new Map<string, string>();
  if (wanted.length === 0) return names;
  const visible = await db.execute<{ id: string; name: string }>(
    sql`select id, name from public.assignee_groups where id = any(${sql.param([...new Set(wanted.map((r) => r.assignedGroupId!))])}::uuid[])`,
  );
  for (const g of visible.rows) names.set(g.id, g.name);
  const above = [...new Set(wanted.filter((r) => !names.has(r.assignedGroupId!)).map((r) => r.tenantId))];
  for (const tenantId of above) {
    const inherited = await db.execute<{ id: string; name: string }>(sql`select id, name from workflows.groups_for(${tenantId}::uuid)`);
    for (const g of inherited.rows) if (!names.has(g.id)) names.set(g.id, g.name);
  }
  return names;
}
