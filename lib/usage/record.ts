// Writing usage events (docs/usage.md). Events are appended, never changed:
// public.usage_events has no UPDATE or DELETE grant for anyone but the
// service role, and no write grant at all for authenticated. The writers:
//
//   recordUsage(db, events)         one multi-row INSERT … ON CONFLICT DO
//                                   NOTHING on (tenant, idempotency key), as
//                                   the service role (a job's transaction)
//   recordUsageIn(tx, events)       the same inside a caller's withTenant
//                                   transaction (ingestion), under the named
//                                   purpose usage.meter: the event commits or
//                                   rolls back with the work it counts
//   meterIngestedAlerts(tx, …)      the ingestion hook (lib/ingest/alerts.ts)
//   apiRequestCountSql(tenant, when) the gateway hook: the upsert of the
//                                   tenant's minute counter, folded into the
//                                   statement that takes the rate-limit tokens
//                                   (lib/api/gateway/limits.ts); the rollup job
//                                   turns closed minutes into events
import { z } from "zod";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { ingestMetrics } from "@/lib/metrics/ingest";
import { USAGE_METRICS, type UsageMetric } from "./metrics";

export interface UsageEvent {
  tenantId: string;
  metric: UsageMetric;
  /** A whole number ≥ 0 (bigint in SQL). */
  quantity: number | bigint;
  /** When the work happened (default: the transaction's time). Decides the period it counts in. */
  occurredAt?: Date;
  /** Unique per tenant: an event sent again with the same key is counted once. */
  key: string;
  /** What wrote it ("api.ingest", "usage.snapshot" …), for people reading the stream. */
  source: string;
}

const eventSchema = z.object({
  tenantId: z.uuid(),
  metric: z.enum(USAGE_METRICS),
  quantity: z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.bigint().min(0n).max(2n ** 63n - 1n)]),
  occurredAt: z.date().optional(),
  key: z.string().min(1).max(200),
  source: z.string().min(1).max(100),
});

type Queryable = Pick<Db["$client"], "query">;

/**
 * Appends `events` in one statement; returns how many were new (the rest had
 * been recorded before under the same key). Throws on an invalid event
 * before writing anything. `db` must be allowed to insert: the service role.
 */
export async function recordUsage(db: Db | Queryable, events: readonly UsageEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const parsed = events.map((e) => eventSchema.parse(e));
  const client: Queryable = "$client" in db ? db.$client : db;
  const { rowCount } = await client.query(
    `insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source)
     select e.tenant_id, e.metric, e.quantity, coalesce(e.occurred_at, now()), e.key, e.source
       from unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[])
            as e(tenant_id, metric, quantity, occurred_at, key, source)
     on conflict (tenant_id, idempotency_key) do nothing`,
    [
      parsed.map((e) => e.tenantId),
      parsed.map((e) => e.metric),
      parsed.map((e) => e.quantity.toString()),
      parsed.map((e) => e.occurredAt ?? null),
      parsed.map((e) => e.key),
      parsed.map((e) => e.source),
    ],
  );
  return rowCount ?? 0;
}

/** recordUsage inside the caller's transaction (RLS gives people no insert): commits or rolls back with it. */
export function recordUsageIn(tx: TenantTx, events: readonly UsageEvent[]): Promise<number> {
  if (events.length === 0) return Promise.resolve(0);
  return withServiceRoleIn("usage.meter", tx.db, (db) => recordUsage(db, events));
}

/**
 * The ingestion hook: one alerts_ingested event for the alerts this batch
 * created. Its key names the batch's first created alert (an alert is created
 * once, so a key is never reused, and a batch sent again creates nothing and
 * records nothing); a batch that rolls back takes its event with it.
 */
export async function meterIngestedAlerts(
  tx: TenantTx,
  tenantId: string,
  createdIds: readonly string[],
  summary?: { created: number; duplicates: number; rejected: number },
): Promise<void> {
  // Counted once the batch is kept: a batch that rolls back created nothing.
  if (summary) tx.afterCommit(() => ingestMetrics(summary));
  if (createdIds.length === 0) return;
  const first = [...createdIds].sort()[0];
  await recordUsageIn(tx, [{ tenantId, metric: "alerts_ingested", quantity: createdIds.length, key: `alerts:${first}`, source: "api.ingest" }]);
}

/**
 * The counting statement, for a caller that folds it into a larger one (the
 * gateway counts in the same statement that takes its rate-limit tokens):
 * `tenant` is a SQL expression for the tenant id, `when` a condition that
 * must hold for the request to count.
 */
export function apiRequestCountSql(tenant: string, when: string): string {
  return `insert into usage.api_request_counts as c (tenant_id, minute, requests)
          select ${tenant}, date_trunc('minute', now()), 1 where ${when}
          on conflict (tenant_id, minute) do update set requests = c.requests + 1`;
}
