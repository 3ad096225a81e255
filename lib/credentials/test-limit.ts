// "Test connection" calls the vendor with the tenant's secret: a per-tenant
// budget (limits.connection_tests_per_hour, lib/settings) keeps a script or a
// stuck button from hammering a vendor (and the portal's outbound path) on a
// tenant's behalf. The bucket is in Postgres (lib/ratelimit), so every
// replica shares it.
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";
import { minutesToWait, perWindow, takeWithin } from "@/lib/ratelimit";
import { effectiveConfig } from "@/lib/settings";

/** Spends one connection test of the tenant's hourly budget, or refuses saying when the next one is possible. */
export async function takeConnectionTest(tx: TenantTx, tenantId: string): Promise<void> {
  const config = await effectiveConfig(tx, tenantId);
  if (!config) return; // a tenant the caller cannot see: the action refuses it anyway
  const perHour = config.value<number>("limits.connection_tests_per_hour");
  const r = await takeWithin(tx.db, `credentials:test:${tenantId}`, perWindow(perHour, 3600));
  if (r.allowed) return;
  const minutes = minutesToWait(r);
  throw new ActionRefusal(
    `This tenant has used its ${perHour} connection test${perHour === 1 ? "" : "s"} for the hour. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}; the service was not contacted.`,
    { setting: "limits.connection_tests_per_hour", limit: perHour, retry_after_seconds: Math.ceil(r.retryAfterSeconds) },
  );
}
