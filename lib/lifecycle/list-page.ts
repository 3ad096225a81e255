// The console's Customers page: every tenant below the caller's MSSP(s) with
// its lifecycle state, newest workflow and the actions the PDP allows on it.
// Server-side search, status filter and paging (an MSSP may run 1,600), PDP
// checks only for the page's rows. Everything under RLS (withTenant).
//
// Where "New customer or site" can put a tenant: up to TENANT_SELECT_UP_TO
// active tenants, a list of them all; past it, only the MSSPs the caller
// belongs to (a new customer's parent), and a site's parent is typed as a name
// or address and resolved by the action (lib/lifecycle/parent-choice.ts), or
// started from that customer's own page ("Add site"). The page sent every
// one of 1,600 parents to the form before: ~400 KB of inline RSC payload.
import { checkActionsForEach, isPdpUnavailable, principalFromClaims } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { jobJson, type JobJson } from "@/lib/jobs/json";
import type { JobView } from "@/lib/jobs/types";
import { jobView, type JobRowRaw } from "@/lib/jobs/queue";
import { servingDomainCounts } from "@/lib/domains/counts";
import { TENANT_SELECT_UP_TO } from "@/lib/tenancy/tenant-filter";
import { choiceSchema, containsPattern, listHref, pageSchema, parseListQuery, searchSchema } from "@/lib/url/list-query";
import { OFFBOARD_KIND } from "./offboard";
import type { Plan } from "./plans";
import { PROVISION_KIND } from "./provision";
import { TENANT_STATUS_LABELS, TENANT_STATUSES, type TenantStatus } from "./states";
import { statusReasonWords } from "./status-note";

export const LIFECYCLE_ACTIONS = ["tenants:provision", "tenants:suspend", "tenants:deprovision", "tenants:move", "tenants:export"] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];
export type LifecyclePermissions = Record<LifecycleAction, boolean>;
export const NO_LIFECYCLE_PERMISSIONS: LifecyclePermissions = Object.fromEntries(LIFECYCLE_ACTIONS.map((a) => [a, false])) as LifecyclePermissions;

export const CUSTOMERS_PAGE_SIZE = 50;
export const STATUS_FILTERS = ["all", ...TENANT_STATUSES] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const STATUS_FILTER_LABELS: Record<StatusFilter, string> = { all: "All", ...TENANT_STATUS_LABELS };

export interface CustomersQuery {
  q: string | null;
  status: StatusFilter;
  page: number;
}
export const DEFAULT_CUSTOMERS_QUERY: CustomersQuery = { q: null, status: "all", page: 1 };

export function parseCustomersQuery(params: Record<string, string | string[] | undefined>) {
  return parseListQuery<CustomersQuery>(
    params,
    { q: searchSchema, status: choiceSchema(STATUS_FILTERS, (s) => STATUS_FILTER_LABELS[s]), page: pageSchema },
    { q: "search", status: "status filter", page: "page" },
    DEFAULT_CUSTOMERS_QUERY,
  );
}

export function customersHref(query: Partial<CustomersQuery>): string {
  return listHref({ ...DEFAULT_CUSTOMERS_QUERY, ...query }, DEFAULT_CUSTOMERS_QUERY);
}

export interface LifecycleRow {
  id: string;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  status: TenantStatus;
  plan: Plan;
  depth: number;
  parentId: string | null;
  parentName: string | null;
  msspSlug: string;
  members: number;
  /** Why it is not active, in words (statusReasonWords), not the stored reason; null where the badge says it all. */
  statusReason: string | null;
  deprovisionAfter: string | null;
  /** The newest provisioning or offboarding workflow. */
  workflow: JobJson | null;
  can: LifecyclePermissions;
  /** Custom domains it serves on (verified or in grace; 0 where the caller may not read them). */
  customDomains: number;
}

export interface ParentOption {
  id: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  msspSlug: string;
  depth: number;
}

export interface CustomersPage {
  rows: LifecycleRow[];
  total: number;
  /** The page shown (the last one when the one asked for is past the end). */
  page: number;
  counts: Record<StatusFilter, number>;
  /**
   * Where new customers and sites can go, and where tenants can move to: every active tenant the caller
   * sees up to TENANT_SELECT_UP_TO of them; past it only the MSSPs at the top (see parentCount).
   */
  parents: (ParentOption & { canProvision: boolean; canMoveInto: boolean })[];
  /** How many active tenants the caller sees: past TENANT_SELECT_UP_TO a new site's parent is typed, not listed. */
  parentCount: number;
  pdpUnavailable: boolean;
}

interface RowRaw {
  id: string;
  slug: string;
  name: string;
  kind: LifecycleRow["kind"];
  status: TenantStatus;
  plan: Plan;
  depth: number;
  parent_id: string | null;
  parent_name: string | null;
  mssp_slug: string;
  path: string;
  members: number;
  status_reason: string | null;
  deprovision_after: Date | null;
}

