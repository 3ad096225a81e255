// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

// @node-rs/argon2 exports Algorithm as a const enum, which isolatedModules
// cannot inline; 2 is Algorithm.Argon2id.
const ARGON2ID = 2;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS as Parameters<typeof hash>[1]);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash is a failed sign-in, not a crash
  }
}

// Verified against when the email is unknown, so that a miss costs as much
// time as a wrong password and does not reveal which emails exist.
// It has the same parameters as a real one (so verifying costs the same), is
// of a random password nobody knows, and is made once per process, at import,
// so that not even the first miss is cheaper.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString("base64url"));
  return dummyHash;
}
void dummyPasswordHash().catch(() => {
  dummyHash = undefined; // made again on first use
});
