// The API's limits, all kept in Postgres so every replica shares them (no
// per-process state):
//   - requests per minute per tenant addressed and per key: token buckets
//     (lib/ratelimit), from limits.api_requests_per_minute and
//     limits.api_key_requests_per_minute; a request refused before them
//     (./refusal.ts) spends a token of the key's bucket only (takeKeyToken);
//   - items ingested per day per tenant: a rolling 24-hour bucket charged by
//     an endpoint's quotaCost (limits.api_ingest_per_day);
//   - requests in progress per tenant: slots held as transaction-level
//     advisory locks for the length of the handler's transaction
//     (api.take_slot; limits.api_concurrent_requests).
// Not here, and per process by nature: the memory budget for request bodies
// in progress (./body-budget.ts), reserved before a body is read.
import type { EffectiveConfig } from "@/lib/settings";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import { checkArgs, peek, peekMany, perWindow, take, takeWithin, type Limit, type TakeResult } from "@/lib/ratelimit";
import { problems } from "@/lib/api/problem";
import { apiRequestCountSql } from "@/lib/usage/record";

export interface ApiLimits {
  tenantPerMinute: number;
  keyPerMinute: number;
  concurrent: number;
  ingestPerDay: number;
}

export function limitsOf(tenantConfig: EffectiveConfig, keyTenantConfig: EffectiveConfig): ApiLimits {
  return {
    tenantPerMinute: tenantConfig.value<number>("limits.api_requests_per_minute"),
    keyPerMinute: keyTenantConfig.value<number>("limits.api_key_requests_per_minute"),
    concurrent: tenantConfig.value<number>("limits.api_concurrent_requests"),
    ingestPerDay: tenantConfig.value<number>("limits.api_ingest_per_day"),
  };
}

/** The draft IETF RateLimit headers (and Retry-After when refused) for the tighter of the two buckets. */
export interface RateState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export function rateHeaders(state: RateState | null, retryAfter?: number): Record<string, string> {
  if (!state) return {};
  const h: Record<string, string> = {
    "RateLimit-Limit": String(state.limit),
    "RateLimit-Remaining": String(Math.max(0, Math.floor(state.remaining))),
    "RateLimit-Reset": String(Math.max(0, Math.ceil(state.resetSeconds))),
    "RateLimit-Policy": `${state.limit};w=60`,
  };
  if (retryAfter !== undefined) h["Retry-After"] = String(Math.max(1, Math.ceil(retryAfter)));
  return h;
}

function stateOf(limit: Limit, r: TakeResult, perMinute: number): RateState {
  // Seconds until the bucket is full again; while refused, until a token is back.
  const reset = r.allowed ? (limit.capacity - r.remaining) / limit.refillPerSecond : r.retryAfterSeconds;
  return { limit: perMinute, remaining: r.remaining, resetSeconds: reset };
}

export type RateOutcome = { allowed: true; state: RateState } | { allowed: false; state: RateState; retryAfter: number; which: "tenant" | "key" };

/**
 * One statement in one service-role transaction: the key's bucket, then the
 * tenant's only if the key's allowed (a refused key spends nothing of its
 * tenant's), then the request counted for usage only if both allowed. One
 * round trip instead of three: this runs on every API request (npm run bench
 * -- --only=ingest, "rate-limit check").
 */
const TAKE_REQUEST_TOKENS_SQL = `
  with k as (select * from ratelimit.take($1, 1, $2, $3)),
       t as (select * from ratelimit.take($4, 1, $5, $6) where (select allowed from k)),
       counted as (${apiRequestCountSql("$7::uuid", "(select allowed from t)")} returning 1)
  select k.allowed as key_allowed, k.remaining as key_remaining, k.retry_after_seconds as key_retry,
         t.allowed as tenant_allowed, t.remaining as tenant_remaining, t.retry_after_seconds as tenant_retry
    from k left join t on true`;

interface TakeRow {
  key_allowed: boolean;
  key_remaining: number;
  key_retry: number;
  tenant_allowed: boolean | null;
  tenant_remaining: number | null;
  tenant_retry: number | null;
}

const keyBucketOf = (keyId: string) => `api:key:${keyId}`;

