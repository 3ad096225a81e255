// Time-based one-time passwords: RFC 6238 (TOTP) over RFC 4226 (HOTP), with
// HMAC-SHA1, 6 digits and a 30-second step — what every authenticator app
// speaks by default — and RFC 4648 base32, the encoding those apps expect.
//
// The algorithms come from `otpauth`, a maintained library (issue 9, finding
// 12: no hand-written security code where a library does it); this module
// keeps the portal's small API around it (the replay rule of verifyTotp, the
// lenient base32 reader) and the RFC test vectors stay in
// tests/mfa-totp.test.ts. The Playwright helpers import it too, to compute
// the demo users' codes.
import { HOTP, Secret, TOTP } from "otpauth";

export const TOTP_DIGITS = 6;
export const TOTP_STEP_SECONDS = 30;
/** Codes of the previous and the next step are accepted too (clock drift). */
export const TOTP_WINDOW = 1;
/** 160 bits, the HMAC-SHA1 block-size recommendation of RFC 4226 section 4. */
export const TOTP_SECRET_BYTES = 20;

// ---------------------------------------------------------------------------
// Base32 (RFC 4648 section 6)
// ---------------------------------------------------------------------------

export function base32Encode(bytes: Uint8Array, opts: { padding?: boolean } = {}): string {
  // otpauth writes unpadded base32, as authenticator apps want it.
  const out = new Secret({ buffer: toArrayBuffer(bytes) }).base32.replace(/=+$/, "");
  return opts.padding ? out.padEnd(Math.ceil(out.length / 8) * 8, "=") : out;
}

/** Decodes base32, ignoring case, spaces, hyphens and padding; throws on any other character. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, "");
  try {
    return Buffer.from(Secret.fromBase32(clean).bytes);
  } catch {
    // otpauth's message names the character; keep the secret's text out of errors.
    throw new Error("not a base32 string");
  }
}

// ---------------------------------------------------------------------------
// HOTP / TOTP
// ---------------------------------------------------------------------------
export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

const ALGORITHM: Record<TotpAlgorithm, string> = { sha1: "SHA1", sha256: "SHA256", sha512: "SHA512" };

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

const secretOf = (bytes: Uint8Array) => new Secret({ buffer: toArrayBuffer(bytes) });

/** RFC 4226: the code for `counter`. */
export function hotp(secret: Uint8Array, counter: number | bigint, digits = TOTP_DIGITS, algorithm: TotpAlgorithm = "sha1"): string {
  return HOTP.generate({ secret: secretOf(secret), counter: Number(counter), digits, algorithm: ALGORITHM[algorithm] });
}

/** The time step (RFC 6238's T) that `at` falls in. */
export function totpStep(at: Date | number = Date.now(), stepSeconds = TOTP_STEP_SECONDS): number {
  const ms = typeof at === "number" ? at : at.getTime();
  return TOTP.counter({ period: stepSeconds, timestamp: ms });
}

/** The code for the step `at` falls in. */
export function totp(
  secret: Uint8Array,
  at: Date | number = Date.now(),
  opts: { digits?: number; stepSeconds?: number; algorithm?: TotpAlgorithm } = {},
): string {
  return TOTP.generate({
    secret: secretOf(secret),
    timestamp: typeof at === "number" ? at : at.getTime(),
    period: opts.stepSeconds ?? TOTP_STEP_SECONDS,
    digits: opts.digits ?? TOTP_DIGITS,
    algorithm: ALGORITHM[opts.algorithm ?? "sha1"],
  });
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
  const key = secretOf(secret);
  let matched: number | null = null;
  // Step by step (otpauth compares in constant time), so a used step is
  // skipped without stopping at it: every candidate is checked either way.
  for (let step = current - window; step <= current + window; step++) {
    const equal = HOTP.validate({ token: code, secret: key, counter: step, window: 0 }) === 0;
    if (equal && matched === null && (opts.lastUsedStep == null || step > opts.lastUsedStep)) matched = step;
  }
  return matched;
}

export function generateTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: TOTP_SECRET_BYTES }).bytes);
}

/**
 * The otpauth:// URI authenticator apps scan (Google Authenticator's "Key Uri
 * Format"): label "Issuer:account", secret in unpadded base32.
 */
export function otpauthUri(opts: { secret: Uint8Array; account: string; issuer: string }): string {
  // Formatting, not cryptography: kept as the portal always wrote it (secret
  // first), which the enrolment tests and existing QR codes pin down.
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
