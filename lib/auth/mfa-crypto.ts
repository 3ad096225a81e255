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
import { createHash, randomInt } from "node:crypto";
import { open, seal, MIN_SEALED_BYTES } from "@/lib/crypto/aead";
import { serverDerivedKey, ServerKeyUnavailableError } from "@/lib/crypto/server-key";
import { settings } from "@/lib/config";

const VERSION = "v1";
const TOTP_KEY = { use: "TOTP secrets", salt: "mssp-portal/auth/mfa", info: "user_mfa.totp_secret v1 aes-256-gcm" };

/** NEXTAUTH_SECRET is missing (the one error for every key derived from it). */
export { ServerKeyUnavailableError as MfaKeyUnavailableError };

/** The AES key for TOTP secrets, derived from `authSecret` (default: NEXTAUTH_SECRET). */
export function mfaKey(authSecret = settings().NEXTAUTH_SECRET): Buffer {
  return serverDerivedKey(TOTP_KEY, authSecret);
}

function aad(userId: string): string {
  return `user_mfa.totp_secret:${userId.toLowerCase()}`;
}

/** Encrypts a TOTP secret for `userId`'s row. Every call uses a fresh IV. */
export function sealTotpSecret(userId: string, secret: Uint8Array, key = mfaKey()): string {
  return `${VERSION}.${seal(key, aad(userId), secret).toString("base64url")}`;
}

/** Decrypts a sealed TOTP secret of `userId`; throws if it was sealed for another user, altered, or under another key. */
export function openTotpSecret(userId: string, sealed: string, key = mfaKey()): Buffer {
  const [version, payload] = sealed.split(".", 2);
  if (version !== VERSION || !payload) throw new Error("unknown sealed-secret format");
  const raw = Buffer.from(payload, "base64url");
  if (raw.length < MIN_SEALED_BYTES) throw new Error("sealed secret is truncated");
  return open(key, aad(userId), raw);
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
