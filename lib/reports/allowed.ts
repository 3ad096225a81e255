// Which tenants the caller may export reports of: the ones RLS shows them
// (customers and sites, or only those named) that the PDP allows
// reports:export on, asked in chunks of 200, four at a time.
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";

export interface ExportableTenant extends TenantResource {
  slug: string;
  name: string;
}

export async function exportableTenants(tx: TenantTx, opts: { kinds?: readonly string[]; ids?: readonly string[] } = {}): Promise<ExportableTenant[]> {
  const { rows } = await tx.client.query<ExportableTenant>(
    `select id, path::text as path, kind, status, slug, name from public.tenants
      where kind = any ($1::text[]) and ($2::uuid[] is null or id = any ($2::uuid[]))
      order by name, id`,
    [opts.kinds ?? ["customer", "site"], opts.ids ?? null],
  );
  if (rows.length === 0) return [];
  // checkActionsForEach asks the PDP in parallel batches (lib/authz/pdp.ts).
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), ["reports:export"], rows);
  return rows.filter((r) => decisions.get(r.id)?.["reports:export"]);
}
