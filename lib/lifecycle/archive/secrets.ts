// Small secrets inside an archive, and on their way into Postgres.
//   wrapSecret / unwrapSecret: a DEK or a TOTP secret under a key derived from
//     the transfer key (crypto.ts deriveKeys), AES-256-GCM bound to what it is
//     ("dek|tenant|version", "totp|user"), inside a body sealed again.
//   sealForImport: a DEK under the one-time key Postgres handed out for this
//     restore (keyring.begin_key_import), in the encrypt-then-MAC layout
//     keyring.open_import reads (pgcrypto has no GCM).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { ArchiveError } from "./errors";

const TAG = 16;

/** AES-256-GCM of a small secret (a DEK, a TOTP secret) bound to `aad`: base64 of nonce || ciphertext || tag. */
export function wrapSecret(key: Buffer, aad: string, plain: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG });
  cipher.setAAD(Buffer.from(aad));
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString("base64");
}

export function unwrapSecret(key: Buffer, aad: string, wrapped: string): Buffer {
  const raw = Buffer.from(wrapped, "base64");
  if (raw.length < 12 + TAG) throw new ArchiveError("tampered", `a wrapped secret in the archive is damaged (${aad.split("|")[0]})`);
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12), { authTagLength: TAG });
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(raw.length - TAG));
  try {
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - TAG)), decipher.final()]);
  } catch {
    throw new ArchiveError("tampered", `a wrapped secret in the archive failed its integrity check (${aad.split("|")[0]})`);
  }
}

/**
 * A DEK sealed under the one-time key Postgres handed out
 * (keyring.begin_key_import), in the encrypt-then-MAC form keyring.open_import
 * reads: 0x01 || iv || AES-256-CBC(dek) || HMAC-SHA256 over aad || the first 49 bytes.
 */
export function sealForImport(importKey: Buffer, tenantId: string, version: number, dek: Buffer): Buffer {
  if (dek.length !== 32 || importKey.length !== 32) throw new Error("sealForImport: keys are 32 bytes");
  const encKey = createHmac("sha256", importKey).update("mssp-portal/dek-import/enc").digest();
  const macKey = createHmac("sha256", importKey).update("mssp-portal/dek-import/mac").digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", encKey, iv).setAutoPadding(false);
  const body = Buffer.concat([Buffer.of(1), iv, cipher.update(dek), cipher.final()]);
  const aad = Buffer.from(`mssp-portal/dek-import/v1|${tenantId}|${version}`);
  return Buffer.concat([body, createHmac("sha256", macKey).update(Buffer.concat([aad, body])).digest()]);
}
