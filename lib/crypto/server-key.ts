// Keys the server derives from NEXTAUTH_SECRET, one per use (HKDF-SHA256 with
// a salt and info naming the use), for values that belong to no tenant key:
// TOTP secrets, the HMAC of mailed codes, queued mail bodies. Changing
// NEXTAUTH_SECRET changes every one of them; what each use does then is said
// where it is used (docs/security-model.md, docs/email.md).
import { hkdfSync } from "node:crypto";
import { settings } from "@/lib/config";

export class ServerKeyUnavailableError extends Error {
  override readonly name = "ServerKeyUnavailableError";
  constructor(use: string) {
    super(`NEXTAUTH_SECRET is not set: ${use} cannot be sealed or opened`);
  }
}

const cache = new Map<string, Buffer>();

/** A 32-byte key for one use. `use` names it in errors; salt and info separate it from every other use. */
export function serverDerivedKey(k: { use: string; salt: string; info: string }, secret = settings().NEXTAUTH_SECRET): Buffer {
  if (!secret) throw new ServerKeyUnavailableError(k.use);
  const id = `${k.salt}\u0000${k.info}\u0000${secret}`;
  let key = cache.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, k.salt, k.info, 32));
    if (cache.size > 64) cache.clear();
    cache.set(id, key);
  }
  return key;
}
