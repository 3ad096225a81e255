// Who may approve a look-alike custom domain (lib/domains/store.ts): staff of
// the tenant's MSSP whom the PDP allows domains:manage on the MSSP itself, not
// only on the customer. Asked under RLS in the caller's transaction: a
// customer's admin does not see the MSSP's row, so is never asked about.
import { checkAction, principalFromClaims, tenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";

export async function mayApproveLookAlike(tx: TenantTx, tenantId: string): Promise<boolean> {
  const { rows } = await tx.client.query<{ id: string }>(
    `select r.id from public.tenants t join public.tenants r on r.parent_id is null and t.path operator(extensions.<@) r.path where t.id = $1`,
    [tenantId],
  );
  const mssp = rows[0] ? await tenantResource(tx.db, rows[0].id) : null;
  return mssp !== null && (await checkAction(principalFromClaims(tx.claims), "domains:manage", mssp));
}
