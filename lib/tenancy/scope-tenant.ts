// The tenant a page belongs to for what is the viewer's rather than a row's
// (bulk actions, saved filters, the time zone times are shown in): the host's
// tenant, or on the console (no host tenant) the caller's MSSP.
import type { TenantTx } from "@/lib/db/with-tenant";

export function scopeTenantIdOf(tx: TenantTx, hostTenantId: string | null | undefined): string | undefined {
  return hostTenantId ?? tx.claims.tenants.find((m) => m.kind === "mssp")?.tenant_id ?? tx.claims.tenants[0]?.tenant_id;
}
