// A webhook channel's signing secret at rest: sealed in the application with
// the tenant's data key (the vault's DEK, as credentials are; lib/crypto/aead
// is the one AES-GCM), bound to tenant, channel and key version, so the bytes
// copied to another channel or tenant do not open. The table only ever sees
// the sealed bytes as a bind parameter. The seal-key trigger on the table
// refuses a write under a key that is not the active one (a rotation in
// flight), and resealChannelSecrets is the rotation's step for channels
// (lib/vault/rotation.ts calls it beside the credentials' re-seal).
import { randomBytes } from "node:crypto";
import { open, seal, MIN_SEALED_BYTES } from "@/lib/crypto/aead";
import type { Db } from "@/lib/db/with-tenant";
import { isKeyServiceFailure, TenantKeyUnavailableError } from "@/lib/vault/errors";
import { activeKeyFor, dekFor } from "@/lib/vault/keys";

const FORMAT = 0x01;

export interface ChannelSealContext {
  tenantId: string;
  channelId: string;
  keyVersion: number;
}

const aad = (c: ChannelSealContext) => `mssp-portal/webhook-secret/v1|${c.tenantId}|${c.channelId}|${c.keyVersion}`;

export class ChannelSecretError extends Error {
  override readonly name = "ChannelSecretError";
  constructor() {
    super("the channel's signing secret does not open (its key is gone or the row was altered); use \"Replace secret\" on the channel to set a new one");
  }
}

/** A new random signing secret: 32 bytes, shown once as "whsec_" + base64url. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function sealChannelSecret(dek: Buffer, ctx: ChannelSealContext, secret: string): Buffer {
  return Buffer.concat([Buffer.of(FORMAT), seal(dek, aad(ctx), secret)]);
}

export function openChannelSecret(dek: Buffer, ctx: ChannelSealContext, sealed: Buffer): string {
  if (sealed.length < 1 + MIN_SEALED_BYTES || sealed[0] !== FORMAT) throw new ChannelSecretError();
  try {
    return open(dek, aad(ctx), sealed.subarray(1)).toString("utf8");
  } catch {
    throw new ChannelSecretError();
  }
}

/** Sealed under the tenant's active key: what a write stores. */
export async function sealForWrite(tenantId: string, channelId: string, secret: string): Promise<{ sealed: Buffer; keyVersion: number }> {
  const key = await activeKeyFor(tenantId);
  return { sealed: sealChannelSecret(key.dek, { tenantId, channelId, keyVersion: key.version }, secret), keyVersion: key.version };
}

/**
 * The channel's signing secret could not be opened this time because the tenant's key could not be
 * had: the key service (Vault and the MSSP's KEK behind keyring.unwrap_dek) failed or is unavailable,
 * or the wrapped key did not unwrap. Nothing is known to be wrong with the secret (its bytes were not
 * checked), so this is not a ChannelSecretError: a delivery that meets it is retried like any
 * transient failure. Names nothing secret; `cause` is the TenantKeyUnavailableError.
 */
export class ChannelKeyServiceError extends Error {
  override readonly name = "ChannelKeyServiceError";
  constructor(cause: TenantKeyUnavailableError) {
    super("key service unavailable: the channel's signing secret could not be opened this time (nothing is known to be wrong with it); the delivery is retried", {
      cause,
    });
  }
}

/**
 * Opens a channel's stored signing secret with its own version's DEK. A key version the keyring says
 * is gone for good, or bytes that fail their check: ChannelSecretError (retrying cannot help). A key
 * that could not be had this time: ChannelKeyServiceError (retrying may). Anything else (the
 * database failing) is thrown as it is.
 */
export async function openStored(tenantId: string, channelId: string, keyVersion: number, sealed: Buffer): Promise<string> {
  let dek: Buffer;
  try {
    dek = await dekFor(tenantId, keyVersion);
  } catch (error) {
    if (isKeyServiceFailure(error)) throw new ChannelKeyServiceError(error);
    if (error instanceof TenantKeyUnavailableError) throw new ChannelSecretError();
    throw error;
  }
  return openChannelSecret(dek, { tenantId, channelId, keyVersion }, sealed);
}

/**
 * Re-seals every channel secret of `tenantId` sealed under a version older
 * than `target` (service-role `db`, inside the rotation's transaction). Rows
 * that do not open (their bytes fail, or their key version is gone) are left
 * as they are and counted; a key service that fails throws (not counted).
 */
export async function resealChannelSecrets(db: Db, tenantId: string, target: number): Promise<{ resealed: number; unopenable: number }> {
  const { rows } = await db.$client.query<{ id: string; key_version: number; secret_sealed: Buffer }>(
    `select id, key_version, secret_sealed from public.notification_channels
      where tenant_id = $1 and key_version < $2 for update`,
    [tenantId, target],
  );
  if (rows.length === 0) return { resealed: 0, unopenable: 0 };
  const targetDek = await dekFor(tenantId, target);
  let resealed = 0;
  let unopenable = 0;
  for (const row of rows) {
    let dek: Buffer;
    try {
      dek = await dekFor(tenantId, row.key_version);
    } catch (error) {
      // Only a version the keyring says is gone for good makes a row that does not open; a key service
      // that fails (or a wrapped key that does not unwrap) stops the rotation, which is then retried.
      if (error instanceof TenantKeyUnavailableError && error.gone) {
        unopenable++;
        continue;
      }
      throw error;
    }
    let secret: string;
    try {
      secret = openChannelSecret(dek, { tenantId, channelId: row.id, keyVersion: row.key_version }, row.secret_sealed);
    } catch {
      unopenable++;
      continue;
    }
    const sealed = sealChannelSecret(targetDek, { tenantId, channelId: row.id, keyVersion: target }, secret);
    await db.$client.query(`update public.notification_channels set secret_sealed = $3, key_version = $4 where tenant_id = $1 and id = $2`, [
      tenantId,
      row.id,
      sealed,
      target,
    ]);
    resealed++;
  }
  return { resealed, unopenable };
}
