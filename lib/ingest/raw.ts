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
import { log, safeError } from "@/lib/log";
import { TenantKeyUnavailableError } from "@/lib/vault/errors";

const FORMAT = 0x01;

export interface RawSealContext {
  tenantId: string;
  alertId: string;
  keyVersion: number;
}

const aad = (c: RawSealContext) => `mssp-portal/raw-event/v1|${c.tenantId}|${c.alertId}|${c.keyVersion}`;

/**
 * A raw event that can never be opened, by anyone: the key version it was sealed with is gone for good
 * (the keyring says it was destroyed, rotated out and erased, or never existed), or its bytes fail their
 * check with the right key (altered, or moved from another alert or tenant). Names nothing secret.
 * A key service that fails is not this: see RawEventKeyServiceError.
 */
export class RawEventUnavailableError extends Error {
  override readonly name = "RawEventUnavailableError";
  constructor(readonly reason: "key_gone" | "integrity") {
    super(
      reason === "key_gone"
        ? "the raw event cannot be opened: the tenant key it was sealed with is gone (destroyed or rotated out)"
        : "the raw event failed its integrity check (altered, or copied from another alert or tenant); it was not opened",
    );
  }
}

/**
 * The raw event was not opened because the tenant's key could not be had this time: the key service
 * (Vault and the MSSP's KEK behind keyring.unwrap_dek) failed or is unavailable, or the wrapped key did
 * not unwrap. Nothing is known to be wrong with the raw event itself (its bytes were not checked), so
 * it is never counted or offered for deletion as one that does not open; trying again may work.
 * Names the tenant and the key version, nothing secret; `cause` is the TenantKeyUnavailableError.
 */
export class RawEventKeyServiceError extends Error {
  override readonly name = "RawEventKeyServiceError";
  constructor(readonly tenantId: string, readonly keyVersion: number, cause: TenantKeyUnavailableError) {
    super(
      `The key service could not give key version ${keyVersion} of tenant ${tenantId} (${cause.reason}), ` +
        "so raw events sealed under it were not opened. This is not a sign that they are damaged, and none was counted as not opening. " +
        "Try again once the key service answers (docs/keys-runbook.md).",
      { cause },
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

/**
 * The DEK of the version a raw event names. A version the keyring says is gone for good:
 * RawEventUnavailableError("key_gone"); a key that could not be had this time (the key service
 * failed, the KEK is not available, the wrapped key did not unwrap): RawEventKeyServiceError.
 */
export async function rawEventDek(tenantId: string, keyVersion: number, within?: Db): Promise<Buffer> {
  try {
    return await dekFor(tenantId, keyVersion, within);
  } catch (error) {
    if (!(error instanceof TenantKeyUnavailableError)) throw error;
    if (error.gone) throw new RawEventUnavailableError("key_gone");
    throw new RawEventKeyServiceError(tenantId, keyVersion, error);
  }
}

/** Opens a stored raw event with its own version's DEK (errors: rawEventDek, openRawEvent). */
export async function openStoredRawEvent(ctx: RawSealContext, sealed: Uint8Array, within?: Db): Promise<string> {
  return openRawEvent(await rawEventDek(ctx.tenantId, ctx.keyVersion, within), ctx, sealed);
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
 * (RawEventUnavailableError) are left as they are and counted (the old version
 * is then kept). A key service that fails stops it (RawEventKeyServiceError,
 * not counted): the rotation fails and is retried, nothing is called unopenable.
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

/**
 * The raw event as the alert page shows it: pretty JSON; or why it can never be shown
 * ("unavailable": its key is gone, or it failed its integrity check); or that the key
 * service failed just now and the page may be loaded again ("key_service": nothing is
 * known to be wrong with the raw event).
 */
export type RawEventView =
  | { state: "open"; json: string }
  | { state: "unavailable"; why: "key_gone" | "integrity"; reason: string }
  | { state: "key_service"; reason: string };

export const RAW_EVENT_KEY_SERVICE_TEXT =
  "The raw event could not be opened just now: the key service that unlocks this tenant's data key is unavailable or failing. " +
  "This is not an integrity failure: the raw event was not checked, and nothing suggests it was altered. " +
  "Reload the page in a few minutes; if it keeps happening, ask your MSSP to check the key service.";

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
    if (error instanceof RawEventKeyServiceError) {
      log.warn({ event: "ingest.raw-event-key-service", tenantId, alertId, keyVersion: row.key_version, err: safeError(error.cause) }, "raw event not opened: the key service failed");
      return { state: "key_service", reason: RAW_EVENT_KEY_SERVICE_TEXT };
    }
    if (!(error instanceof RawEventUnavailableError)) throw error;
    return {
      state: "unavailable",
      why: error.reason,
      reason:
        error.reason === "key_gone"
          ? "The raw event can no longer be opened: the tenant's data key it was sealed with has been destroyed."
          : "The raw event failed its integrity check (it was altered or does not belong to this alert), so it is not shown.",
    };
  }
}
