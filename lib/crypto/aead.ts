// AES-256-GCM, the one implementation every sealed value in the portal uses
// (tenant credentials, TOTP secrets, queued mail). Layout of the result:
//
//   12-byte random nonce || ciphertext || 16-byte tag
//
// Callers add their own format marker in front and bind the value to its
// place (tenant, row, user) through the additional authenticated data, so a
// sealed value copied elsewhere fails to open instead of opening.
// A random 96-bit nonce per seal keeps each key far below GCM's 2^32-message bound.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** The smallest sealed value (one byte of plaintext). */
export const MIN_SEALED_BYTES = NONCE_BYTES + 1 + TAG_BYTES;

/** Thrown when a sealed value does not authenticate (wrong key, place or bytes); names nothing secret. */
export class SealOpenError extends Error {
  override readonly name = "SealOpenError";
  constructor(reason = "the sealed value did not authenticate (another key, another place, or altered bytes)") {
    super(reason);
  }
}

export function seal(key: Buffer, aad: Buffer | string, plaintext: Uint8Array | string): Buffer {
  if (key.length !== 32) throw new Error("seal: an AES-256 key is 32 bytes");
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(typeof aad === "string" ? Buffer.from(aad, "utf8") : aad);
  const body = Buffer.concat([typeof plaintext === "string" ? cipher.update(plaintext, "utf8") : cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Opens what seal() produced with the same key and aad; throws SealOpenError otherwise. */
export function open(key: Buffer, aad: Buffer | string, sealed: Uint8Array): Buffer {
  if (key.length !== 32) throw new SealOpenError("open: an AES-256 key is 32 bytes");
  if (sealed.length < MIN_SEALED_BYTES) throw new SealOpenError("the sealed value is truncated");
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const nonce = bytes.subarray(0, NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(typeof aad === "string" ? Buffer.from(aad, "utf8") : aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    // Node's message ("Unsupported state or unable to authenticate data") says nothing useful.
    throw new SealOpenError();
  }
}
