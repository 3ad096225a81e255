// Collector heartbeats (POST /collectors/heartbeat): one row per collector
// name in the tenant, upserted in the caller's withTenant transaction. What a
// field leaves out keeps its last value; last_error null clears the error.
import type { TenantTx } from "@/lib/db/with-tenant";
import { refuseIfDenied } from "./errors";
import type { Heartbeat } from "./schemas";
import { utcMicrosSql } from "@/lib/db/timestamps";

export interface ApiCollector {
  id: string;
  name: string;
  version: string | null;
  hostname: string | null;
  last_heartbeat_at: string;
  last_pull_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  created_at: string;
}

export async function recordHeartbeat(tx: TenantTx, tenantId: string, beat: Heartbeat): Promise<ApiCollector> {
  return (await recordHeartbeatChange(tx, tenantId, beat)).collector;
}

export interface HeartbeatChange {
  collector: ApiCollector;
  /** This heartbeat created the collector. */
  created: boolean;
  /** Its version and last error before this heartbeat (null when created). */
  before: { version: string | null; last_error: string | null } | null;
}

/** recordHeartbeat, also saying what the collector was before (for the audit row of a change). */
export async function recordHeartbeatChange(tx: TenantTx, tenantId: string, beat: Heartbeat): Promise<HeartbeatChange> {
  const clearError = beat.last_error === null;
  try {
    const { rows } = await tx.client.query<ApiCollector & { prev_found: boolean; prev_version: string | null; prev_error: string | null }>(
      `with prev as (select p.version, p.last_error from public.collectors p where p.tenant_id = $1 and p.name = $2)
       insert into public.collectors as c (tenant_id, name, version, hostname, last_heartbeat_at, last_pull_at, last_error, last_error_at)
       values ($1, $2, $3, $4, now(), $5::timestamptz, $6, case when $6::text is null then null else now() end)
       on conflict (tenant_id, name) do update set
         version = coalesce(excluded.version, c.version),
         hostname = coalesce(excluded.hostname, c.hostname),
         last_heartbeat_at = now(),
         last_pull_at = coalesce(excluded.last_pull_at, c.last_pull_at),
         last_error = case when $7 then null else coalesce(excluded.last_error, c.last_error) end,
         last_error_at = case when $7 then null when excluded.last_error is not null then now() else c.last_error_at end
       returning c.id, c.name, c.version, c.hostname, ${utcMicrosSql("c.last_heartbeat_at")} as last_heartbeat_at,
                 ${utcMicrosSql("c.last_pull_at")} as last_pull_at, c.last_error, ${utcMicrosSql("c.last_error_at")} as last_error_at,
                 ${utcMicrosSql("c.created_at")} as created_at,
                 exists (select 1 from prev) as prev_found, (select version from prev) as prev_version,
                 (select last_error from prev) as prev_error`,
      [tenantId, beat.name, beat.version ?? null, beat.hostname ?? null, beat.last_pull_at ?? null, beat.last_error ?? null, clearError],
    );
    const { prev_found, prev_version, prev_error, ...collector } = rows[0];
    return { collector, created: !prev_found, before: prev_found ? { version: prev_version, last_error: prev_error } : null };
  } catch (error) {
    refuseIfDenied(error, "report collector status");
  }
}

/** The tenant's collectors, by name (for status cards and GET endpoints to come). */
export async function listCollectors(tx: TenantTx, tenantId: string): Promise<ApiCollector[]> {
  const { rows } = await tx.client.query<ApiCollector>(
    `select c.id, c.name, c.version, c.hostname, ${utcMicrosSql("c.last_heartbeat_at")} as last_heartbeat_at, ${utcMicrosSql("c.last_pull_at")} as last_pull_at,
            c.last_error, ${utcMicrosSql("c.last_error_at")} as last_error_at, ${utcMicrosSql("c.created_at")} as created_at
       from public.collectors c where c.tenant_id = $1 order by c.name`,
    [tenantId],
  );
  return rows;
}
