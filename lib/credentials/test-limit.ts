// "Test connection" calls the vendor with the tenant's secret: a per-tenant
// budget (limits.connection_tests_per_hour, lib/settings) keeps a script or a
// stuck button from hammering a vendor (and the portal's outbound path) on a
// tenant's behalf. The bucket is in Postgres (lib/ratelimit), so every
// replica shares it.
import { ActionRefusal } from "@/lib/actions/refusal";
import { withServiceRoleIn } from "@/lib/db/service-role";
import type { TenantTx } from "@/lib/db/with-tenant";
import { perWindow, take } from "@/lib/ratelimit";
import { effectiveConfig } from "@/lib/settings";

/** Spends one connection test of the tenant's hourly budget, or refuses saying when the next one is possible. */
export async function takeConnectionTest(tx: TenantTx, tenantId: string): Promise<void> {
  const config = await effectiveConfig(tx, tenantId);
  if (!config) return; // a tenant the caller cannot see: the action refuses it anyway
  const perHour = config.value<number>("limits.connection_tests_per_hour");
  // The shared bucket, as the service role on this transaction's connection (not a second pooled one while holding it).
  const r = await withServiceRoleIn("ratelimit", tx.db, (db) => take(`credentials:test:${tenantId}`, perWindow(perHour, 3600), { db }));
  if (r.allowed) return;
  const minutes = Math.max(1, Math.ceil(r.retryAfterSeconds / 60));
  throw new ActionRefusal(
    `This tenant has used its ${perHour} connection test${perHour === 1 ? "" : "s"} for the hour. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}; the service was not contacted.`,
    { setting: "limits.connection_tests_per_hour", limit: perHour, retry_after_seconds: Math.ceil(r.retryAfterSeconds) },
  );
}
