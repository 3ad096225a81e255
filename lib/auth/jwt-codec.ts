// next-auth's session cookie codec (next-auth/jwt encode/decode: a JWE, "dir"
// + A256GCM, under a key HKDF-derived from NEXTAUTH_SECRET), the same format
// byte for byte, with the derived key kept per secret: next-auth derives it
// again on every decode and encode, twice per signed-in page, and that HKDF was
// ~1.3% of a signed-in alert page's server time (README "Performance").
// Tokens from next-auth's own encode decode here and the other way round
// (tests/auth-jwt-codec.test.ts). Failures carry jose's error names (JWE…,
// JWT…), which lib/auth/options.ts's logger sorts as an unreadable cookie.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from "node:crypto";
import type { JWT, JWTDecodeParams, JWTEncodeParams } from "next-auth/jwt";

const DEFAULT_MAX_AGE = 30 * 24 * 60 * 60;
const CLOCK_TOLERANCE_S = 15;
const HEADER = Buffer.from(JSON.stringify({ alg: "dir", enc: "A256GCM" })).toString("base64url");

class CodecError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

// A handful of entries at most (one secret, the salts next-auth uses).
const keys = new Map<string, Buffer>();

function derivedKey(secret: string | Buffer, salt: string): Buffer {
  const id = `${salt}\u0000${secret.toString()}`;
  let key = keys.get(id);
  if (!key) {
    const info = `NextAuth.js Generated Encryption Key${salt ? ` (${salt})` : ""}`;
    key = Buffer.from(hkdfSync("sha256", secret, salt, info, 32));
    if (keys.size > 16) keys.clear();
    keys.set(id, key);
  }
  return key;
}

const nowSeconds = () => (Date.now() / 1000) | 0;

export async function encodeJwt(params: JWTEncodeParams): Promise<string> {
  const { token = {}, secret, maxAge = DEFAULT_MAX_AGE, salt = "" } = params;
  const now = nowSeconds();
  const payload = Buffer.from(JSON.stringify({ ...token, iat: now, exp: now + maxAge, jti: randomUUID() }));
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derivedKey(secret as string, salt), iv);
  cipher.setAAD(Buffer.from(HEADER, "ascii"));
  const ciphertext = Buffer.concat([cipher.update(payload), cipher.final()]);
  return `${HEADER}..${iv.toString("base64url")}.${ciphertext.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
}

export async function decodeJwt(params: JWTDecodeParams): Promise<JWT | null> {
  const { token, secret, salt = "" } = params;
  if (!token) return null;
  const parts = token.split(".");
  if (parts.length !== 5) throw new CodecError("JWEInvalid", "Invalid Compact JWE");
  const [protectedHeader, encryptedKey, iv, ciphertext, tag] = parts;
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(protectedHeader, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new CodecError("JWEInvalid", "JWE Protected Header is invalid");
  }
  if (header.alg !== "dir" || header.enc !== "A256GCM" || "zip" in header || "crit" in header || encryptedKey !== "") {
    throw new CodecError("JOSENotSupported", "only dir + A256GCM session tokens are accepted");
  }
  const ivBytes = Buffer.from(iv, "base64url");
  const tagBytes = Buffer.from(tag, "base64url");
  if (ivBytes.length !== 12 || tagBytes.length !== 16) throw new CodecError("JWEInvalid", "Invalid JWE");
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", derivedKey(secret as string, salt), ivBytes);
    decipher.setAAD(Buffer.from(protectedHeader, "ascii"));
    decipher.setAuthTag(tagBytes);
    plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
  } catch {
    throw new CodecError("JWEDecryptionFailed", "decryption operation failed");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(plaintext.toString("utf8"));
  } catch {
    throw new CodecError("JWTInvalid", "JWT Claims Set must be a top-level JSON object");
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) throw new CodecError("JWTInvalid", "JWT Claims Set must be a top-level JSON object");
  const claims = payload as Record<string, unknown>;
  const now = nowSeconds();
  for (const name of ["iat", "exp", "nbf"] as const) {
    if (claims[name] !== undefined && typeof claims[name] !== "number") throw new CodecError("JWTClaimValidationFailed", `"${name}" claim must be a number`);
  }
  if (typeof claims.nbf === "number" && claims.nbf > now + CLOCK_TOLERANCE_S) throw new CodecError("JWTClaimValidationFailed", '"nbf" claim timestamp check failed');
  if (typeof claims.exp === "number" && claims.exp <= now - CLOCK_TOLERANCE_S) throw new CodecError("JWTExpired", '"exp" claim timestamp check failed');
  return claims as JWT;
}
