// The second factor: TOTP enrolment, code checks with lockout and replay
// protection, recovery codes, and whether MFA is required for a user.
//
// Everything here runs through the named service-role path "auth.mfa": the
// tables hold sealed secrets and are granted to no other role, and sign-in
// needs them before a session exists. Every function acts on one user id that
// the caller has already authenticated (the password at sign-in; on the
// account page the session, and the password again before a key is made:
// lib/actions/account/mfa.ts); none takes a user id from a form.
import { and, count, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { userMfa, userRecoveryCodes, type UserMfa } from "@/drizzle/schema";
import { withServiceRole, withServiceRoleIn } from "@/lib/db/service-role";
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

/** Wrong codes in a row before the second factor locks, and again every this many after. */
export const MAX_FAILED_CODES = 5;
/** The first lock's length; each next one is LOCKOUT_GROWTH times longer, up to MAX_LOCKOUT_MINUTES. */
export const CODE_LOCKOUT_MINUTES = 15;
export const LOCKOUT_GROWTH = 4;
export const MAX_LOCKOUT_MINUTES = 24 * 60;
/**
 * Wrong codes in a row after which no TOTP code is accepted, only a recovery
 * code, until one is used (NIST SP 800-63B: at most 100 consecutive failures).
 */
export const HARD_LOCK_AFTER_FAILURES = 100;

/**
 * Which counter a code check counts on: sign-in's, or the account page's (new
 * recovery codes, turning MFA off). Each has its own count and lock, so wrong
 * codes typed by someone holding a session neither lock nor escalate sign-in.
 */
export type CodePurpose = "sign-in" | "account";

/** How long the `nth` lock in a row lasts (1: the first): 15 min, 1 h, 4 h, 16 h, then 24 h. */
export function lockoutMinutes(nth: number): number {
  return Math.min(MAX_LOCKOUT_MINUTES, CODE_LOCKOUT_MINUTES * LOCKOUT_GROWTH ** Math.max(0, nth - 1));
}
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
  /** Sign-in's code checks are refused until then (a recovery code still works). */
  lockedUntil: Date | null;
  /** Sign-in hit HARD_LOCK_AFTER_FAILURES: only a recovery code gets through. */
  recoveryOnly: boolean;
  /** The account page's own lock (new recovery codes, turning MFA off). */
  accountLockedUntil: Date | null;
  accountRecoveryOnly: boolean;
}

