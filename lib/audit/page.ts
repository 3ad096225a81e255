// The audit pages' one call: the view under RLS, each tenant's rows only where
// the PDP allows audit:view there (lib/audit/list.ts, loadAuditView), and the
// zone its times are shown in.
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { loadAuditView, type AuditFilters, type AuditView, type HiddenActors } from "./list";

/** The view, and the zone its times are shown in (the page's tenant's locale.time_zone). */
export type AuditPageView = AuditView & { timeZone: string };

/**
 * `hostTenantId`: the tenant host's tenant (the PDP must allow audit:view on it, or the page is
 * refused), or null on the console, where each tenant is judged on its own and the times are on
 * the caller's MSSP's clock.
 */
export async function loadAuditPage(tx: TenantTx, filters: AuditFilters, hostTenantId: string | null, hidden?: HiddenActors): Promise<AuditPageView> {
  // The from/to days are days of the zone the rows' times are shown in.
  const timeZone = await viewerTimeZone(tx, hostTenantId);
  const view = await loadAuditView(tx, filters, hidden, timeZone, hostTenantId);
  return { ...view, timeZone: view.allowed ? timeZone : DEFAULT_TIME_ZONE };
}
