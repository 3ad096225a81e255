// Form shapes of the settings actions. A malformed form (no tenant, a key
// that cannot be a setting name, an oversized value) gets field messages and
// touches nothing. Whether the key names a setting, and whether the value
// fits its type and bounds, are rules (lib/settings): refused with a message
// and audited as denied.
import { z } from "zod";
import { requireAction, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { definitionOrRefuse } from "@/lib/settings/write";

export const settingKeySchema = z
  .string({ error: "Choose a setting." })
  .max(100, "Not a setting name.")
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "Not a setting name.");

export const settingRefSchema = z.object({ tenantId: z.string().uuid(), key: settingKeySchema });

export const setSettingSchema = settingRefSchema.extend({
  value: z.string({ error: "Enter a value." }).max(4000, "At most 4,000 characters."),
});

/**
 * The guard asked the PDP for settings:manage; the settings the MSSP sells
 * (changedBy "mssp") need settings:govern on the tenant as well. An unknown
 * key is refused first, with its own message.
 */
export async function requireChangeRight(tx: TenantTx, key: string, tenant: TenantResource): Promise<void> {
  const definition = definitionOrRefuse(key);
  if (definition.changedBy === "mssp") await requireAction(principalFromClaims(tx.claims), "settings:govern", tenant);
}
