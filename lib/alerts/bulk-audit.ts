// A bulk triage's audit rows in the alerts' own trails. The guard
// (lib/actions/guard.ts) writes one row, listing every result, in the list's
// tenant: the MSSP on the console, the customer on its host. Without more, an
// MSSP analyst who bulk-closes Acme's alerts from the console leaves nothing
// in Acme's trail, where a single close would have (it is audited in the
// alert's tenant). So each other tenant whose alerts were selected gets one
// row of its own, listing only its own alerts' results, in the same
// transaction as the changes (they commit or roll back together).
import { recordAudit } from "@/lib/audit/record";
import type { TenantTx } from "@/lib/db/with-tenant";
import { BULK_NOT_FOUND, type BulkRowResult } from "./triage";

/** The audit details of one row result, as the bulk actions record them. */
export function resultDetail(r: BulkRowResult) {
  return { tenant_id: r.tenantId, alert_id: r.alertId, outcome: r.outcome, ...(r.message ? { message: r.message } : {}) };
}

/**
 * One audit row per tenant, other than `scopeTenantId` (the guard's row covers
 * it), that holds a selected alert the caller could see there: a result "not
 * found here" names its tenant from the form only, so it writes nowhere. The
 * row is "success" when any of the tenant's alerts was changed or already so,
 * "denied" when all were refused. `details` is what every row shares (the change).
 *
 * Lock order: each insert holds its tenant's chain head until commit, so
 * tenants are written deepest first (then by id), and the guard's row for the
 * list's tenant, an ancestor of them all, comes last. Two bulk changes over
 * overlapping tenants thus take the heads in the same order and never deadlock.
 */
export async function recordPerTenantBulkAudit(
  tx: TenantTx,
  scopeTenantId: string,
  action: string,
  details: Record<string, unknown>,
  results: readonly BulkRowResult[],
): Promise<void> {
  const byTenant = new Map<string, BulkRowResult[]>();
  for (const r of results) {
    if (r.tenantId === scopeTenantId || (r.outcome === "refused" && r.message === BULK_NOT_FOUND)) continue;
    const list = byTenant.get(r.tenantId) ?? [];
    list.push(r);
    byTenant.set(r.tenantId, list);
  }
  if (byTenant.size === 0) return;
  const { rows } = await tx.client.query<{ id: string }>(
    `select t.id from public.tenants t where t.id = any($1::uuid[]) order by extensions.nlevel(t.path) desc, t.id`,
    [[...byTenant.keys()]],
  );
  for (const { id } of rows) {
    const own = byTenant.get(id)!;
    await recordAudit(tx, {
      tenantId: id,
      action,
      targetType: "alerts",
      targetId: `${own.length}`,
      outcome: own.some((r) => r.outcome !== "refused") ? "success" : "denied",
      details: { ...details, via_tenant_id: scopeTenantId, results: own.map(resultDetail) },
    });
  }
}