export async function loadCustomersPage(tx: TenantTx, query: CustomersQuery): Promise<CustomersPage> {
  const c = tx.client;
  const pattern = containsPattern(query.q);
  const base = `from public.tenants t
      join public.tenants r on r.parent_id is null and t.path operator(extensions.<@) r.path
      left join public.tenants p on p.id = t.parent_id
     where t.kind <> 'mssp' and ($1::text is null or t.name ilike $1 or t.slug ilike $1)`;
  const counts = await c.query<{ status: TenantStatus; n: number }>(`select t.status, count(*)::int as n ${base} group by t.status`, [pattern]);
  const countMap = Object.fromEntries(STATUS_FILTERS.map((s) => [s, 0])) as Record<StatusFilter, number>;
  for (const r of counts.rows) {
    countMap[r.status] = r.n;
    countMap.all += r.n;
  }
  const status = query.status === "all" ? null : query.status;
  const total = query.status === "all" ? countMap.all : countMap[query.status];
  // Past the last page: the last page, as the alert list and the audit trail do (the page says so).
  const page = Math.min(query.page, Math.max(1, Math.ceil(total / CUSTOMERS_PAGE_SIZE)));
  const { rows } = await c.query<RowRaw>(
    `select t.id, t.slug, t.name, t.kind, t.status, t.plan, extensions.nlevel(t.path) as depth, t.parent_id, p.name as parent_name,
            r.slug as mssp_slug, t.path::text as path, t.status_reason, t.deprovision_after,
            (select count(*)::int from public.memberships m where m.tenant_id = t.id) as members
       ${base} and ($2::text is null or t.status = $2)
      order by t.path
      limit $3 offset $4`,
    [pattern, status, CUSTOMERS_PAGE_SIZE, (page - 1) * CUSTOMERS_PAGE_SIZE],
  );
  const ids = rows.map((r) => r.id);
  const jobs = ids.length
    ? await c.query<JobRowRaw>(
        `select distinct on (tenant_id) * from public.jobs where tenant_id = any($1::uuid[]) and kind = any($2::text[])
          order by tenant_id, created_at desc`,
        [ids, [PROVISION_KIND, OFFBOARD_KIND]],
      )
    : { rows: [] };
  const jobByTenant = new Map<string, JobView>(jobs.rows.map((j) => [j.tenant_id, jobView(j)]));
  const domainCounts = await servingDomainCounts(tx, ids);

  const parentCount = (await c.query<{ n: number }>("select count(*)::int as n from public.tenants where status = 'active'")).rows[0].n;
  // Past the threshold only the MSSPs (a new customer's parent); a site's parent is typed (see the header).
  const parentRows = await c.query<ParentOption & { path: string; status: TenantStatus }>(
    `select t.id, t.name, t.kind, r.slug as "msspSlug", extensions.nlevel(t.path) as depth, t.path::text as path, t.status
       from public.tenants t join public.tenants r on r.parent_id is null and t.path operator(extensions.<@) r.path
      where t.status = 'active' and ($1 or t.kind = 'mssp') order by t.path limit $2`,
    [parentCount <= TENANT_SELECT_UP_TO, TENANT_SELECT_UP_TO],
  );

  let pdpUnavailable = false;
  let allowed = new Map<string, LifecyclePermissions>();
  const principal = principalFromClaims(tx.claims);
  const resources = [...rows, ...parentRows.rows].map((r) => ({ id: r.id, path: r.path, kind: r.kind, status: r.status }));
  try {
    allowed = await checkActionsForEach(principal, LIFECYCLE_ACTIONS, resources);
  } catch (error) {
    if (!isPdpUnavailable(error)) throw error;
    pdpUnavailable = true;
  }
  return {
    rows: rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      kind: r.kind,
      status: r.status,
      plan: r.plan,
      depth: r.depth,
      parentId: r.parent_id,
      parentName: r.parent_name,
      msspSlug: r.mssp_slug,
      members: r.members,
      statusReason: statusReasonWords(r.status, r.status_reason),
      deprovisionAfter: r.deprovision_after ? new Date(r.deprovision_after).toISOString() : null,
      workflow: jobByTenant.has(r.id) ? jobJson(jobByTenant.get(r.id)!) : null,
      can: allowed.get(r.id) ?? NO_LIFECYCLE_PERMISSIONS,
      customDomains: domainCounts.get(r.id) ?? 0,
    })),
    total,
    page,
    counts: countMap,
    parents: parentRows.rows.map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      msspSlug: p.msspSlug,
      depth: p.depth,
      canProvision: allowed.get(p.id)?.["tenants:provision"] ?? false,
      canMoveInto: allowed.get(p.id)?.["tenants:move"] ?? false,
    })),
    parentCount,
    pdpUnavailable,
  };
}
