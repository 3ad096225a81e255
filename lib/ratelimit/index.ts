// The shared rate limiter: token buckets in Postgres (migration
// 20261130000600_rate_limits), so every replica draws from the same bucket.
// No state is kept in this process.
//
//   const limit = perWindow(30, 60);                 // 30 per minute, bursts of 30
//   const r = await take(`api:${tenantId}`, limit);  // { allowed, remaining, retryAfterSeconds }
//   if (!r.allowed) return tooManyRequests(r.retryAfterSeconds);
//
// `take` is one atomic SQL call (ratelimit.take): it locks the bucket's row
// until its transaction ends, so concurrent takers never share a token. Pass
// `db` to run it inside a service-role transaction you already hold (the lock
// is then held until that transaction ends: keep it short); without it, it
// runs in its own transaction through the named service-role path "ratelimit".
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/with-tenant";
import { withServiceRole, withServiceRoleIn } from "@/lib/db/service-role";

export interface Limit {
  /** The most tokens a bucket holds (the largest burst). */
  capacity: number;
  /** Tokens added per second, up to `capacity`. */
  refillPerSecond: number;
}

export interface TakeResult {
  /** The tokens were there and are now spent. */
  allowed: boolean;
  /** Tokens left after this take (fractional while refilling). */
  remaining: number;
  /** Seconds until a take of max(cost, 1) would succeed; 0 when it would now. */
  retryAfterSeconds: number;
}

export interface TakeOptions {
  /** Tokens to take (default 1); 0 looks without taking. */
  cost?: number;
  /** The time to refill up to; default the database's now(). */
  at?: Date;
  /** A transaction already running as service_role (withServiceRole) to take in. */
  db?: Db;
}

/** `count` takes per `seconds`, with bursts of up to `burst` (default `count`). */
export function perWindow(count: number, seconds: number, burst = count): Limit {
  return { capacity: burst, refillPerSecond: count / seconds };
}

const MAX_KEY = 200;

/** Throws on a key, limit or cost that ratelimit.take would refuse (for callers that build their own statement around it). */
export function checkArgs(key: string, limit: Limit, cost: number): void {
  if (!key || key.length > MAX_KEY) throw new Error(`rate limit key must be 1-${MAX_KEY} characters`);
  if (!(limit.capacity > 0) || !(limit.refillPerSecond > 0) || !Number.isFinite(limit.capacity) || !Number.isFinite(limit.refillPerSecond)) {
    throw new Error("rate limit capacity and refillPerSecond must be finite numbers > 0");
  }
  if (!(cost >= 0) || !Number.isFinite(cost)) throw new Error("rate limit cost must be a finite number >= 0");
}

/** Takes `cost` tokens (default 1) from the bucket `key`, atomically across every replica. */
export async function take(key: string, limit: Limit, opts: TakeOptions = {}): Promise<TakeResult> {
  const cost = opts.cost ?? 1;
  checkArgs(key, limit, cost);
  const run = async (db: Db) => {
    const { rows } = await db.$client.query<{ allowed: boolean; remaining: number; retry_after_seconds: number }>(
      "select allowed, remaining, retry_after_seconds from ratelimit.take($1, $2, $3, $4, $5)",
      [key, cost, limit.capacity, limit.refillPerSecond, opts.at ?? null],
    );
    const r = rows[0];
    return { allowed: r.allowed, remaining: Number(r.remaining), retryAfterSeconds: Number(r.retry_after_seconds) };
  };
  return opts.db ? run(opts.db) : withServiceRole("ratelimit", run);
}

/**
 * `take` on a tenant transaction's own connection, as the service role for the length of the call:
 * code inside withTenant never waits for a second pooled connection while holding one
 * (lib/db/held-connection.ts), and the bucket's lock ends with the caller's transaction.
 */
export function takeWithin(db: Db, key: string, limit: Limit, opts: Omit<TakeOptions, "db"> = {}): Promise<TakeResult> {
  return withServiceRoleIn("ratelimit", db, (serviceDb) => take(key, limit, { ...opts, db: serviceDb }));
}

/** Whole minutes (at least 1) until a refused take would succeed: what a refusal tells a person to wait. */
export function minutesToWait(r: TakeResult): number {
  return Math.max(1, Math.ceil(r.retryAfterSeconds / 60));
}

/** The bucket as it stands, without taking anything. */
export function peek(key: string, limit: Limit, opts: Omit<TakeOptions, "cost"> = {}): Promise<TakeResult> {
  return take(key, limit, { ...opts, cost: 0 });
}

/**
 * Many buckets as they stand at `at`, in one read that takes no lock (for reports, not for admission):
 * each key's tokens left under `limitOf(key)`; a key without a row is full. `db`: a service-role
 * transaction (service_role reads ratelimit.buckets).
 */
export async function peekMany(db: Db, keys: readonly string[], limitOf: (key: string) => Limit, at: Date): Promise<Map<string, number>> {
  const out = new Map(keys.map((k) => [k, limitOf(k).capacity]));
  if (keys.length === 0) return out;
  const { rows } = await db.$client.query<{ key: string; tokens: number; updated_at: Date }>(
    "select key, tokens, updated_at from ratelimit.buckets where key = any ($1::text[])",
    [keys],
  );
  for (const r of rows) {
    const limit = limitOf(r.key);
    const elapsed = Math.max(0, (at.getTime() - new Date(r.updated_at).getTime()) / 1000);
    out.set(r.key, Math.min(limit.capacity, Number(r.tokens) + elapsed * limit.refillPerSecond));
  }
  return out;
}

/** Forgets the bucket `key`: it is full again. */
export async function reset(key: string, opts: { db?: Db } = {}): Promise<void> {
  if (!key || key.length > MAX_KEY) throw new Error(`rate limit key must be 1-${MAX_KEY} characters`);
  const run = (db: Db) => db.execute(sql`select ratelimit.reset(${key})`).then(() => undefined);
  return opts.db ? run(opts.db) : withServiceRole("ratelimit", run);
}

export { clientSource, trustedProxyHops, UNKNOWN_SOURCE } from "./client-ip";
