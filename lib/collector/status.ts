// What the collector status cards show (the tenant's credentials page, the
// console's customer page): each collector's last heartbeat, last pull,
// alerts sent (its checkpoints' counts), last error and version. Read under
// withTenant (RLS decides which rows exist) after the PDP allowed
// credentials:view on the tenant: collectors pull with the tenant's
// credentials, so who may see those may see how the pulling goes.
import { checkAction, principalFromClaims, tenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";

/** A collector heartbeats after every cycle (60 s by default): three missed cycles and more make it stale. */
export const STALE_AFTER_MS = 5 * 60_000;

export interface CollectorStatus {
  name: string;
  version: string | null;
  hostname: string | null;
  lastHeartbeatAt: Date;
  lastPullAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  alertsSent: number;
  connectors: number;
  stale: boolean;
}

export type CollectorStatusData = { allowed: false } | { allowed: true; collectors: CollectorStatus[] };

/** The tenant of `slug` if RLS shows it to the caller (within the host's tenant on a tenant host), else null. */
export async function visibleTenantBySlug(tx: TenantTx, slug: string): Promise<{ id: string; slug: string } | null> {
  const { rows } = await tx.client.query<{ id: string; slug: string }>("select id, slug from public.tenants where slug = $1", [slug]);
  return rows[0] ?? null;
}

export async function loadCollectorStatus(tx: TenantTx, tenantId: string, now = new Date()): Promise<CollectorStatusData> {
  const tenant = await tenantResource(tx.db, tenantId);
  if (!tenant || !(await checkAction(principalFromClaims(tx.claims), "credentials:view", tenant))) return { allowed: false };
  const { rows } = await tx.client.query<{
    name: string;
    version: string | null;
    hostname: string | null;
    last_heartbeat_at: Date;
    last_pull_at: Date | null;
    last_error: string | null;
    last_error_at: Date | null;
    alerts_sent: string;
    connectors: number;
  }>(
    `select c.name, c.version, c.hostname, c.last_heartbeat_at, c.last_pull_at, c.last_error, c.last_error_at,
            coalesce(sum(k.alerts_sent), 0)::text as alerts_sent, count(k.credential_id)::int as connectors
       from public.collectors c
       left join public.collector_checkpoints k on k.tenant_id = c.tenant_id and k.collector_id = c.id
      where c.tenant_id = $1
      group by c.tenant_id, c.id
      order by c.name`,
    [tenantId],
  );
  return {
    allowed: true,
    collectors: rows.map((r) => ({
      name: r.name,
      version: r.version,
      hostname: r.hostname,
      lastHeartbeatAt: new Date(r.last_heartbeat_at),
      lastPullAt: r.last_pull_at ? new Date(r.last_pull_at) : null,
      lastError: r.last_error,
      lastErrorAt: r.last_error_at ? new Date(r.last_error_at) : null,
      alertsSent: Number(r.alerts_sent),
      connectors: r.connectors,
      stale: now.getTime() - new Date(r.last_heartbeat_at).getTime() > STALE_AFTER_MS,
    })),
  };
}
