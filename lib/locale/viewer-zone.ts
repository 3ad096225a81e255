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
  return timeZoneOf((scope && (await effectiveConfig(tx, scope))) || undefined);
}
