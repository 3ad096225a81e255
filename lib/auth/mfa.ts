// The second factor: TOTP enrolment, code checks with lockout and replay
// protection, recovery codes, and whether MFA is required for a user.
//
// Everything here runs through the named service-role path "auth.mfa": the
// tables hold sealed secrets and are granted to no other role, and sign-in
// needs them before a session exists. Every function acts on one user id that
// the caller has already authenticated (the password at sign-in, the session
// on the account page); none takes a user id from a form.
import { and, count, eq, isNull, sql } from "drizzle-orm";
import { userMfa, userRecoveryCodes } from "@/drizzle/schema";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { recordAuthEvent } from "./events";
import { recordSessionsRevoked, revokeUserSessions } from "./sessions";
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
  openTotpSecret,
  sealTotpSecret,
} from "./mfa-crypto";
import { base32Encode, generateTotpSecret, isTotpCodeShape, otpauthUri, verifyTotp } from "./totp";

/** Wrong codes in a row before the second factor locks. */
export const MAX_FAILED_CODES = 5;
export const CODE_LOCKOUT_MINUTES = 15;
/**
 * The issuer name authenticator apps show beside the account when none is
 * given: the MSSP's product name. Enrolment passes the product name of the
 * host it happens on (lib/branding requestBrand), so a white-labelled
 * tenant's people see their portal's name, never the MSSP's.
 */
export const TOTP_ISSUER = "MSSP Portal";

/** An issuer fit for an otpauth URI: the product name (plain text, at most 60 characters), else the default. */
function issuerOf(issuer: string | undefined): string {
  const clean = (issuer ?? "").replace(/[\u0000-\u001f\u007f:]/g, " ").replace(/\s+/g, " ").trim().slice(0, 60);
  return clean || TOTP_ISSUER;
}

export interface MfaStatus {
  /** An MSSP role, or a membership at, under or above a tenant with session.mfa_required on (lib/settings). */
  required: boolean;
  /** A confirmed TOTP factor exists: sign-in asks for a code. */
  enrolled: boolean;
  /** A secret was generated and is waiting for its first code. */
  pending: boolean;
  confirmedAt: Date | null;
  recoveryCodesLeft: number;
  lockedUntil: Date | null;
}

export type CodeCheck =
  | { ok: true; method: "totp" | "recovery" }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAfterSeconds: number }
  | { ok: false; reason: "not_enrolled" };

// ---------------------------------------------------------------------------
// Is MFA required?
// ---------------------------------------------------------------------------

/**
 * MFA is required for a user who holds any mssp_* role, or any membership whose
 * tenant sits at, under or above a tenant with session.mfa_required on: the setting is
 * inherited down the tree (a customer's setting covers its sites), and it also
 * binds the members of ancestors, who can read that tenant's data.
 */
// The one definition is SQL (migration 20261201000200_sessions), because the
// per-request session check answers the same question in the same statement.
const REQUIRED_SQL = (userId: string) => sql`sessions.mfa_required(${userId}::uuid)`;

async function statusIn(db: Db, userId: string): Promise<MfaStatus> {
  const result = await db.execute<{
    required: boolean;
    confirmed_at: Date | null;
    has_row: boolean;
    locked_until: Date | null;
    codes_left: number;
  }>(sql`
    select ${REQUIRED_SQL(userId)} as required,
           f.confirmed_at, (f.user_id is not null) as has_row, f.locked_until,
           (select count(*)::int from public.user_recovery_codes c
             where c.user_id = ${userId} and c.used_at is null) as codes_left
      from (select 1) one
      left join public.user_mfa f on f.user_id = ${userId}`);
  const row = result.rows[0];
  return {
    required: row.required,
    enrolled: row.confirmed_at !== null,
    pending: row.has_row && row.confirmed_at === null,
    confirmedAt: row.confirmed_at ? new Date(row.confirmed_at) : null,
    recoveryCodesLeft: row.codes_left,
    lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
  };
}

