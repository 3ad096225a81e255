// The raw vendor payload of an ingested alert, sealed under the tenant's data
// key exactly as the vault seals a credential (lib/crypto/aead: AES-256-GCM,
// the tenant DEK from lib/vault/keys), with its own label in the additional
// authenticated data:
//
//   mssp-portal/raw-event/v1|<tenant id>|<alert id>|<key version>
//
// so bytes copied to another alert or tenant, or relabelled with another key
// version, do not open. The database only sees the sealed bytes, as a bind
// parameter; the payload is opened only for the alert's detail page after
// the PDP allowed alerts:read (lib/alerts/detail.ts). Destroying the tenant's
// keys (offboarding's crypto-shredding) leaves every raw event unreadable,
// in the database and in any backup; a DEK rotation re-seals them
// (resealRawEvents, called by lib/vault/rotation.ts) before the old version
// is erased.
import { open, seal, MIN_SEALED_BYTES } from "@/lib/crypto/aead";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { activeKeyFor, dekFor, evictTenantKeys } from "@/lib/vault/keys";
import { TenantKeyUnavailableError } from "@/lib/vault/errors";

const FORMAT = 0x01;

export interface RawSealContext {
  tenantId: string;
  alertId: string;
  keyVersion: number;
}

const aad = (c: RawSealContext) => `mssp-portal/raw-event/v1|${c.tenantId}|${c.alertId}|${c.keyVersion}`;

/** A raw event that does not open: its key is gone, or the row was altered or moved. Names nothing secret. */
export class RawEventUnavailableError extends Error {
  override readonly name = "RawEventUnavailableError";
  constructor(readonly reason: "key_unavailable" | "integrity") {
    super(
      reason === "key_unavailable"
        ? "the raw event cannot be opened: the tenant key it was sealed with is gone (destroyed or rotated out)"
        : "the raw event failed its integrity check (altered, or copied from another alert or tenant); it was not opened",
    );
  }
}

export function sealRawEvent(dek: Buffer, ctx: RawSealContext, json: string): Buffer {
  if (dek.length !== 32) throw new Error("sealRawEvent: a DEK is 32 bytes");
  return Buffer.concat([Buffer.of(FORMAT), seal(dek, aad(ctx), json)]);
}

export function openRawEvent(dek: Buffer, ctx: RawSealContext, sealed: Uint8Array): string {
  if (sealed.length < 1 + MIN_SEALED_BYTES || sealed[0] !== FORMAT) throw new RawEventUnavailableError("integrity");
  try {
    return open(dek, aad(ctx), Buffer.from(sealed).subarray(1)).toString("utf8");
  } catch {
    throw new RawEventUnavailableError("integrity");
  }
}

/** Opens a stored raw event with its own version's DEK. */
export async function openStoredRawEvent(ctx: RawSealContext, sealed: Uint8Array, within?: Db): Promise<string> {
  let dek: Buffer;
  try {
    dek = await dekFor(ctx.tenantId, ctx.keyVersion, within);
  } catch (error) {
    if (error instanceof TenantKeyUnavailableError) throw new RawEventUnavailableError("key_unavailable");
    throw error;
  }
  return openRawEvent(dek, ctx, sealed);
}

/**
 * The tenant's active key, to seal with (null when the tenant has none: its keys were destroyed).
 * `within`: the ingest's own transaction, so the keyring is read on the connection it holds.
 */
export async function sealingKey(tenantId: string, fresh = false, within?: Db): Promise<{ version: number; dek: Buffer } | null> {
  if (fresh) evictTenantKeys(tenantId);
  try {
    return await activeKeyFor(tenantId, within);
  } catch (error) {
    if (error instanceof TenantKeyUnavailableError) return null;
    throw error;
  }
}

/**
 * DEK rotation's step for raw events: re-seals, in batches of `batchSize`
 * (each its own service-role transaction), every raw event of the tenant
 * sealed under a version older than `target`. A row is written back only if
 * it still holds exactly the bytes that were opened. Rows that do not open
 * are left as they are and counted (the old version is then kept).
 */
