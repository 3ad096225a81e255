// The names of fields that can hold a secret. One list, two uses: the logger
// redacts these keys (lib/log/logger.ts, REDACT_PATHS) and secretsIn() pulls
// their values out of an object so an error message that echoes one of them
// can be scrubbed (lib/log/scrub.ts). A key added here is covered by both.
//
// Matching is by exact key (pino's redaction is exact), so common spellings
// are listed separately. Over-redacting is the safe failure: "code" is here
// because TOTP and recovery codes travel under it, even though error codes do
// too (the logger's err serializer moves those to errorCode; see logger.ts).
export const SECRET_KEYS = [
  "secret",
  "secrets",
  "password",
  "passwordHash",
  "newPassword",
  "currentPassword",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "sessionToken",
  "access_token",
  "refresh_token",
  "id_token",
  "apiKey",
  "api_key",
  "clientSecret",
  "client_secret",
  "privateKey",
  "private_key",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "Set-Cookie",
  "sealed",
  "plaintext",
  "dek",
  "kek",
  "totp",
  "code",
  "recoveryCode",
  "recoveryCodes",
] as const;

export type SecretKey = (typeof SECRET_KEYS)[number];

const SECRET_KEY_SET: ReadonlySet<string> = new Set(SECRET_KEYS);

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(key);
}
