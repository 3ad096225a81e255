// The parent of a new customer or site as the console's form sends it: an id
// (the form lists every parent up to TENANT_SELECT_UP_TO tenants, and always
// the MSSPs), or past that a site's parent typed as a name or address. A
// typed parent is resolved in the action's own transaction (lib/actions/guard.ts
// tenantOf) among the active tenants the caller sees: the query runs under RLS,
// so another MSSP's customer called exactly that is no candidate, and it names
// none. Which candidate wins is the shared rule (lib/tenancy/tenant-filter.ts
// tenantNamedBy: a slug exactly, else a name exactly, else the one tenant
// containing it); naming none or several is refused on the field, nothing done.
// The guard then asks the PDP about the tenant found, as for an id posted.
import type { TenantTx } from "@/lib/db/with-tenant";
import { containsPattern } from "@/lib/url/list-query";
import { isTenantId, tenantFilterSchema, tenantNamedBy, typedTenantSchema, type TenantChoice } from "@/lib/tenancy/tenant-filter";
import { provisionSchema } from "./schemas";

/** The form's schema: tenantId is the parent's id, or a name or address typed in its place. */
export const provisionFormSchema = provisionSchema.extend({ tenantId: typedTenantSchema("Choose where it goes, or type the customer or site it goes under.") });

/** The parent's id: as posted when it is one, else the one active tenant the caller sees that `typed` names. */
export async function provisionParentOf(tx: TenantTx, typed: string): Promise<string> {
  if (isTenantId(typed)) return typed;
  const text = tenantFilterSchema.safeParse(typed);
  // Every tenant the rule could choose (an exact slug or name also contains itself), none other.
  const { rows } = text.success
    ? await tx.client.query<TenantChoice & { id: string }>(
        `select id, slug, name from public.tenants where status = 'active' and (slug = $1 or lower(name) = lower($1) or name ilike $2 or slug ilike $2)`,
        [text.data, containsPattern(text.data)],
      )
    : { rows: [] };
  return tenantNamedBy(rows, typed, { one: "active customer or site you can see", many: "active customers and sites" }).id;
}
