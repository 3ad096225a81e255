// The audit pages' one call: ask the PDP (audit:view on the page's tenant)
// before reading anything, then load the view under RLS.
import { permissions } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { DEFAULT_TIME_ZONE } from "@/lib/locale/time";
import { viewerTimeZone } from "@/lib/locale/viewer-zone";
import { AUDIT_REFUSED, AUDIT_VIEW_ACTION, loadAuditView, type AuditFilters, type AuditView, type HiddenActors } from "./list";

/** The view, and the zone its times are shown in (the page's tenant's locale.time_zone). */
export type AuditPageView = AuditView & { timeZone: string };

/** `tenantId`: the host's tenant, or the caller's MSSP on the console. */
export async function loadAuditPage(tx: TenantTx, filters: AuditFilters, tenantId: string | undefined, hidden?: HiddenActors): Promise<AuditPageView> {
  const allowed = tenantId ? (await permissions(tx, [AUDIT_VIEW_ACTION], tenantId))[AUDIT_VIEW_ACTION] : false;
  if (!allowed) return { ...AUDIT_REFUSED, timeZone: DEFAULT_TIME_ZONE };
  // The from/to days are days of the zone the rows' times are shown in.
  const timeZone = await viewerTimeZone(tx, tenantId);
  return { ...(await loadAuditView(tx, filters, hidden, timeZone)), timeZone };
}
