// Tenant keys for the application: unwrapped DEKs come from the database
// (keyring.unwrap_dek, service role) as query results, never as statement
// text, and are kept in a small in-process cache so opening a credential costs
// one AES-GCM operation, not a round trip.
//
// The cache is per process and bounded in time: a key destroyed or retired by
// another process stops opening anything here within VAULT_KEY_CACHE_TTL_MS
// (default 60 s); in this process it stops at once (evictTenantKeys).
import { sql } from "drizzle-orm";
import { withServiceRole, withServiceRoleOn } from "@/lib/db/service-role";
import { sqlState } from "@/lib/db/sql-state";
import type { Db } from "@/lib/db/with-tenant";
import { TenantKeyUnavailableError } from "./errors";
import { settings } from "@/lib/config";

const MAX_ENTRIES = 10_000;

interface CachedKey {
  dek: Buffer;
  expiresAt: number;
}
const cache = new Map<string, CachedKey>();
const cacheKey = (tenantId: string, version: number) => `${tenantId}:${version}`;

function remember(tenantId: string, version: number, dek: Buffer) {
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(cacheKey(tenantId, version), { dek, expiresAt: Date.now() + settings().VAULT_KEY_CACHE_TTL_MS });
}

function cached(tenantId: string, version: number): Buffer | undefined {
  const hit = cache.get(cacheKey(tenantId, version));
  if (!hit) return undefined;
  if (hit.expiresAt <= Date.now()) {
    cache.delete(cacheKey(tenantId, version));
    return undefined;
  }
  return hit.dek;
}

/** Forget every cached DEK of a tenant (after a rotation step or a shred). */
export function evictTenantKeys(tenantId: string) {
  for (const key of cache.keys()) if (key.startsWith(`${tenantId}:`)) cache.delete(key);
}

/** Forget every cached DEK (the key-event listener, lib/vault/key-events.ts, whenever it may have missed a notification; tests). A KEK rotation does not need it: DEKs do not change. */
export function clearKeyCache() {
  cache.clear();
}

function unavailable(tenantId: string, version: number | null, error: unknown): never {
  const code = sqlState(error);
  const reason =
    code === "P0002"
      ? "no such key version"
      : code === "55000"
        ? "it was rotated out or destroyed, so what it sealed can no longer be opened"
        : code === "XX001"
          ? "its wrapped form failed its integrity check"
          : "the key service failed";
  throw new TenantKeyUnavailableError(tenantId, version, reason, code === "P0002" || code === "55000");
}

async function unwrap(db: Db, tenantId: string, version: number): Promise<Buffer> {
  try {
    const result = await db.execute<{ dek: Buffer }>(sql`select keyring.unwrap_dek(${tenantId}::uuid, ${version}) as dek`);
    return result.rows[0].dek;
  } catch (error) {
    unavailable(tenantId, version, error);
  }
}

/**
 * The DEK of one version of the calling API key's own tenant, inside that
 * key's withTenant transaction (a collector): api.unwrap_own_dek checks the key
 * is live and holds collectors:write, so no service role is needed. Runs in a
 * savepoint, so a key that is gone leaves the transaction usable (the caller
 * audits the failure in it). Not cached: a collector opens a few credentials
 * per cycle, and a revocation must stop the next one.
 */
export async function ownKeyDekFor(db: Db, tenantId: string, version: number): Promise<Buffer> {
  await db.$client.query("savepoint own_dek");
  try {
    const { rows } = await db.$client.query<{ dek: Buffer }>("select api.unwrap_own_dek($1) as dek", [version]);
    await db.$client.query("release savepoint own_dek");
    return rows[0].dek;
  } catch (error) {
    await db.$client.query("rollback to savepoint own_dek");
    if (sqlState(error) === "42501") throw error; // not a key that may: not a missing key
    unavailable(tenantId, version, error);
  }
}

/** The DEK of one version of a tenant's key, to open what it sealed. */
export async function dekFor(tenantId: string, version: number, within?: Db): Promise<Buffer> {
  const hit = cached(tenantId, version);
  if (hit) return hit;
  const dek = await withServiceRoleOn("vault.keys", within, (db) => unwrap(db, tenantId, version));
  remember(tenantId, version, dek);
  return dek;
}

