// The audit pages' one call: ask the PDP (audit:view on the page's tenant)
// before reading anything, then load the view under RLS.
import { permissions } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { AUDIT_REFUSED, AUDIT_VIEW_ACTION, loadAuditView, type AuditFilters, type AuditView, type HiddenActors } from "./list";

export async function loadAuditPage(tx: TenantTx, filters: AuditFilters, tenantId: string | undefined, hidden?: HiddenActors): Promise<AuditView> {
  const allowed = tenantId ? (await permissions(tx, [AUDIT_VIEW_ACTION], tenantId))[AUDIT_VIEW_ACTION] : false;
  if (!allowed) return AUDIT_REFUSED;
  return loadAuditView(tx, filters, hidden);
}
