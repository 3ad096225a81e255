// What a white-labelled tenant's own pages show of what comes from its
// provider. On a host whose brand hides the MSSP's (Brand.hideMsspBrand), a
// value inherited from the MSSP is said to come from "your provider" (no
// name), a lock set there is "locked by your provider", an inherited brand
// value of the MSSP's (or the registry default, which is the MSSP's brand)
// is shown as "Provider default" without the value, and the MSSP's staff in
// a history are "Provider staff". The console (and a tenant without the
// flag) gets no mask: everything is shown as it is. Pure, except
// providerStaff (one read on the service-role purpose branding.resolve).
import { withServiceRole } from "@/lib/db/service-role";
import type { Brand } from "./brand";
import { BRAND_KEYS } from "./settings-keys";

export const PROVIDER_NAME = "your provider";
export const PROVIDER_STAFF = "Provider staff";
export const PROVIDER_DEFAULT = "Provider default";

/** The tenants hidden behind "your provider" on this host. */
export interface ProviderMask {
  ids: ReadonlySet<string>;
}

/** The mask of a host's brand; null where nothing is hidden (the console, a tenant without the flag). */
export function providerMask(brand: Pick<Brand, "hideMsspBrand" | "tenantId" | "providerTenantIds">): ProviderMask | null {
  return brand.hideMsspBrand && brand.tenantId !== null ? { ids: new Set(brand.providerTenantIds) } : null;
}

/** The mask of the current request's host (lib/branding/resolve requestBrand). */
export async function requestProviderMask(): Promise<ProviderMask | null> {
  const { requestBrand } = await import("./resolve");
  return providerMask(await requestBrand());
}

export const isProvider = (mask: ProviderMask | null, tenantId: string | null | undefined): boolean =>
  mask !== null && typeof tenantId === "string" && mask.ids.has(tenantId);

/** A tenant's name as this host may show it. */
export const tenantNameFor = (mask: ProviderMask | null, tenantId: string | null | undefined, name: string): string =>
  isProvider(mask, tenantId) ? PROVIDER_NAME : name;

/**
 * Whether a setting's value is the provider's brand and so not shown: a
 * branding value (not the white-label flag itself) that is the registry's
 * default (the MSSP's brand) or inherited from the provider.
 */
export function hidesBrandValue(mask: ProviderMask | null, s: { key: string; source: string; sourceTenantId: string | null }): boolean {
  if (!mask || !s.key.startsWith("branding.") || s.key === BRAND_KEYS.hideMsspBrand) return false;
  return s.source === "default" || isProvider(mask, s.sourceTenantId);
}

/** Whether a setting's audited values may be shown: not a brand value under a mask (the "from" of a change may be the provider's). */
export const hidesBrandHistory = (mask: ProviderMask | null, key: string | null): boolean =>
  mask !== null && key !== null && key.startsWith("branding.") && key !== BRAND_KEYS.hideMsspBrand;

/** Of these user ids, those with a membership in one of the hidden tenants (the provider's staff). */
export async function providerStaff(mask: ProviderMask | null, userIds: readonly (string | null)[]): Promise<Set<string>> {
  const ids = [...new Set(userIds.filter((u): u is string => typeof u === "string"))];
  if (!mask || mask.ids.size === 0 || ids.length === 0) return new Set();
  return withServiceRole("branding.resolve", async (db) => {
    const { rows } = await db.$client.query<{ user_id: string }>(
      "select distinct user_id from public.memberships where user_id = any($1::uuid[]) and tenant_id = any($2::uuid[])",
      [ids, [...mask.ids]],
    );
    return new Set(rows.map((r) => r.user_id));
  });
}

/** Every user with a membership in one of the hidden tenants: the provider's staff this host does not name. */
export async function allProviderStaff(mask: ProviderMask | null): Promise<string[]> {
  if (!mask || mask.ids.size === 0) return [];
  return withServiceRole("branding.resolve", async (db) => {
    const { rows } = await db.$client.query<{ user_id: string }>(
      "select distinct user_id from public.memberships where tenant_id = any($1::uuid[])",
      [[...mask.ids]],
    );
    return rows.map((r) => r.user_id);
  });
}

/**
 * Audit rows as this host shows them: the provider's staff as "Provider staff" (the rows themselves are unchanged).
 * `knownStaff`: allProviderStaff's answer when the page already read it (the actor filter), so it is not read twice.
 */
export async function maskProviderActors<R extends { actorId: string | null; actorEmail: string | null }>(
  mask: ProviderMask | null,
  rows: R[],
  knownStaff?: readonly string[],
): Promise<R[]> {
  const staff = knownStaff ? new Set(knownStaff) : await providerStaff(mask, rows.map((r) => r.actorId));
  return staff.size === 0 ? rows : rows.map((r) => (r.actorId && staff.has(r.actorId) ? { ...r, actorEmail: PROVIDER_STAFF } : r));
}