/** Which version of the tenant's key is active (null: none, its keys were destroyed), inside a service-role transaction. */
export async function activeKeyVersion(db: Db, tenantId: string): Promise<number | null> {
  const result = await db.execute<{ version: number | null }>(
    sql`select max(version) filter (where status = 'active') as version from keyring.key_status(${tenantId}::uuid)`,
  );
  return result.rows[0]?.version ?? null;
}

/** The tenant's active key, to seal with. Always asks the database which version is active. */
export async function activeKeyFor(tenantId: string, within?: Db): Promise<{ version: number; dek: Buffer }> {
  const version = await withServiceRoleOn("vault.keys", within, (db) => activeKeyVersion(db, tenantId));
  if (version === null) throw new TenantKeyUnavailableError(tenantId, null, "the tenant has no active key");
  return { version, dek: await dekFor(tenantId, version, within) };
}

export interface TenantKeyVersion {
  version: number;
  status: "active" | "retiring" | "retired" | "destroyed";
  kekVersion: number | null;
  /** The MSSP whose KEK wraps (or last wrapped) this version. */
  kekRootId: string | null;
  /**
   * It still opens something and another MSSP's KEK than its tenant's own
   * wraps it: left behind by a move made before keys followed moves. The next
   * KEK rotation of either MSSP re-wraps it.
   */
  foreignRoot: boolean;
  createdAt: Date;
  retiredAt: Date | null;
}

export interface KekVersion {
  version: number;
  status: "active" | "retired";
  createdAt: Date;
  retiredAt: Date | null;
  /** DEK versions it wraps (that still open something). */
  wraps: number;
  /** Of those, the DEKs of tenants now under another MSSP. */
  foreignWraps: number;
  /** When a retired version's Vault secret was overwritten; null while its material is still there. */
  materialOverwrittenAt: Date | null;
}

/** One row of keyring.kek_status(). */
export interface KekStatusRow {
  version: number;
  status: KekVersion["status"];
  created_at: string | Date;
  retired_at: string | Date | null;
  wraps: string | number;
  foreign_wraps: string | number;
  material_overwritten_at: string | Date | null;
}

const dateOrNull = (d: string | Date | null) => (d ? new Date(d) : null);

export const kekVersionOf = (r: KekStatusRow): KekVersion => ({
  version: r.version,
  status: r.status,
  createdAt: new Date(r.created_at),
  retiredAt: dateOrNull(r.retired_at),
  wraps: Number(r.wraps),
  foreignWraps: Number(r.foreign_wraps),
  materialOverwrittenAt: dateOrNull(r.material_overwritten_at),
});

/** The versions of an MSSP's KEK, newest first, with how many DEKs each wraps. */
export async function kekVersions(rootTenantId: string): Promise<KekVersion[]> {
  return withServiceRole("vault.keys", async (db) => {
    const result = await db.execute<KekStatusRow & Record<string, unknown>>(sql`select * from keyring.kek_status(${rootTenantId}::uuid)`);
    return result.rows.map(kekVersionOf);
  });
}

/**
 * Crypto-shredding: erase every version of the tenant's DEK. Every credential
 * the tenant had becomes noise, in the database and in every backup taken
 * after the KEK that wrapped those keys is rotated. Deprovisioning calls this.
 */
export async function destroyTenantKeys(tenantId: string): Promise<number> {
  const destroyed = await withServiceRole("vault.keys", async (db) => {
    const result = await db.execute<{ n: number }>(sql`select keyring.destroy_tenant_keys(${tenantId}::uuid) as n`);
    return result.rows[0].n;
  });
  evictTenantKeys(tenantId);
  return destroyed;
}

export interface KekRotation {
  newVersion: number;
  /** DEK versions re-wrapped, `repaired` included. */
  rewrapped: number;
  /** Of those, keys moved to their tenant's own MSSP's KEK (left on the wrong side of a move made before keys followed moves). */
  repaired: number;
}

/**
 * Rotate an MSSP's KEK in one transaction: re-wraps every DEK any version of
 * it wraps (by the keyring's rows, not the tree), repairs keys on the wrong
 * side of an old move, and retires and overwrites the old version.
 */
export async function rotateKek(rootTenantId: string): Promise<KekRotation> {
  return withServiceRole("vault.keys", async (db) => {
    const result = await db.execute<{ new_version: number; rewrapped: number; repaired: number }>(
      sql`select * from keyring.rotate_kek(${rootTenantId}::uuid)`,
    );
    const r = result.rows[0];
    return { newVersion: r.new_version, rewrapped: r.rewrapped, repaired: r.repaired };
  });
}