export async function takeRequestTokens(tenantId: string, keyId: string, limits: ApiLimits): Promise<RateOutcome> {
  const keyLimit = perWindow(limits.keyPerMinute, 60);
  const tenantLimit = perWindow(limits.tenantPerMinute, 60);
  const keyBucket = keyBucketOf(keyId);
  const tenantBucket = `api:tenant:${tenantId}`;
  checkArgs(keyBucket, keyLimit, 1);
  checkArgs(tenantBucket, tenantLimit, 1);
  const row = await withServiceRole("ratelimit", async (db) => {
    const { rows } = await db.$client.query<TakeRow>(TAKE_REQUEST_TOKENS_SQL, [
      keyBucket, keyLimit.capacity, keyLimit.refillPerSecond,
      tenantBucket, tenantLimit.capacity, tenantLimit.refillPerSecond,
      tenantId,
    ]);
    return rows[0];
  });
  const k: TakeResult = { allowed: row.key_allowed, remaining: Number(row.key_remaining), retryAfterSeconds: Number(row.key_retry) };
  const keyState = stateOf(keyLimit, k, limits.keyPerMinute);
  if (!k.allowed) return { allowed: false, state: keyState, retryAfter: k.retryAfterSeconds, which: "key" };
  const t: TakeResult = { allowed: !!row.tenant_allowed, remaining: Number(row.tenant_remaining), retryAfterSeconds: Number(row.tenant_retry) };
  const tenantState = stateOf(tenantLimit, t, limits.tenantPerMinute);
  if (!t.allowed) return { allowed: false, state: tenantState, retryAfter: t.retryAfterSeconds, which: "tenant" };
  // The headers describe whichever bucket runs out first.
  return { allowed: true, state: keyState.remaining / keyState.limit <= tenantState.remaining / tenantState.limit ? keyState : tenantState };
}

/**
 * One token of the key's own bucket, for a request refused before the rate limits (after the key
 * check): nothing of the tenant's bucket, and not counted as usage.
 */
export async function takeKeyToken(keyId: string, keyPerMinute: number): Promise<RateOutcome> {
  const limit = perWindow(keyPerMinute, 60);
  const r = await take(keyBucketOf(keyId), limit);
  const state = stateOf(limit, r, keyPerMinute);
  return r.allowed ? { allowed: true, state } : { allowed: false, state, retryAfter: r.retryAfterSeconds, which: "key" };
}

/**
 * The daily ingestion quota, in two steps. `check` (before the request's transaction) refuses a batch the
 * bucket cannot hold, charging nothing; `charge` (in that transaction, after the handler, on its
 * connection) takes the items, so they are paid for only if the request's writes commit: a request
 * refused later (the concurrency cap, a timeout, a revoked key, a fault) costs no quota, and a client's
 * retries of it are not charged again and again. A race past the check is refused at the charge, and
 * the request's writes roll back with it.
 */
export async function checkIngestQuota(tenantId: string, cost: number, perDay: number): Promise<void> {
  if (!(cost > 0)) return;
  if (perDay <= 0) throw problems.quotaExceeded("This tenant may not ingest through the API (its daily quota is 0).", 86_400);
  if (cost > perDay) {
    throw problems.quotaExceeded(`This request has ${cost} items; the tenant's daily quota is ${perDay}. Send smaller batches.`, 86_400);
  }
  const r = await peek(ingestKey(tenantId), ingestLimit(perDay));
  if (r.remaining < cost) throw quotaRefusal(perDay, r.remaining, cost, (cost - r.remaining) / ingestLimit(perDay).refillPerSecond);
}

export async function chargeIngestQuota(tx: TenantTx, tenantId: string, cost: number, perDay: number): Promise<void> {
  if (!(cost > 0)) return;
  const r = await takeWithin(tx.db, ingestKey(tenantId), ingestLimit(perDay), { cost });
  if (!r.allowed) throw quotaRefusal(perDay, r.remaining, cost, r.retryAfterSeconds);
}

/**
 * Items each tenant has ingested within the rolling 24 hours the quota enforces, as of `at` (its
 * bucket's capacity less what is left, rounded up): what health's quota signal compares with the limit.
 * `perDay`: each tenant's limits.api_ingest_per_day; a tenant whose limit is 0 has used nothing of it.
 */
export async function ingestQuotaUsed(db: Db, perDay: ReadonlyMap<string, number>, at: Date): Promise<Map<string, number>> {
  const tenants = [...perDay].filter(([, limit]) => limit > 0);
  const keyToTenant = new Map(tenants.map(([id]) => [ingestKey(id), id]));
  const left = await peekMany(db, [...keyToTenant.keys()], (key) => ingestLimit(perDay.get(keyToTenant.get(key)!)!), at);
  return new Map(tenants.map(([id, limit]) => [id, Math.max(0, Math.ceil(limit - left.get(ingestKey(id))! - 1e-9))]));
}

const ingestKey = (tenantId: string) => `api:ingest:${tenantId}`;
const ingestLimit = (perDay: number): Limit => ({ capacity: perDay, refillPerSecond: perDay / 86_400 });
const quotaRefusal = (perDay: number, remaining: number, cost: number, retryAfterSeconds: number) =>
  problems.quotaExceeded(
    `The tenant's daily ingestion quota (${perDay} items in 24 hours) has ${Math.floor(remaining)} left; this request needs ${cost}. Nothing was written.`,
    retryAfterSeconds,
  );

/**
 * Takes one of the tenant's concurrency slots for the rest of `tx`; throws
 * the 429 problem when all are held. Taken as the transaction's first
 * statement, so a refused request holds nothing.
 */
export async function takeConcurrencySlot(tx: TenantTx, tenantId: string, slots: number): Promise<void> {
  const { rows } = await tx.client.query<{ slot: number | null }>("select api.take_slot($1, $2) as slot", [tenantId, slots]);
  if (rows[0].slot === null) throw problems.concurrency(slots);
}
