// What the reports pages show, loaded under the caller's RLS after the PDP:
// the tenants the caller may export reports of, their newest reports and
// their schedules. Console: every customer and site in scope; tenant host:
// the host's tenant and its sites (RLS narrows to the active tenant's subtree).
import { checkActionsForEach, isPdpUnavailable, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { effectiveConfigs } from "@/lib/settings";
import { featureOn } from "@/lib/settings/enforce";
import { exportableTenants } from "./allowed";
import { listReports, listSchedules, type ReportRow, type ScheduleRow } from "./store";

export interface ReportsPage {
  allowed: boolean;
  pdpUnavailable: boolean;
  /**
   * `reportsOn`: the tenant's report exports are on (features.reports); off, the forms leave it out.
   * `closedAbove`: a tenant above it is not active (a suspended customer's site): no report is made for
   * it, so the forms leave it out too.
   */
  tenants: { id: string; slug: string; name: string; kind: string; status: string; reportsOn: boolean; closedAbove: boolean }[];
  reports: ReportRow[];
  schedules: ScheduleRow[];
  /** Some report is still queued or being generated (the page refreshes itself). */
  pending: boolean;
  /** The zone the requests and next runs are shown in: the page's tenant's locale.time_zone (the MSSP's on the console). */
  timeZone: string;
}

/**
 * Leaves out the reports holding usage figures of tenants whose usage the caller may not read
 * (usage:read, admins): an analyst does not see an admin's report with the Usage table (the download
 * refuses it too, lib/reports/download.ts).
 */
async function withoutUsageUnreadable(tx: TenantTx, reports: ReportRow[], tenants: readonly TenantResource[]): Promise<ReportRow[]> {
  const ids = new Set(reports.filter((r) => r.includesUsage).map((r) => r.tenantId));
  if (ids.size === 0) return reports;
  // The reports' tenants are among those the page listed them for (exportableTenants read them already).
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), ["usage:read"], tenants.filter((t) => ids.has(t.id)));
  return reports.filter((r) => !r.includesUsage || decisions.get(r.tenantId)?.["usage:read"]);
}

/**
 * `withinTenant`: the host's tenant on a tenant host; the page lists its
 * subtree and shows times in its zone. Omitted on the console: every tenant in
 * scope, times in the caller's MSSP's zone.
 */
export async function loadReportsPage(tx: TenantTx, opts: { withinTenant?: string } = {}): Promise<ReportsPage> {
  let tenants;
  try {
    tenants = await exportableTenants(tx);
  } catch (error) {
    if (isPdpUnavailable(error)) return { allowed: false, pdpUnavailable: true, tenants: [], reports: [], schedules: [], pending: false, timeZone: DEFAULT_TIME_ZONE };
    throw error;
  }
  if (opts.withinTenant) {
    const { rows } = await tx.client.query<{ id: string }>(
      `select t.id from public.tenants t join public.tenants h on h.id = $1 where t.path operator(extensions.<@) h.path`,
      [opts.withinTenant],
    );
    const inside = new Set(rows.map((r) => r.id));
    tenants = tenants.filter((t) => inside.has(t.id));
  }
  const ids = tenants.map((t) => t.id);
  // One after another: both use this transaction's connection.
  const listed = await listReports(tx, ids, 100, new Map(tenants.map((t) => [t.id, { slug: t.slug, name: t.name }])));
  const reports = await withoutUsageUnreadable(tx, listed, tenants);
  const schedules = await listSchedules(tx, ids, tenants);
  const configs = await effectiveConfigs(tx, ids);
  // The tenant or one above it not active (the freeze policies' own set, under the caller's RLS).
  const frozen = ids.length === 0 ? new Set<string>() : new Set((await tx.client.query<{ id: string }>(
    "select f.id from tenancy.frozen_tenant_ids() f(id) where f.id = any ($1::uuid[])",
    [ids],
  )).rows.map((r) => r.id));
  const timeZone = await viewerTimeZone(tx, opts.withinTenant);
  return {
    allowed: tenants.length > 0,
    pdpUnavailable: false,
    tenants: tenants.map((t) => ({ id: t.id, slug: t.slug, name: t.name, kind: t.kind, status: t.status, reportsOn: featureOn(configs.get(t.id), "features.reports"), closedAbove: t.status === "active" && frozen.has(t.id) })),
    reports,
    schedules,
    pending: reports.some((r) => r.status === "queued" || r.status === "running"),
    timeZone,
  };
}
