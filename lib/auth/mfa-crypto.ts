// Sealing of TOTP secrets at rest, and hashing of recovery codes.
//
// A TOTP secret must be readable by the server (it computes codes from it), so
// it is encrypted, not hashed: AES-256-GCM under a key derived with HKDF-SHA256
// from NEXTAUTH_SECRET, with the user's id as additional authenticated data.
// A sealed secret copied onto another user's row therefore does not open, and
// neither does one whose bytes were changed. The stored form is
//
//   v1.<base64url(iv[12] | ciphertext | tag[16])>
//
// The "v1" names the key derivation, so a later key (a KMS key, a rotated
// secret) can be introduced beside it without guessing which rows use which.
//
// Recovery codes are 80 random bits each, so a fast hash is enough: SHA-256
// over a domain-separated "user id : normalised code".
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomInt } from "node:crypto";
import { settings } from "@/lib/config";

const VERSION = "v1";
const HKDF_SALT = "mssp-portal/auth/mfa";
const HKDF_INFO = "user_mfa.totp_secret v1 aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class MfaKeyUnavailableError extends Error {
  constructor() {
    super("NEXTAUTH_SECRET is not set: TOTP secrets cannot be sealed or opened");
    this.name = "MfaKeyUnavailableError";
  }
}

const keyCache = new Map<string, Buffer>();

/** The AES key for TOTP secrets, derived from `authSecret` (default: NEXTAUTH_SECRET). */
export function mfaKey(authSecret = settings().NEXTAUTH_SECRET): Buffer {
  if (!authSecret) throw new MfaKeyUnavailableError();
  let key = keyCache.get(authSecret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", authSecret, HKDF_SALT, HKDF_INFO, 32));
    keyCache.set(authSecret, key);
  }
  return key;
}

function aad(userId: string): Buffer {
  return Buffer.from(`user_mfa.totp_secret:${userId.toLowerCase()}`);
}

/** Encrypts a TOTP secret for `userId`'s row. Every call uses a fresh IV. */
export function sealTotpSecret(userId: string, secret: Uint8Array, key = mfaKey()): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(userId));
  const body = Buffer.concat([cipher.update(secret), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
}

/** Decrypts a sealed TOTP secret of `userId`; throws if it was sealed for another user, altered, or under another key. */
export function openTotpSecret(userId: string, sealed: string, key = mfaKey()): Buffer {
  const [version, payload] = sealed.split(".", 2);
  if (version !== VERSION || !payload) throw new Error("unknown sealed-secret format");
  const raw = Buffer.from(payload, "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES + 1) throw new Error("sealed secret is truncated");
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(userId));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
}

// ---------------------------------------------------------------------------
// Recovery codes
// ---------------------------------------------------------------------------
export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: codes are read off paper.
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
/** 16 symbols from a 31-symbol alphabet: over 79 bits per code. */
const RECOVERY_CODE_LENGTH = 16;

/** A fresh recovery code, shown as xxxx-xxxx-xxxx-xxxx. */
export function generateRecoveryCode(): string {
  let code = "";
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return code.replace(/(.{4})(?=.)/g, "$1-");
}

export function generateRecoveryCodes(n = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < n) codes.add(generateRecoveryCode());
  return [...codes];
}

/** Lower case, without spaces or hyphens; null if it cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | null {
  const clean = input.toLowerCase().replace(/[\s-]/g, "");
  if (clean.length !== RECOVERY_CODE_LENGTH) return null;
  for (const ch of clean) if (!RECOVERY_ALPHABET.includes(ch)) return null;
  return clean;
}

export function hashRecoveryCode(userId: string, code: string): string {
  const normalized = normalizeRecoveryCode(code);
  if (!normalized) throw new Error("not a recovery code");
  return createHash("sha256").update(`mssp-portal recovery-code v1:${userId.toLowerCase()}:${normalized}`).digest("hex");
}
