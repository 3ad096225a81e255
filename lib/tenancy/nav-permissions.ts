// Which optional sections the navigation shows, decided by the PDP in one
// batch call. If the PDP cannot answer, the sections are hidden (fail
// closed); the pages themselves then say the service is unavailable.
import { isPdpUnavailable, permissions } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";

const NAV_ACTIONS = ["users:manage", "audit:view", "credentials:view", "keys:rotate", "settings:view", "apikeys:manage", "domains:manage", "billing:view", "alerts:triage", "benchmark:view", "reports:export", "bulk:run"] as const;
export type NavPermissions = Record<(typeof NAV_ACTIONS)[number], boolean>;

export async function navPermissions(tx: TenantTx, tenantId: string | undefined): Promise<NavPermissions> {
  const none: NavPermissions = { "users:manage": false, "audit:view": false, "credentials:view": false, "keys:rotate": false, "settings:view": false, "apikeys:manage": false, "domains:manage": false, "billing:view": false, "alerts:triage": false, "benchmark:view": false, "reports:export": false, "bulk:run": false };
  if (!tenantId) return none;
  try {
    return await permissions(tx, NAV_ACTIONS, tenantId);
  } catch (error) {
    if (isPdpUnavailable(error)) return none;
    throw error;
  }
}
