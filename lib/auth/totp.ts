// Time-based one-time passwords: RFC 6238 (TOTP) over RFC 4226 (HOTP), with
// HMAC-SHA1, 6 digits and a 30-second step — what every authenticator app
// speaks by default. Built on node:crypto only; the RFC test vectors are in
// tests/mfa-totp.test.ts.
//
// Dependency-free on purpose: the Playwright helpers import it to compute the
// demo users' codes.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const TOTP_DIGITS = 6;
export const TOTP_STEP_SECONDS = 30;
/** Codes of the previous and the next step are accepted too (clock drift). */
export const TOTP_WINDOW = 1;
/** 160 bits, the HMAC-SHA1 block-size recommendation of RFC 4226 section 4. */
export const TOTP_SECRET_BYTES = 20;

// ---------------------------------------------------------------------------
// Base32 (RFC 4648 section 6), the encoding authenticator apps expect.
// ---------------------------------------------------------------------------
const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(bytes: Uint8Array, opts: { padding?: boolean } = {}): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  if (opts.padding) while (out.length % 8 !== 0) out += "=";
  return out;
}

/** Decodes base32, ignoring case, spaces, hyphens and padding; throws on any other character. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32_ALPHABET.indexOf(ch);
    if (index === -1) throw new Error("not a base32 string");
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------
// HOTP / TOTP
// ---------------------------------------------------------------------------
export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

/** RFC 4226: HMAC over the 8-byte big-endian counter, dynamic truncation, modulo 10^digits. */
export function hotp(secret: Uint8Array, counter: number | bigint, digits = TOTP_DIGITS, algorithm: TotpAlgorithm = "sha1"): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary =
    ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The time step (RFC 6238's T) that `at` falls in. */
export function totpStep(at: Date | number = Date.now(), stepSeconds = TOTP_STEP_SECONDS): number {
  const ms = typeof at === "number" ? at : at.getTime();
  return Math.floor(ms / 1000 / stepSeconds);
}

/** The code for the step `at` falls in. */
export function totp(
  secret: Uint8Array,
  at: Date | number = Date.now(),
  opts: { digits?: number; stepSeconds?: number; algorithm?: TotpAlgorithm } = {},
): string {
  return hotp(secret, totpStep(at, opts.stepSeconds), opts.digits ?? TOTP_DIGITS, opts.algorithm ?? "sha1");
}

export function isTotpCodeShape(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/**
 * Checks `code` against the steps around `at` (±TOTP_WINDOW) and returns the
 * matching step, or null. Steps at or before `lastUsedStep` never match, so a
 * code that was accepted once cannot be used again, and nor can any older one.
 * Every candidate is compared in constant time.
 */
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  opts: { at?: Date | number; lastUsedStep?: number | null; window?: number } = {},
): number | null {
  if (!isTotpCodeShape(code)) return null;
  const current = totpStep(opts.at ?? Date.now());
  const window = opts.window ?? TOTP_WINDOW;
  const given = Buffer.from(code);
  let matched: number | null = null;
  for (let step = current - window; step <= current + window; step++) {
    const expected = Buffer.from(hotp(secret, step));
    const equal = timingSafeEqual(expected, given);
    if (equal && matched === null && (opts.lastUsedStep == null || step > opts.lastUsedStep)) matched = step;
  }
  return matched;
}

export function generateTotpSecret(): Buffer {
  return randomBytes(TOTP_SECRET_BYTES);
}

/**
 * The otpauth:// URI authenticator apps scan (Google Authenticator's "Key Uri
 * Format"): label "Issuer:account", secret in unpadded base32.
 */
export function otpauthUri(opts: { secret: Uint8Array; account: string; issuer: string }): string {
  const label = `${encodeURIComponent(opts.issuer)}:${encodeURIComponent(opts.account)}`;
  const params = new URLSearchParams({
    secret: base32Encode(opts.secret),
    issuer: opts.issuer,
    algorithm: "SHA1",
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}

/** Groups a base32 secret in fours for people typing it into an app. */
export function formatSecretForDisplay(base32: string): string {
  return base32.replace(/(.{4})(?=.)/g, "$1 ");
}