export async function resealRawEvents(tenantId: string, target: number, batchSize = 500): Promise<{ resealed: number; unopenable: number }> {
  const targetDek = await dekFor(tenantId, target);
  let resealed = 0;
  let unopenable = 0;
  let after: string | null = null;
  for (;;) {
    const batch: { read: number; written: number; bad: number; last: string | null } = await withServiceRole("jobs.worker", async (db) => {
      const { rows } = await db.$client.query<{ alert_id: string; key_version: number; sealed: Buffer }>(
        `select alert_id, key_version, sealed from public.alert_raw_events
          where tenant_id = $1 and key_version < $2 and ($3::uuid is null or alert_id > $3::uuid)
          order by alert_id limit $4`,
        [tenantId, target, after, batchSize],
      );
      if (rows.length === 0) return { read: 0, written: 0, bad: 0, last: after };
      const ids: string[] = [];
      const oldSealed: Buffer[] = [];
      const newSealed: Buffer[] = [];
      let bad = 0;
      for (const r of rows) {
        let json: string;
        try {
          json = await openStoredRawEvent({ tenantId, alertId: r.alert_id, keyVersion: r.key_version }, r.sealed);
        } catch (error) {
          if (error instanceof RawEventUnavailableError) {
            bad++;
            continue;
          }
          throw error;
        }
        ids.push(r.alert_id);
        oldSealed.push(r.sealed);
        newSealed.push(sealRawEvent(targetDek, { tenantId, alertId: r.alert_id, keyVersion: target }, json));
      }
      let written = 0;
      if (ids.length > 0) {
        const result = await db.$client.query(
          `update public.alert_raw_events r set sealed = n.new_sealed, key_version = $2
             from unnest($3::uuid[], $4::bytea[], $5::bytea[]) as n(alert_id, old_sealed, new_sealed)
            where r.tenant_id = $1 and r.alert_id = n.alert_id and r.sealed = n.old_sealed`,
          [tenantId, target, ids, oldSealed, newSealed],
        );
        written = result.rowCount ?? 0;
      }
      return { read: rows.length, written, bad, last: rows[rows.length - 1].alert_id };
    });
    if (batch.read === 0) break;
    resealed += batch.written;
    unopenable += batch.bad;
    after = batch.last;
  }
  return { resealed, unopenable };
}

/** The raw event as the alert page shows it: pretty JSON, or why it cannot be shown. */
export type RawEventView = { state: "open"; json: string } | { state: "unavailable"; reason: string };

/**
 * Reads and opens an alert's raw event, in the caller's withTenant
 * transaction (RLS: only a tenant the caller sees). Call it only after the
 * PDP allowed alerts:read on the alert's tenant (lib/alerts/detail.ts does).
 * null when the alert has none (made in the portal, or sent without `raw`).
 */
export async function loadRawEventView(
  client: { query: (sql: string, params: unknown[]) => Promise<{ rows: any[] }> },
  tenantId: string,
  alertId: string,
  within?: Db,
): Promise<RawEventView | null> {
  const { rows } = await client.query(`select sealed, key_version from public.alert_raw_events where tenant_id = $1 and alert_id = $2`, [tenantId, alertId]);
  const row = rows[0] as { sealed: Buffer; key_version: number } | undefined;
  if (!row) return null;
  try {
    const json = await openStoredRawEvent({ tenantId, alertId, keyVersion: row.key_version }, row.sealed, within);
    return { state: "open", json: JSON.stringify(JSON.parse(json), null, 2) };
  } catch (error) {
    if (!(error instanceof RawEventUnavailableError)) throw error;
    return {
      state: "unavailable",
      reason:
        error.reason === "key_unavailable"
          ? "The raw event can no longer be opened: the tenant's data key it was sealed with has been destroyed."
          : "The raw event failed its integrity check (it was altered or does not belong to this alert), so it is not shown.",
    };
  }
}
