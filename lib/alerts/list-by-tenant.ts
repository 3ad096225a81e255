// A page of the alert list in time order, read tenant by tenant.
//
// Why: the list asks for the newest (or oldest) 25 of a few tenants' alerts.
// Postgres has two plans for that and both grow with the table: walk the time
// index of every alert (alerts_detected) and skip other tenants' rows, about
// 25 / (the tenants' share of all alerts) rows, so a customer holding 0.1% of
// 2M alerts reads some 25,000; or read all of the tenants' alerts and sort
// them. Read tenant by tenant instead, each tenant's first `depth` rows from
// its own time index (alerts_tenant_detected) and the page taken from their
// union: at most depth × tenants rows, whatever the table's size. The global
// first `depth` rows are among them (each is within its own tenant's first
// `depth`), so the page is the same.
//
// Only for the few tenants of a customer's host (the console's wide scopes
// keep the single walk, which is short there), for time order (the other
// sorts have no per-tenant index) and for the first pages.
import { sql, type SQL } from "drizzle-orm";
import type { AlertFilters } from "./list";
import { ROLLUP_COUNT_MAX_TENANTS } from "./list-count";

/** Past this many rows per tenant (page × page size), the single walk is used. */
export const BY_TENANT_DEPTH_UP_TO = 1_000;

/**
 * A FROM source named "alerts" that yields `columns` (the page's, and no more:
 * the rows go through a sort) of each of `tenantIds`' first `depth` alerts
 * matching `condition` in the list's time order; null when the single walk
 * applies. RLS applies inside as anywhere: a tenant named here that the caller
 * cannot see yields nothing. `tenantIds` are the whole answer to which tenants:
 * `condition` holds only the row filters (severity, status, days…), so that
 * inside each tenant Postgres sees one tenant and walks its time index
 * (alerts_tenant_detected).
 */
export function alertsByTenant(filters: AlertFilters, tenantIds: readonly string[] | undefined, depth: number, condition: SQL | undefined, columns: SQL): SQL | null {
  if (!tenantIds || tenantIds.length === 0 || tenantIds.length > ROLLUP_COUNT_MAX_TENANTS) return null;
  if (depth > BY_TENANT_DEPTH_UP_TO || filters.q) return null;
  const sort = filters.sort ?? "newest";
  if (sort !== "newest" && sort !== "oldest") return null;
  const order = sort === "newest" ? sql`"alerts"."detected_at" desc, "alerts"."id" desc` : sql`"alerts"."detected_at" asc, "alerts"."id" asc`;
  const where = condition ? sql` and ${condition}` : sql``;
  return sql`unnest(${sql.param([...tenantIds])}::uuid[]) as page_tenants(tenant)
    cross join lateral (select ${columns} from public.alerts "alerts"
                         where "alerts"."tenant_id" = page_tenants.tenant${where}
                         order by ${order} limit ${depth}) as "alerts"`;
}
