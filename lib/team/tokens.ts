// Invitation tokens: 256 random bits, shown once in the link, stored only as
// a SHA-256 hash (a database leak does not yield usable links).
import { createHash, randomBytes } from "node:crypto";

export const INVITE_TTL_DAYS = 7;

export function newInviteToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashInviteToken(token) };
}

export function hashInviteToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

export const inviteTokenPattern = /^[A-Za-z0-9_-]{43}$/;