export function getMfaStatus(userId: string): Promise<MfaStatus> {
  return withServiceRole("auth.mfa", (db) => statusIn(db, userId));
}

/** True when the user must enrol before using the portal (required, not yet confirmed). */
export async function mfaEnrollmentRequired(userId: string): Promise<boolean> {
  const status = await getMfaStatus(userId);
  return status.required && !status.enrolled;
}

// ---------------------------------------------------------------------------
// Checking a code (sign-in, and the account page's sensitive actions)
// ---------------------------------------------------------------------------

/**
 * Checks a TOTP code or a recovery code for `userId`'s confirmed factor.
 * Counts wrong codes per user; the fifth in a row locks the factor for
 * CODE_LOCKOUT_MINUTES, during which even a right code is refused. A TOTP step
 * that was accepted once is never accepted again; a recovery code works once.
 */
export async function verifySecondFactor(userId: string, code: string, now = new Date()): Promise<CodeCheck> {
  const check = await withServiceRole("auth.mfa", (db) => checkCodeIn(db, userId, code, now));
  await recoveryCodeEvent(userId, check);
  return check;
}

/** A recovery code spent is worth telling the user's admins about (a lost phone, or a stolen code). */
async function recoveryCodeEvent(userId: string, check: { ok: boolean; method?: string }): Promise<void> {
  if (check.ok && check.method === "recovery") await recordAuthEvent({ type: "recovery-code-used", userId, method: "recovery" });
}

/** Options of the changes that end the user's other sessions. */
export interface SessionKeeping {
  /** The session making the change: it stays signed in; every other one of the user's ends. */
  keepSessionId?: string | null;
}

async function lockedRow(db: Db, userId: string) {
  const [row] = await db.select().from(userMfa).where(eq(userMfa.userId, userId)).for("update");
  return row;
}

async function checkCodeIn(db: Db, userId: string, rawCode: string, now: Date): Promise<CodeCheck> {
  const row = await lockedRow(db, userId);
  if (!row || !row.confirmedAt) return { ok: false, reason: "not_enrolled" };
  if (row.lockedUntil && row.lockedUntil > now) {
    return { ok: false, reason: "locked", retryAfterSeconds: secondsUntil(row.lockedUntil, now) };
  }

  const code = rawCode.replace(/\s/g, "");
  const recovery = isTotpCodeShape(code) ? null : normalizeRecoveryCode(code);
  // Input that cannot be a code is refused without counting: it cannot guess anything.
  if (!isTotpCodeShape(code) && !recovery) return { ok: false, reason: "invalid" };

  if (recovery) {
    const used = await db
      .update(userRecoveryCodes)
      .set({ usedAt: now })
      .where(
        and(
          eq(userRecoveryCodes.userId, userId),
          eq(userRecoveryCodes.codeHash, hashRecoveryCode(userId, recovery)),
          isNull(userRecoveryCodes.usedAt),
        ),
      )
      .returning({ userId: userRecoveryCodes.userId });
    if (used.length === 1) {
      await db.update(userMfa).set({ failedCount: 0, lockedUntil: null }).where(eq(userMfa.userId, userId));
      return { ok: true, method: "recovery" };
    }
  } else {
    const secret = openSecretOrNull(userId, row.totpSecret);
    const step = secret ? verifyTotp(secret, code, { at: now, lastUsedStep: row.lastUsedStep }) : null;
    if (step !== null) {
      await db
        .update(userMfa)
        .set({ failedCount: 0, lockedUntil: null, lastUsedStep: step })
        .where(eq(userMfa.userId, userId));
      return { ok: true, method: "totp" };
    }
  }

  const failures = row.failedCount + 1;
  if (failures >= MAX_FAILED_CODES) {
    const lockedUntil = new Date(now.getTime() + CODE_LOCKOUT_MINUTES * 60_000);
    await db.update(userMfa).set({ failedCount: 0, lockedUntil }).where(eq(userMfa.userId, userId));
    return { ok: false, reason: "locked", retryAfterSeconds: secondsUntil(lockedUntil, now) };
  }
  await db.update(userMfa).set({ failedCount: failures }).where(eq(userMfa.userId, userId));
  return { ok: false, reason: "invalid" };
}

