// One-time codes that prove control of a mailbox (accepting an invitation,
// resetting a password). A code is 6 digits, mailed through the outbox,
// valid for CODE_TTL_MINUTES, used at most once, and dead after
// CODE_MAX_ATTEMPTS wrong tries (the caller also spends a shared rate-limit
// token per try: lib/ratelimit). Issuing a new code retires the open ones of
// the same purpose and subject. Only HMAC-SHA256(key, id ‖ code) is stored,
// the key derived from NEXTAUTH_SECRET, so a copy of the database alone does
// not reveal a live code (a SHA-256 of six digits would, by trying them all).
// Comparison is constant-time. Every function runs in a service-role
// transaction the caller holds.
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { serverDerivedKey } from "@/lib/crypto/server-key";
import type { Db } from "@/lib/db/with-tenant";

export type CodePurpose = "invitation" | "password-reset";

export const CODE_TTL_MINUTES = 15;
export const CODE_MAX_ATTEMPTS = 5;
export const codePattern = /^\d{6}$/;

const CODE_KEY = { use: "mailbox codes", salt: "mssp-portal/mail/codes", info: "mail.codes.code_hash v1 hmac-sha256" };

function codeHash(id: string, code: string): Buffer {
  return createHmac("sha256", serverDerivedKey(CODE_KEY)).update(`${id}:${code}`, "utf8").digest();
}

/** Spaces and dashes a person types are ignored. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, "");
}

/** A new code for (purpose, subject); the open ones before it stop working. Returns the code to mail (never stored). */
export async function issueCode(
  db: Db,
  input: { purpose: CodePurpose; subject: string; email: string; ttlMinutes?: number },
): Promise<{ code: string; expiresAt: Date }> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const ttl = input.ttlMinutes ?? CODE_TTL_MINUTES;
  await db.$client.query(`update mail.codes set used_at = now() where purpose = $1 and subject = $2 and used_at is null`, [input.purpose, input.subject]);
  // The id is chosen here so the hash can bind it.
  const { rows } = await db.$client.query<{ id: string }>(`select gen_random_uuid()::text as id`);
  const id = rows[0].id;
  const inserted = await db.$client.query<{ expires_at: Date }>(
    `insert into mail.codes (id, purpose, subject, email, code_hash, expires_at)
     values ($1, $2, $3, $4, $5, now() + make_interval(mins => $6))
     returning expires_at`,
    [id, input.purpose, input.subject, input.email, codeHash(id, code), ttl],
  );
  return { code, expiresAt: inserted.rows[0].expires_at };
}

export type CodeCheck = "ok" | "wrong" | "none";

/**
 * Checks `code` against the open code of (purpose, subject, email). "ok"
 * consumes it (in the caller's transaction: it stays unused if that rolls
 * back); "wrong" counts a try (commit the caller's transaction to keep the
 * count) and retires the code at CODE_MAX_ATTEMPTS; "none": no live code.
 */
export async function checkCode(db: Db, input: { purpose: CodePurpose; subject: string; email: string; code: string }): Promise<CodeCheck> {
  const { rows } = await db.$client.query<{ id: string; code_hash: Buffer; attempts: number }>(
    `select id, code_hash, attempts from mail.codes
      where purpose = $1 and subject = $2 and email = $3 and used_at is null and expires_at > now() and attempts < $4
      order by created_at desc limit 1
      for update`,
    [input.purpose, input.subject, input.email, CODE_MAX_ATTEMPTS],
  );
  const row = rows[0];
  const code = normaliseCode(input.code);
  // Hash even when there is no row or the format is wrong, so every answer costs the same.
  const given = codeHash(row?.id ?? "00000000-0000-0000-0000-000000000000", codePattern.test(code) ? code : "x");
  if (!row) return "none";
  const match = codePattern.test(code) && timingSafeEqual(given, row.code_hash);
  if (match) {
    await db.$client.query(`update mail.codes set used_at = now() where id = $1`, [row.id]);
    return "ok";
  }
  await db.$client.query(
    `update mail.codes set attempts = attempts + 1, used_at = case when attempts + 1 >= $2 then now() else used_at end where id = $1`,
    [row.id, CODE_MAX_ATTEMPTS],
  );
  return "wrong";
}

/** Codes past their time, and used ones older than a day, go (called as codes are issued). */
export async function pruneCodes(db: Db): Promise<void> {
  await db.$client.query(`delete from mail.codes where expires_at < now() - interval '1 day'`);
}
