// The zone a page's times are shown in, read for a page that has not read
// the viewer's settings itself: the scope tenant's (lib/tenancy/scope-tenant.ts)
// effective locale.time_zone. In a page render the layout has read the host's
// settings already (lib/settings/resolve.ts keeps them for the transaction),
// so this is usually no query.
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfig } from "@/lib/settings/resolve";
import { scopeTenantIdOf } from "@/lib/tenancy/scope-tenant";
import { timeZoneOf } from "./time";

export async function viewerTimeZone(tx: TenantTx, hostTenantId: string | null | undefined): Promise<string> {
  const scope = scopeTenantIdOf(tx, hostTenantId);
  return scope ? tenantTimeZone(tx, scope) : timeZoneOf(undefined);
}

/** One tenant's effective locale.time_zone in the caller's transaction (UTC when it cannot see it), e.g. an invited tenant's. */
export async function tenantTimeZone(tx: TenantTx, tenantId: string): Promise<string> {
  return timeZoneOf((await effectiveConfig(tx, tenantId)) ?? undefined);
}

/**
 * The same for a server action's answer: the tenant the request acts as is
 * the host's (its claims' active tenant), or on the console the caller's own,
 * so a message says a time as the page around it does.
 */
export function actionTimeZone(tx: TenantTx): Promise<string> {
  return viewerTimeZone(tx, tx.claims.tenant_id ?? null);
}
