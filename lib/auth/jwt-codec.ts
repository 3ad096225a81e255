// next-auth's session cookie codec (next-auth/jwt encode/decode: a JWE, "dir"
// + A256GCM, under a key HKDF-derived from NEXTAUTH_SECRET) with the derived
// key kept per secret: next-auth derives it again on every decode and encode,
// twice per signed-in page, and that HKDF was ~1.3% of a signed-in alert
// page's server time (README "Performance"). The JWE itself is jose's, the
// library and calls next-auth makes (same header, iat, exp, jti, 15 s clock
// tolerance): only the key derivation is ours, and it is the same HKDF
// (sha256, the secret, the salt, next-auth's info string, 32 bytes). Tokens
// from next-auth's own encode decode here and the other way round
// (tests/auth-jwt-codec.test.ts); failures are jose's errors (JWE…, JWT…),
// which lib/auth/options.ts's logger sorts as an unreadable cookie.
import { hkdfSync, randomUUID } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import type { JWT, JWTDecodeParams, JWTEncodeParams } from "next-auth/jwt";

const DEFAULT_MAX_AGE = 30 * 24 * 60 * 60;

// A handful of entries at most (one secret, the salts next-auth uses).
const keys = new Map<string, Uint8Array>();

function derivedKey(secret: string | Buffer, salt: string): Uint8Array {
  const id = `${salt}\u0000${secret.toString()}`;
  let key = keys.get(id);
  if (!key) {
    const info = `NextAuth.js Generated Encryption Key${salt ? ` (${salt})` : ""}`;
    key = new Uint8Array(hkdfSync("sha256", secret, salt, info, 32));
    if (keys.size > 16) keys.clear();
    keys.set(id, key);
  }
  return key;
}

const nowSeconds = () => (Date.now() / 1000) | 0;

export async function encodeJwt(params: JWTEncodeParams): Promise<string> {
  const { token = {}, secret, maxAge = DEFAULT_MAX_AGE, salt = "" } = params;
  return new EncryptJWT(token)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(nowSeconds() + maxAge)
    .setJti(randomUUID())
    .encrypt(derivedKey(secret, salt));
}

export async function decodeJwt(params: JWTDecodeParams): Promise<JWT | null> {
  const { token, secret, salt = "" } = params;
  if (!token) return null;
  // Only the header next-auth writes is accepted (jose would otherwise try any "dir" content encryption).
  const { payload } = await jwtDecrypt(token, derivedKey(secret, salt), {
    clockTolerance: 15,
    keyManagementAlgorithms: ["dir"],
    contentEncryptionAlgorithms: ["A256GCM"],
  });
  return payload as JWT;
}
