// The shape of an API key, and its hash. Pure: no I/O.
//
//   msp_live_<key id: 16 bytes, base32, 26 chars>_<secret: 32 bytes, base32, 52 chars>
//
// - `msp_live_` makes a leaked key recognisable (secret scanners, log review).
// - The key id finds the row (and so its tenant) through a unique index: no
//   scan, no trial hashing over all keys.
// - Only SHA-256(secret) is stored (migration 20261201010000 says why a plain
//   hash is enough for a 256-bit secret). The key is shown once at creation.
// Base32 (RFC 4648 alphabet, lowercase, no padding): no characters that need
// escaping in a header, a shell or a URL, and a double-click selects it whole.
import { createHash, randomBytes } from "node:crypto";

export const KEY_PREFIX = "msp_live_";
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const ID_CHARS = 26; // ceil(128 / 5)
const SECRET_CHARS = 52; // ceil(256 / 5)
const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}([a-z2-7]{${ID_CHARS}})_([a-z2-7]{${SECRET_CHARS}})$`);

export function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes exactly `length` bytes; null if the text is not their canonical encoding. */
export function unbase32(text: string, length: number): Buffer | null {
  const out = Buffer.alloc(length);
  let bits = 0;
  let value = 0;
  let i = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return null;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      if (i >= length) return null;
      out[i++] = (value >>> (bits - 8)) & 255;
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  // Every byte present, and the unused low bits zero (one text per key).
  if (i !== length || value !== 0) return null;
  return out;
}

function uuidToBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ""), "hex");
}

function bytesToUuid(b: Buffer): string {
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface NewKey {
  id: string;
  /** The whole key, shown once. */
  key: string;
  /** What is stored. */
  secretHash: Buffer;
  /** What the list shows: the non-secret part, `msp_live_<id>`. */
  prefix: string;
}

/** A fresh key: a random v4 id and a 256-bit secret. */
export function generateKey(): NewKey {
  const id = crypto.randomUUID();
  const secret = randomBytes(32);
  const encodedSecret = base32(secret);
  const prefix = keyPrefix(id);
  return { id, key: `${prefix}_${encodedSecret}`, secretHash: hashSecret(encodedSecret), prefix };
}

/** `msp_live_<id in base32>`: names the key without revealing anything of its secret. */
export function keyPrefix(id: string): string {
  return `${KEY_PREFIX}${base32(uuidToBytes(id))}`;
}

/** SHA-256 of the secret's text as it appears in the key. */
export function hashSecret(encodedSecret: string): Buffer {
  return createHash("sha256").update(encodedSecret, "utf8").digest();
}

export interface ParsedKey {
  id: string;
  secretHash: Buffer;
}

/** The key id and the hash of the secret, or null if the text is not a key. */
export function parseKey(text: string): ParsedKey | null {
  if (text.length > 200) return null;
  const m = KEY_PATTERN.exec(text);
  if (!m) return null;
  const idBytes = unbase32(m[1], 16);
  if (!idBytes || !unbase32(m[2], 32)) return null;
  return { id: bytesToUuid(idBytes), secretHash: hashSecret(m[2]) };
}

/** `Authorization: Bearer msp_live_…` → the key text; null when absent or another scheme. */
export function bearerToken(header: string | null): string | null {
  if (!header) return null;
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  return m ? m[1] : null;
}