export type CodeCheck =
  | { ok: true; method: "totp" | "recovery" }
  | { ok: false; reason: "invalid" }
  /** `lockedNow`: this check's wrong code set the lock (the others meet one already set). */
  | { ok: false; reason: "locked"; retryAfterSeconds: number; lockedNow?: boolean }
  /** HARD_LOCK_AFTER_FAILURES wrong codes in a row: only a recovery code is accepted. */
  | { ok: false; reason: "recovery_required"; lockedNow?: boolean }
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
    failed_count: number | null;
    account_locked_until: Date | null;
    account_failed_count: number | null;
    codes_left: number;
  }>(sql`
    select ${REQUIRED_SQL(userId)} as required,
           f.confirmed_at, (f.user_id is not null) as has_row, f.locked_until,
           f.failed_count, f.account_locked_until, f.account_failed_count,
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
    recoveryOnly: (row.failed_count ?? 0) >= HARD_LOCK_AFTER_FAILURES,
    accountLockedUntil: row.account_locked_until ? new Date(row.account_locked_until) : null,
    accountRecoveryOnly: (row.account_failed_count ?? 0) >= HARD_LOCK_AFTER_FAILURES,
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
 * Checks a TOTP code or a recovery code for `userId`'s confirmed factor, at
 * sign-in. Wrong codes in a row are counted per user (checkCodeIn): every
 * MAX_FAILED_CODES-th locks TOTP codes out for longer than the last
 * (lockoutMinutes), and HARD_LOCK_AFTER_FAILURES in a row lets only a recovery
 * code through. A right code clears the count. A TOTP step that was accepted
 * once is never accepted again; a recovery code works once.
 */
export async function verifySecondFactor(userId: string, code: string, now = new Date()): Promise<CodeCheck> {
  const check = await withServiceRole("auth.mfa", (db) => checkCodeIn(db, userId, code, now, "sign-in"));
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

/** `purpose`'s count and lock, as a row reads and as an update writes them. */
function counterOf(row: UserMfa, purpose: CodePurpose): { failed: number; until: Date | null } {
  return purpose === "sign-in" ? { failed: row.failedCount, until: row.lockedUntil } : { failed: row.accountFailedCount, until: row.accountLockedUntil };
}
function counterSet(purpose: CodePurpose, failed: number, until: Date | null) {
  return purpose === "sign-in" ? { failedCount: failed, lockedUntil: until } : { accountFailedCount: failed, accountLockedUntil: until };
}

/**
 * One code check, counted on `purpose`'s counter. The count is of wrong codes
 * in a row: a lock does not reset it, only a right code (of the same purpose)
 * does. Every MAX_FAILED_CODES-th wrong code locks for lockoutMinutes(n); from
 * HARD_LOCK_AFTER_FAILURES on, the lock has no end.
 *
 * While locked, TOTP codes are refused unchecked and uncounted, but a recovery
 * code is checked: a right one clears the lock (it is the way out, and an
 * 80-bit single-use code cannot be guessed), a wrong one is refused uncounted
 * (a lock is not made longer by what is tried during it).
 */
async function checkCodeIn(db: Db, userId: string, rawCode: string, now: Date, purpose: CodePurpose): Promise<CodeCheck> {
  const row = await lockedRow(db, userId);
  if (!row || !row.confirmedAt) return { ok: false, reason: "not_enrolled" };
  const { failed: failedBefore, until } = counterOf(row, purpose);
  const lockedAnswer = (): CodeCheck | null =>
    failedBefore >= HARD_LOCK_AFTER_FAILURES
      ? { ok: false, reason: "recovery_required" }
      : until && until > now
        ? { ok: false, reason: "locked", retryAfterSeconds: secondsUntil(until, now) }
        : null;
  const clear = counterSet(purpose, 0, null);

  const code = rawCode.replace(/\s/g, "");
  const recovery = isTotpCodeShape(code) ? null : normalizeRecoveryCode(code);
  // Input that cannot be a code is refused without counting: it cannot guess anything.
  // While locked, only a recovery code is looked at.
  if (!recovery) {
    const lockedNow = lockedAnswer();
    if (lockedNow) return lockedNow;
    if (!isTotpCodeShape(code)) return { ok: false, reason: "invalid" };
  }

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
      await db.update(userMfa).set(clear).where(eq(userMfa.userId, userId));
      return { ok: true, method: "recovery" };
    }
    const locked = lockedAnswer();
    if (locked) return locked;
  } else {
    const secret = openSecretOrNull(userId, row.totpSecret);
    const step = secret ? verifyTotp(secret, code, { at: now, lastUsedStep: row.lastUsedStep }) : null;
    if (step !== null) {
      await db
        .update(userMfa)
        .set({ ...clear, lastUsedStep: step })
        .where(eq(userMfa.userId, userId));
      return { ok: true, method: "totp" };
    }
  }

  const failures = failedBefore + 1;
  if (failures >= HARD_LOCK_AFTER_FAILURES) {
    await db.update(userMfa).set(counterSet(purpose, failures, null)).where(eq(userMfa.userId, userId));
    await queueHardLockMail(db, userId, purpose);
    return { ok: false, reason: "recovery_required", lockedNow: true };
  }
  if (failures % MAX_FAILED_CODES === 0) {
    const lockedUntil = new Date(now.getTime() + lockoutMinutes(failures / MAX_FAILED_CODES) * 60_000);
    await db.update(userMfa).set(counterSet(purpose, failures, lockedUntil)).where(eq(userMfa.userId, userId));
    return { ok: false, reason: "locked", retryAfterSeconds: secondsUntil(lockedUntil, now), lockedNow: true };
  }
  await db.update(userMfa).set(counterSet(purpose, failures, null)).where(eq(userMfa.userId, userId));
  return { ok: false, reason: "invalid" };
}

/**
 * The user is told by email when their second factor goes recovery-only: a
 * hundred wrong codes in a row mean someone else most likely knows their
 * password (at sign-in) or holds one of their sessions (the account page).
 * In the brand of the user's own portal (their first membership's), never
 * the host's the guesses came from. Queued on the check's own transaction
 * (lib/mail's outbox), so it commits with the lock or not at all, and no
 * second pooled connection is asked for while the check holds one
 * (lib/db/held-connection.ts). Inside a savepoint (withServiceRoleIn): if it
 * fails, the failure is logged and undone, and the lock stands.
 */
async function queueHardLockMail(db: Db, userId: string, purpose: CodePurpose): Promise<void> {
  try {
    const [{ mfaLockedMail, enqueueMail }, branding] = await Promise.all([import("@/lib/mail"), import("@/lib/branding/resolve")]);
    await withServiceRoleIn("auth.mfa", db, async (sdb) => {
      const { rows } = await sdb.$client.query<{ email: string; slug: string | null; kind: string | null }>(
        `select u.email, h.slug, h.kind
           from public.users u
           left join lateral (select t.slug, t.kind from public.memberships m join public.tenants t on t.id = m.tenant_id
                               where m.user_id = u.id and t.status not in ('deprovisioning', 'deprovisioned')
                               order by t.path limit 1) h on true
          where u.id = $1`,
        [userId],
      );
      const user = rows[0];
      if (!user) return;
      const brand =
        user.kind === "mssp"
          ? await branding.brandOfConsoleFor(userId, sdb)
          : ((user.slug ? await branding.loadBrand({ area: "tenant", slug: user.slug }, sdb) : null) ?? (await branding.fallbackBrand(true)));
      await enqueueMail(sdb, { to: user.email, message: mfaLockedMail({ failures: HARD_LOCK_AFTER_FAILURES, where: purpose, brand }) });
    });
  } catch (error) {
    log.error({ event: "mfa.hard-lock-mail-failed", userId, err: safeError(error) }, "the user could not be emailed about their locked second factor");
  }
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
// Enrolment, and replacing the app
// ---------------------------------------------------------------------------
//
// A key waiting for its first code is bound to the setup that made it: the
// session that started it (after the account password, lib/actions/account/mfa.ts)
// and when. Only that session is shown the key and may confirm it, and only
// for PENDING_MINUTES; after that the password is asked again (a first setup
// then resumes the same key, so an app that already scanned it still works).
// A session cookie alone can therefore neither start a setup nor finish one
// that its owner started elsewhere.

/** Minutes a started setup or replacement waits for its first code before the password is asked again. */
export const PENDING_MINUTES = 15;

export interface PendingEnrolment {
  /** Unpadded base32, as typed into an authenticator app. */
  secret: string;
  otpauthUri: string;
}

/** Who started a setup, and when: the session (null outside a request) and the time. */
export interface SetupBinding {
  sessionId?: string | null;
  now?: Date;
}

type PendingColumns = { pendingSessionId: string | null; pendingStartedAt: Date | null };

/** The pending key was started by `sessionId` within PENDING_MINUTES of `now`. */
function boundTo(row: PendingColumns, sessionId: string | null | undefined, now: Date): boolean {
  if (!row.pendingStartedAt) return false; // made before setups were bound (or never started): the password first
  if ((row.pendingSessionId ?? null) !== (sessionId ?? null)) return false;
  return now.getTime() - row.pendingStartedAt.getTime() <= PENDING_MINUTES * 60_000;
}

const UNBOUND = { pendingSecret: null, pendingSessionId: null, pendingStartedAt: null } as const;

/** The step of a first code from a key not yet confirmed (`sealed`), or null: a setup's and a replacement's confirmation. */
function firstCodeStep(userId: string, sealed: string, code: string, now: Date): number | null {
  const secret = openSecretOrNull(userId, sealed);
  return secret ? verifyTotp(secret, code.replace(/\s/g, ""), { at: now }) : null;
}

export type EnrolmentStart = { ok: true; enrolment: PendingEnrolment } | { ok: false; reason: "already_enrolled" };

/**
 * Starts (or resumes) enrolment for a user whose password the caller has just
 * checked again: returns the pending secret, generating and storing one if
 * there is none (or if `restart` asks for a new one), bound to `sessionId`
 * from `now`. A confirmed factor is never replaced here (startReplacement).
 */
export function startEnrolment(
  user: { id: string; email: string },
  opts: { restart?: boolean; issuer?: string } & SetupBinding = {},
): Promise<EnrolmentStart> {
  const now = opts.now ?? new Date();
  const binding = { pendingSessionId: opts.sessionId ?? null, pendingStartedAt: now };
  return withServiceRole("auth.mfa", async (db) => {
    const row = await lockedRow(db, user.id);
    if (row?.confirmedAt) return { ok: false, reason: "already_enrolled" } as const;
    if (row && !opts.restart) {
      const secret = openSecretOrNull(user.id, row.totpSecret);
      if (secret) {
        await db.update(userMfa).set(binding).where(eq(userMfa.userId, user.id));
        return { ok: true, enrolment: pendingFor(user.email, secret, opts.issuer) } as const;
      }
    }
    const secret = generateTotpSecret();
    const sealed = sealTotpSecret(user.id, secret);
    await db
      .insert(userMfa)
      .values({ userId: user.id, totpSecret: sealed, ...binding })
      .onConflictDoUpdate({
        target: userMfa.userId,
        set: { totpSecret: sealed, confirmedAt: null, lastUsedStep: null, failedCount: 0, lockedUntil: null, ...binding },
      });
    return { ok: true, enrolment: pendingFor(user.email, secret, opts.issuer) } as const;
  });
}

/**
 * The pending enrolment, if one was started by `sessionId` within the window
 * and not confirmed; `issuer`: the product name of the host showing it.
 */
export function getPendingEnrolment(
  user: { id: string; email: string },
  opts: { issuer?: string } & SetupBinding = {},
): Promise<PendingEnrolment | null> {
  return withServiceRole("auth.mfa", async (db) => {
    const [row] = await db.select().from(userMfa).where(eq(userMfa.userId, user.id));
    if (!row || row.confirmedAt || !boundTo(row, opts.sessionId, opts.now ?? new Date())) return null;
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
 * Confirms the pending secret with a code from the app, from the session that
 * started the setup (opts.keepSessionId) within PENDING_MINUTES; otherwise
 * "no_pending". A wrong code changes nothing (the pending secret stays, to try
 * again). On success the factor is confirmed, the code's step is marked used,
 * and ten fresh recovery codes are returned: the only time they exist in plaintext.
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
    if (!boundTo(row, opts.keepSessionId, now)) return { ok: false, reason: "no_pending" } as const;
    const step = firstCodeStep(userId, row.totpSecret, code, now);
    if (step === null) return { ok: false, reason: "invalid" } as const;
    await db
      .update(userMfa)
      .set({ confirmedAt: now, lastUsedStep: step, failedCount: 0, lockedUntil: null, ...UNBOUND })
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

/**
 * Starts replacing the authenticator app (a lost or new phone) for a user
 * whose password the caller has just checked again: `code` is a current code
 * of the confirmed factor or an unused recovery code, checked like every
 * account-page code (checkCodeIn, "account": its lockout; a recovery code is
 * spent). A new key
 * is stored beside the confirmed one, which keeps working until the new one
 * is confirmed (confirmReplacement), so sign-in never falls back to the
 * password alone. Starting again makes another new key.
 */
export async function startReplacement(
  user: { id: string; email: string },
  code: string,
  opts: { issuer?: string } & SetupBinding = {},
): Promise<GuardedResult<{ enrolment: PendingEnrolment }>> {
  const now = opts.now ?? new Date();
  let method: string | undefined;
  const result = await withServiceRole("auth.mfa", async (db) => {
    const check = await checkCodeIn(db, user.id, code, now, "account");
    if (!check.ok) return check;
    method = check.method;
    const secret = generateTotpSecret();
    await db
      .update(userMfa)
      .set({ pendingSecret: sealTotpSecret(user.id, secret), pendingSessionId: opts.sessionId ?? null, pendingStartedAt: now })
      .where(eq(userMfa.userId, user.id));
    return { ok: true, enrolment: pendingFor(user.email, secret, opts.issuer) } as const;
  });
  if (result.ok) await recoveryCodeEvent(user.id, { ok: true, method });
  return result;
}

/** The replacement key waiting for its first code, if `sessionId` started it within the window. */
export function getPendingReplacement(
  user: { id: string; email: string },
  opts: { issuer?: string } & SetupBinding = {},
): Promise<PendingEnrolment | null> {
  return withServiceRole("auth.mfa", async (db) => {
    const [row] = await db.select().from(userMfa).where(eq(userMfa.userId, user.id));
    if (!row?.confirmedAt || !row.pendingSecret || !boundTo(row, opts.sessionId, opts.now ?? new Date())) return null;
    const secret = openSecretOrNull(user.id, row.pendingSecret);
    return secret ? pendingFor(user.email, secret, opts.issuer) : null;
  });
}

export type ReplaceResult = { ok: true } | { ok: false; reason: "invalid" | "no_pending" | "not_enrolled" };

/**
 * Confirms the replacement key with a code from the NEW app, from the session
 * that started the replacement within PENDING_MINUTES. In one transaction the
 * new key takes the old one's place (the old app's codes stop working) and
 * every other session of the user ends; the recovery codes stay as they were.
 * A wrong code changes nothing.
 */
export async function confirmReplacement(userId: string, code: string, now = new Date(), opts: SessionKeeping = {}): Promise<ReplaceResult> {
  const result = await withServiceRole("auth.mfa", async (db) => {
    const row = await lockedRow(db, userId);
    if (!row?.confirmedAt) return { ok: false, reason: "not_enrolled" } as const;
    if (!row.pendingSecret || !boundTo(row, opts.keepSessionId, now)) return { ok: false, reason: "no_pending" } as const;
    const step = firstCodeStep(userId, row.pendingSecret, code, now);
    if (step === null) return { ok: false, reason: "invalid" } as const;
    // The sealed key moves as is: it was sealed for this user's row like totp_secret.
    await db
      .update(userMfa)
      .set({ totpSecret: row.pendingSecret, confirmedAt: now, lastUsedStep: step, ...UNBOUND })
      .where(eq(userMfa.userId, userId));
    const revoked = await revokeUserSessions(userId, "mfa_replaced", opts.keepSessionId, { db });
    return { ok: true, revoked } as const;
  });
  if (!result.ok) return result;
  await recordAuthEvent({ type: "mfa-replaced", userId, method: "totp" });
  await recordSessionsRevoked(userId, "mfa_replaced", result.revoked);
  return { ok: true };
}

/** Drops a replacement key that was not confirmed; the confirmed app keeps working. */
export function cancelReplacement(userId: string): Promise<boolean> {
  return withServiceRole("auth.mfa", async (db) => {
    const cleared = await db
      .update(userMfa)
      .set(UNBOUND)
      .where(and(eq(userMfa.userId, userId), isNotNull(userMfa.pendingSecret)))
      .returning({ userId: userMfa.userId });
    return cleared.length > 0;
  });
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
    const check = await checkCodeIn(db, userId, code, now, "account");
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
    const check = await checkCodeIn(db, userId, code, now, "account");
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
