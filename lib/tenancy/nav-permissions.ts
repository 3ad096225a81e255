// Which optional sections the navigation shows, decided by the PDP in one
// batch call. If the PDP cannot answer, the sections are hidden (fail
// closed); the pages themselves then say the service is unavailable.
import { checkActions, isPdpUnavailable, permissions, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";

const NAV_ACTIONS = ["users:manage", "audit:view", "credentials:view", "keys:rotate", "settings:view", "apikeys:manage", "domains:manage", "billing:view", "alerts:triage", "benchmark:view", "reports:export", "bulk:run"] as const;
export type NavPermissions = Record<(typeof NAV_ACTIONS)[number], boolean>;

/**
 * `tenant`: the tenant's id (its resource is read under RLS), or the resource
 * itself when the caller already holds it: a tenant host's own tenant, from
 * the host lookup (lib/tenancy/resolve-host, evicted on every tenant change),
 * whose coverage the transaction's claims have just proved.
 */
export async function navPermissions(tx: TenantTx, tenant: string | TenantResource | undefined): Promise<NavPermissions> {
  const none: NavPermissions = { "users:manage": false, "audit:view": false, "credentials:view": false, "keys:rotate": false, "settings:view": false, "apikeys:manage": false, "domains:manage": false, "billing:view": false, "alerts:triage": false, "benchmark:view": false, "reports:export": false, "bulk:run": false };
  if (!tenant) return none;
  try {
    if (typeof tenant === "string") return await permissions(tx, NAV_ACTIONS, tenant);
    const { id, path, kind, status } = tenant;
    return await checkActions(principalFromClaims(tx.claims), NAV_ACTIONS, { id, path, kind, status });
  } catch (error) {
    if (isPdpUnavailable(error)) return none;
    throw error;
  }
}
