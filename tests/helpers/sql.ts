// Small SQL helpers for tests that try to break isolation.
import assert from "node:assert/strict";
import type pg from "pg";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import type { Fixtures, TenantSlug, UserName } from "./fixtures";

type Queryable = Pick<pg.ClientBase, "query">;
export type Outcome = { ok: true; rowCount: number; rows: any[] } | { ok: false; code: string; message: string };

/**
 * Runs one statement inside a savepoint, so a refused statement does not abort
 * the surrounding transaction, and reports what happened instead of throwing.
 */
export async function attempt(client: Queryable, sql: string, params: unknown[] = []): Promise<Outcome> {
  await client.query("savepoint attempt");
  try {
    const r = await client.query(sql, params);
    await client.query("release savepoint attempt");
    return { ok: true, rowCount: r.rowCount ?? 0, rows: r.rows };
  } catch (error) {
    await client.query("rollback to savepoint attempt");
    const e = error as { code?: string; message: string };
    return { ok: false, code: e.code ?? "?", message: e.message };
  }
}

/** The statement raised `code` (42501 = insufficient privilege / RLS violation). */
export function assertRefused(o: Outcome, code = "42501"): void {
  assert.equal(o.ok, false, `expected SQLSTATE ${code}, but the statement succeeded (${o.ok && o.rowCount} rows)`);
  if (!o.ok) assert.equal(o.code, code, `expected SQLSTATE ${code}, got ${o.code}: ${o.message}`);
}

/** The statement succeeded and touched/returned exactly `n` rows (or at least 1 when n is omitted). */
export function assertRows(o: Outcome, n?: number): void {
  assert.ok(o.ok, `statement failed: ${!o.ok && `${o.code} ${o.message}`}`);
  if (o.ok) {
    if (n === undefined) assert.ok(o.rowCount > 0, "expected at least one row");
    else assert.equal(o.rowCount, n);
  }
}

/** Runs `sql` as the owner in a transaction that is rolled back. */
export async function asOwnerRolledBack(owner: pg.Client, sql: string, params: unknown[] = []): Promise<Outcome> {
  await owner.query("begin");
  try {
    return await attempt(owner, sql, params);
  } finally {
    await owner.query("rollback");
  }
}

export function caller(fx: Fixtures, user: UserName, active?: TenantSlug) {
  return { userId: fx.users[user], activeTenantId: active ? fx.tenants[active] : null };
}

/** withTenant as a fixture user; commits. */
export function as<T>(fx: Fixtures, user: UserName, fn: (tx: TenantTx) => Promise<T>, active?: TenantSlug) {
  return withTenant(caller(fx, user, active), fn);
}

const ROLLBACK = Symbol("rollback");

/** withTenant as a fixture user, rolled back at the end; returns fn's result. */
export async function asRolledBack<T>(
  fx: Fixtures,
  user: UserName,
  fn: (tx: TenantTx) => Promise<T>,
  active?: TenantSlug,
): Promise<T> {
  let result: T | undefined;
  try {
    await withTenant(caller(fx, user, active), async (tx) => {
      result = await fn(tx);
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return result as T;
}

/** Slugs of the distinct tenants a query's `tenant_id` (or `id`) column covers, sorted. */
export function slugsOf(fx: Fixtures, rows: { tenant_id: string }[]): TenantSlug[] {
  return [...new Set(rows.map((r) => fx.slugOf(r.tenant_id)))].sort();
}

/**
 * One statement that sets this transaction's claims as the access-token hook builds them for a
 * person (with `tenantId` as the active tenant), the way withTenant's opening does: for tests that
 * switch claims inside one transaction on an owner connection.
 */
export const claimsOf = (userId: string, tenantId: string | null = null) =>
  `select set_config('request.jwt.claims', (public.custom_access_token_hook(jsonb_build_object('user_id', '${userId}'::text,
     'claims', jsonb_build_object('sub', '${userId}'::text, 'role', 'authenticated', 'aud', 'authenticated', 'tenant_id', ${tenantId ? `'${tenantId}'::text` : "null"}))) -> 'claims')::text, true)`;
