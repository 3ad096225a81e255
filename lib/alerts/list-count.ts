// The alert list's total from the rollups the alert triggers keep exact
// (migration 20261201016000: alert_daily_rollups counts the alerts detected per
// tenant, UTC day and severity; alert_open_counts the open ones per tenant and
// severity), instead of counting the matching alerts themselves.
//
// Why: the list counts its matches on every page load, up to ALERT_COUNT_CAP.
// For a customer with 7,000 alerts that count read 7,000 index entries (1.7 of
// the statement's 2.9 ms, npm run bench --only=load); the same figure from the
// daily rollups sums at most one row per day and severity (0.13 ms). The
// rollups carry the same RLS policy as alerts (the caller's visible tenants),
// so they count the same rows.
//
// Only filters the rollups can answer exactly qualify: severity, the detection
// day range when the list's days are UTC days, as the rollups' are (a page in another
// zone filters its own days), "open" without a day range, and the tenant filter. A search, an assignee, a group or another
// status falls back to the capped count. So does a scope of many tenants (the
// MSSP console): summing their rows costs more than the capped walk.
import { sql, type SQL } from "drizzle-orm";
import type { AlertFilters } from "./list";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";

/** Past this many tenants in scope the capped count is cheaper than summing their rollups. */
export const ROLLUP_COUNT_MAX_TENANTS = 32;

/**
 * A scalar subquery giving the number of alerts that match `filters` among
 * `tenantIds` (the list's tenant filter already applied), or null when the
 * rollups cannot answer it exactly. `everyVisible`: `tenantIds` are all the
 * tenants the rollups' policy shows the caller, so the sum leaves them to the
 * policy (lib/alerts/list.ts, readableIsEveryVisible).
 */
export function rollupCount(filters: AlertFilters, tenantIds: readonly string[] | undefined, everyVisible = false, timeZone = DEFAULT_TIME_ZONE): SQL | null {
  if (!tenantIds || tenantIds.length > ROLLUP_COUNT_MAX_TENANTS) return null;
  if (filters.q || filters.assignee || filters.group) return null;
  // The rollups' days are UTC days: another zone's days straddle two of them.
  if ((filters.from || filters.to) && timeZone !== DEFAULT_TIME_ZONE) return null;
  const ids = everyVisible ? sql`true` : sql`tenant_id = any(${sql.param([...tenantIds])}::uuid[])`;
  const severity = filters.severity ? sql` and severity = ${filters.severity}` : sql``;
  if (filters.status === "open") {
    if (filters.from || filters.to) return null;
    return sql`(select coalesce(sum(open), 0)::int from public.alert_open_counts where ${ids}${severity})`;
  }
  if (filters.status) return null;
  const from = filters.from ? sql` and day >= ${filters.from}::date` : sql``;
  const to = filters.to ? sql` and day <= ${filters.to}::date` : sql``;
  return sql`(select coalesce(sum(created), 0)::int from public.alert_daily_rollups where ${ids}${severity}${from}${to})`;
}