function openSecretOrNull(userId: string, sealed: string): Buffer | null {
  try {
    return openTotpSecret(userId, sealed);
  } catch (error) {
    // Never the secret or the code: only which user, and the likely cause.
    log.error(
      { event: "mfa.totp-secret-unopenable", userId, err: safeError(error) },
      "the user's TOTP secret cannot be opened; was NEXTAUTH_SECRET changed? The user can still sign in with a recovery code.",
    );
    return null;
  }
}

// ---------------------------------------------------------------------------
// Enrolment
// ---------------------------------------------------------------------------

export interface PendingEnrolment {
  /** Unpadded base32, as typed into an authenticator app. */
  secret: string;
  otpauthUri: string;
}

export type EnrolmentStart = { ok: true; enrolment: PendingEnrolment } | { ok: false; reason: "already_enrolled" };

/**
 * Starts (or resumes) enrolment: returns the pending secret, generating and
 * storing one if there is none (or if `restart` asks for a new one). A
 * confirmed factor is never replaced here.
 */
export function startEnrolment(
  user: { id: string; email: string },
  opts: { restart?: boolean; issuer?: string } = {},
): Promise<EnrolmentStart> {
  return withServiceRole("auth.mfa", async (db) => {
    const row = await lockedRow(db, user.id);
    if (row?.confirmedAt) return { ok: false, reason: "already_enrolled" } as const;
    if (row && !opts.restart) {
      const secret = openSecretOrNull(user.id, row.totpSecret);
      if (secret) return { ok: true, enrolment: pendingFor(user.email, secret, opts.issuer) } as const;
    }
    const secret = generateTotpSecret();
    const sealed = sealTotpSecret(user.id, secret);
    await db
      .insert(userMfa)
      .values({ userId: user.id, totpSecret: sealed })
      .onConflictDoUpdate({
        target: userMfa.userId,
        set: { totpSecret: sealed, confirmedAt: null, lastUsedStep: null, failedCount: 0, lockedUntil: null },
      });
    return { ok: true, enrolment: pendingFor(user.email, secret, opts.issuer) } as const;
  });
}

/** The pending enrolment, if one was started and not confirmed; `issuer`: the product name of the host showing it. */
export function getPendingEnrolment(user: { id: string; email: string }, opts: { issuer?: string } = {}): Promise<PendingEnrolment | null> {
  return withServiceRole("auth.mfa", async (db) => {
    const [row] = await db.select().from(userMfa).where(eq(userMfa.userId, user.id));
    if (!row || row.confirmedAt) return null;
    const secret = openSecretOrNull(user.id, row.totpSecret);
    return secret ? pendingFor(user.email, secret, opts.issuer) : null;
  });
}

function pendingFor(email: string, secret: Uint8Array, issuer?: string): PendingEnrolment {
  return { secret: base32Encode(secret), otpauthUri: otpauthUri({ secret, account: email, issuer: issuerOf(issuer) }) };
}

export type ConfirmResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: "invalid" | "no_pending" | "already_enrolled" };

/**
 * Confirms the pending secret with a code from the app. A wrong code changes
 * nothing (the pending secret stays, to try again). On success the factor is
 * confirmed, the code's step is marked used, and ten fresh recovery codes are
 * returned: the only time they exist in plaintext.
 */
