// How many custom domains each tenant serves on (verified, or in grace), for
// lists such as the console's Customers page: one grouped query under RLS in
// the caller's transaction, so a tenant whose domains the caller may not read
// simply counts 0.
import type { TenantTx } from "@/lib/db/with-tenant";

export async function servingDomainCounts(tx: TenantTx, tenantIds: string[]): Promise<Map<string, number>> {
  if (tenantIds.length === 0) return new Map();
  const { rows } = await tx.client.query<{ tenant_id: string; n: number }>(
    `select tenant_id, count(*)::int as n from public.custom_domains
      where tenant_id = any($1::uuid[]) and status in ('verified', 'grace') group by tenant_id`,
    [tenantIds],
  );
  return new Map(rows.map((r) => [r.tenant_id, r.n]));
}
