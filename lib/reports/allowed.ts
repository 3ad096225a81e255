// Which tenants the caller may export reports of: the ones RLS shows them
// (customers and sites, or only those named) that the PDP allows
// reports:export on, asked in batches of 50, four at a time (checkActionsForEach).
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { isTenantId, tenantNamedBy } from "@/lib/tenancy/tenant-filter";

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

/**
 * The tenant a report form names: its id (the list form, up to
 * TENANT_SELECT_UP_TO tenants), or a name or slug typed past that, resolved
 * among the tenants the caller may export reports of (RLS, then the PDP). A
 * name naming none or several is refused (TenantNotNamed): nothing is queued or saved.
 */
export async function reportTenantOf(tx: TenantTx, typed: string): Promise<string> {
  if (isTenantId(typed)) return typed;
  return tenantNamedBy(await exportableTenants(tx), typed, { one: "customer or site you may report on", many: "customers and sites you may report on" }).id;
}