export async function confirmEnrolment(userId: string, code: string, now = new Date(), opts: SessionKeeping = {}): Promise<ConfirmResult> {
  const result = await confirmEnrolmentIn(userId, code, now, opts);
  if (result.ok) {
    await recordAuthEvent({ type: "mfa-enrolled", userId, method: "totp" });
    await recordSessionsRevoked(userId, "mfa_enrolled", result.revoked);
  }
  return result.ok ? { ok: true, recoveryCodes: result.recoveryCodes } : result;
}

function confirmEnrolmentIn(userId: string, code: string, now: Date, opts: SessionKeeping) {
  return withServiceRole("auth.mfa", async (db) => {
    const row = await lockedRow(db, userId);
    if (!row) return { ok: false, reason: "no_pending" } as const;
    if (row.confirmedAt) return { ok: false, reason: "already_enrolled" } as const;
    const secret = openSecretOrNull(userId, row.totpSecret);
    const step = secret ? verifyTotp(secret, code.replace(/\s/g, ""), { at: now }) : null;
    if (step === null) return { ok: false, reason: "invalid" } as const;
    await db
      .update(userMfa)
      .set({ confirmedAt: now, lastUsedStep: step, failedCount: 0, lockedUntil: null })
      .where(eq(userMfa.userId, userId));
    // Sessions opened with the password alone end with the change.
    const revoked = await revokeUserSessions(userId, "mfa_enrolled", opts.keepSessionId, { db });
    return { ok: true, recoveryCodes: await replaceRecoveryCodes(db, userId), revoked } as const;
  });
}

async function replaceRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await db.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  await db.insert(userRecoveryCodes).values(codes.map((c) => ({ userId, codeHash: hashRecoveryCode(userId, c) })));
  return codes;
}

export type GuardedResult<T> = ({ ok: true } & T) | Exclude<CodeCheck, { ok: true }> | { ok: false; reason: "required" };

/** New recovery codes (the old ones stop working), after a current code. */
export async function regenerateRecoveryCodes(
  userId: string,
  code: string,
  now = new Date(),
): Promise<GuardedResult<{ recoveryCodes: string[] }>> {
  let method: string | undefined;
  const result = await withServiceRole("auth.mfa", async (db) => {
    const check = await checkCodeIn(db, userId, code, now);
    if (!check.ok) return check;
    method = check.method;
    return { ok: true, recoveryCodes: await replaceRecoveryCodes(db, userId) } as const;
  });
  if (result.ok) {
    await recoveryCodeEvent(userId, { ok: true, method });
    await recordAuthEvent({ type: "recovery-codes-regenerated", userId });
  }
  return result;
}

/** Turns MFA off, after a current code; refused while MFA is required for the user. */
export async function disableMfa(userId: string, code: string, now = new Date(), opts: SessionKeeping = {}): Promise<GuardedResult<object>> {
  let method: string | undefined;
  let revoked = 0;
  const result = await withServiceRole("auth.mfa", async (db) => {
    if ((await statusIn(db, userId)).required) return { ok: false, reason: "required" } as const;
    const check = await checkCodeIn(db, userId, code, now);
    if (!check.ok) return check;
    method = check.method;
    await db.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
    await db.delete(userMfa).where(eq(userMfa.userId, userId));
    revoked = await revokeUserSessions(userId, "mfa_disabled", opts.keepSessionId, { db });
    return { ok: true } as const;
  });
  if (result.ok) {
    await recoveryCodeEvent(userId, { ok: true, method });
    await recordAuthEvent({ type: "mfa-disabled", userId });
    await recordSessionsRevoked(userId, "mfa_disabled", revoked);
  }
  return result;
}

/** Unused recovery codes left (for the account page). */
export function recoveryCodesLeft(userId: string): Promise<number> {
  return withServiceRole("auth.mfa", async (db) => {
    const [row] = await db
      .select({ n: count() })
      .from(userRecoveryCodes)
      .where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt)));
    return row.n;
  });
}

function secondsUntil(when: Date, now: Date): number {
  return Math.max(1, Math.ceil((when.getTime() - now.getTime()) / 1000));
}
