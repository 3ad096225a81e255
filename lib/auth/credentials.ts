// Sign-in: email + password, limited per source and per (email, source), then
// the second factor. The password check runs before any user is known, so it
// uses the named service-role path "auth.sign-in" and touches only the users
// table and the rate-limit buckets (lib/ratelimit); the code check goes
// through "auth.mfa" (lib/auth/mfa.ts).
//
// Issue 9, findings 1 and 2:
// - The argon2 hash runs with no pooled connection held: one short
//   transaction spends the tokens and reads the user, then the hash, then (on
//   success only) a second one. A flood of sign-ins queues on the CPU, not on
//   the pool every tenant's pages need.
// - Every failure looks the same: an unknown email, a wrong password and a
//   throttled attempt all cost one hash (against a dummy hash when there is
//   no user or no attempt left), and "locked" depends only on what this
//   source did with this email, whether the account exists or not. (A source
//   over its own budget is refused before any hash, whatever the email: that
//   answer says nothing about accounts, and skipping the hash sheds the load.)
// - Failures are counted per (email, source), so someone elsewhere cannot
//   lock the real user out; each source also has a budget of attempts for all
//   emails together. The source is the client address as TRUST_PROXY says
//   (lib/ratelimit/client-ip.ts); with no trusted proxy it is one shared
//   "unknown" source.
//
// On a tenant's verified custom domain only the tenant's own people sign in
// (lib/auth/host-rule.ts): the tenant controls that name's DNS and may relay
// it through a server of its own, so anyone with access beyond the tenant
// (MSSP staff above all) is refused there, after the right password and
// before any second factor, and told where to sign in instead. A wrong
// password or an unknown email gets the same answer as on any host.
import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { users } from "@/drizzle/schema";
import { withServiceRole } from "@/lib/db/service-role";
import { clientSource, perWindow, reset, take, UNKNOWN_SOURCE, type Limit } from "@/lib/ratelimit";
import { deferAuthEvent, firstLockedInWindow, recordAuthEvent } from "./events";
import { signsInOn, type HostTenant } from "./host-rule";
import { getMfaStatus, verifySecondFactor, type CodeCheck } from "./mfa";
import { dummyPasswordHash, verifyPassword } from "./password";
import { settings } from "@/lib/config";

/** Attempts per (email, source) before it is throttled. */
export const MAX_FAILED_ATTEMPTS = 5;
/** Then one more attempt per LOCKOUT_MINUTES (a right password clears the count). */
export const LOCKOUT_MINUTES = 15;

/** Attempts per (email, source): a burst of MAX_FAILED_ATTEMPTS, then one per LOCKOUT_MINUTES. */
export const ACCOUNT_SOURCE_LIMIT: Limit = { capacity: MAX_FAILED_ATTEMPTS, refillPerSecond: 1 / (LOCKOUT_MINUTES * 60) };

/**
 * Attempts per source, any email: SIGNIN_LIMIT_PER_MINUTE (default 30) with
 * bursts of SIGNIN_BURST (default the same). Read on each call.
 */
export function sourceLimit(env: Record<string, string | undefined> = process.env): Limit {
  const s = settings(env);
  return perWindow(s.SIGNIN_LIMIT_PER_MINUTE, 60, s.SIGNIN_BURST ?? s.SIGNIN_LIMIT_PER_MINUTE);
}

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid email address").max(254),
  password: z.string().min(1, "Enter your password").max(1024),
});

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAfterSeconds: number };

export interface SignInContext {
  /** The rate-limit source (lib/ratelimit clientSource); default: the current request's, as TRUST_PROXY says. */
  source?: string;
  /**
   * The slug of the tenant whose verified custom domain the sign-in came in on (lib/tenancy/host
   * customDomainTenant), null on the portal's own hosts; default: the current request's.
   */
  customDomainOf?: string | null;
}

/** Email + password only (with throttling); records the sign-in on success. */
export function verifyCredentials(input: unknown, now?: Date, ctx: SignInContext = {}): Promise<SignInResult> {
  return checkPassword(input, now, ctx, { recordLogin: true });
}

/** The key of the failure bucket of one email from one source (no address stored in clear). */
export function accountSourceKey(email: string, source: string): string {
  return `signin:acct-src:${createHash("sha256").update(`${email}\n${source}`).digest("hex")}`;
}

/** The tenant of the current request's custom domain, or null (a portal host, or outside a request). */
async function requestCustomDomain(): Promise<string | null> {
  try {
    const { headers } = await import("next/headers");
    const { customDomainTenant } = await import("@/lib/tenancy/host");
    return customDomainTenant(await headers());
  } catch {
    return null;
  }
}

/** The current request's source, or "unknown" outside a request. */
async function requestSource(): Promise<string> {
  try {
    const { headers } = await import("next/headers");
    return clientSource(await headers());
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("TRUST_PROXY")) throw error;
    return UNKNOWN_SOURCE;
  }
}

// At most SIGNIN_CONCURRENCY (default 4, libuv's hashing threads) sign-ins of
// this process run at once; the rest wait here, in their own queue, not in
// the pool's, where every tenant's queries would wait behind them. (This
// protects this process's pool and CPU; the limits replicas share are in
// Postgres, lib/ratelimit.)
let running = 0;
const waiting: (() => void)[] = [];
function concurrency(): number {
  return settings().SIGNIN_CONCURRENCY;
}
async function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= concurrency()) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next(); // the slot passes on
    else running--;
  }
}

interface PasswordCheckOptions {
  recordLogin: boolean;
  /**
   * A right password refills this (email, source)'s bucket (default). Not when
   * a second factor is still to come (authenticate): the attempt counts until
   * the code is right too, or a right password would buy more code guesses.
   */
  clearOnSuccess?: boolean;
}

function checkPassword(input: unknown, now: Date | undefined, ctx: SignInContext, opts: PasswordCheckOptions): Promise<SignInResult> {
  return oneAtATime(() => checkPasswordNow(input, now, ctx, opts));
}
export { checkPassword }; // also the account page's password re-check (lib/actions/account/mfa.ts)

async function checkPasswordNow(input: unknown, now: Date | undefined, ctx: SignInContext, opts: PasswordCheckOptions): Promise<SignInResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password } = parsed.data;
  const source = ctx.source ?? (await requestSource());
  const failKey = accountSourceKey(email, source);

  // 1. One short transaction: spend one attempt of this source and one of
  //    (email, source), and read the user. Spending before the hash means
  //    concurrent guesses cannot all pass a check made before any of them failed.
  const first = await withServiceRole("auth.sign-in", async (db) => {
    const bySource = await take(`signin:src:${source}`, sourceLimit(), { at: now, db });
    if (!bySource.allowed) return { throttled: bySource, perAccount: null, user: undefined };
    const perAccount = await take(failKey, ACCOUNT_SOURCE_LIMIT, { at: now, db });
    // Read even when throttled: the lockout is an auth event of the account (if there is one).
    const [user] = await db
      .select({ id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, email));
    return { throttled: perAccount.allowed ? null : perAccount, perAccount, user };
  });

  // A source over its budget is refused before any hash: that is what sheds a
  // flood, and the answer does not depend on the email at all. (Logged only:
  // no account is looked up.)
  if (first.throttled && !first.perAccount) {
    deferAuthEvent({ type: "sign-in-locked", userId: null, reason: "source_limit", source });
    return locked(first.throttled.retryAfterSeconds);
  }

  // 2. The hash, with no connection held; against a dummy hash when there is
  //    no user, no password, or no attempt left, so every failure costs the same.
  const target = !first.throttled && first.user?.passwordHash ? first.user.passwordHash : await dummyPasswordHash();
  const matches = await verifyPassword(target, password);

  // Auth events of failures are deferred (deferAuthEvent): writing the audit
  // rows of a real account must not make its answer slower than an unknown
  // email's. Unknown emails are logged only (no tenant's admins to tell).
  const userId = first.user?.id ?? null;
  if (first.throttled) {
    const audit = userId !== null && firstLockedInWindow(userId, source);
    deferAuthEvent({ type: "sign-in-locked", userId, reason: "password", source }, { audit });
    return locked(first.throttled.retryAfterSeconds);
  }
  const user = first.user;
  if (!user || !user.passwordHash || !matches) {
    // The attempt that spends the last one says so, as the old lockout did.
    const lockedNow = first.perAccount!.remaining < 1;
    if (lockedNow && userId) firstLockedInWindow(userId, source);
    deferAuthEvent({
      type: lockedNow ? "sign-in-locked" : "sign-in-failed",
      userId,
      reason: lockedNow ? "password" : user ? "wrong_password" : "unknown_account",
      source,
    });
    return lockedNow ? locked(first.perAccount!.retryAfterSeconds) : { ok: false, reason: "invalid" };
  }

  // 3. Right password: this (email, source) starts afresh (authenticate: once the second factor passed too).
  const clear = opts.clearOnSuccess !== false;
  if (clear || opts.recordLogin) {
    await withServiceRole("auth.sign-in", async (db) => {
      if (clear) await reset(failKey, { db });
      if (opts.recordLogin) await db.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, user.id));
    });
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

function locked(retryAfterSeconds: number): SignInResult {
  return { ok: false, reason: "locked", retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) };
}

// ---------------------------------------------------------------------------
// The whole sign-in: password, then (if enrolled) a TOTP or recovery code
// ---------------------------------------------------------------------------

export const signInSchema = z.object({
  email: z.unknown(),
  password: z.unknown(),
  // next-auth posts every credential field as a string; "" means "not given".
  code: z.string().trim().max(64).optional().transform((c) => (c ? c : undefined)),
});

export type AuthenticateResult =
  | {
      ok: true;
      user: { id: string; email: string; name: string };
      /** How the second factor was passed (null: the user has none). */
      mfaMethod: "totp" | "recovery" | null;
      /** MFA is required for this user but not set up: every page sends them to enrol. */
      mfaEnrollmentRequired: boolean;
    }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAfterSeconds: number }
  /** The password was right and a code is needed (none given). */
  | { ok: false; reason: "mfa_required" }
  /** The password was right, the code was not. */
  | { ok: false; reason: "mfa_invalid" }
  | { ok: false; reason: "mfa_locked"; retryAfterSeconds: number }
  /** The password was right; after too many wrong codes in a row only a recovery code is accepted. */
  | { ok: false; reason: "mfa_recovery_required" }
  /**
   * The password was right, but this host is a tenant's custom domain and the person is not one of
   * that tenant's own people (lib/auth/host-rule.ts): `tenant` is the custom domain's tenant, whose
   * portal-own host (or the console, for an MSSP) is where to sign in instead.
   */
  | { ok: false; reason: "wrong_host"; tenant: HostTenant };

/**
 * Password first: a wrong or locked password fails exactly as before, and says
 * nothing about a second factor. Only after the right password does the
 * answer depend on MFA: "mfa_required" without a code, "mfa_invalid" or
 * "mfa_locked" (or "mfa_recovery_required") for a wrong one. The password is
 * checked again on every step, so the code step cannot be reached without it.
 *
 * The (email, source) bucket of the password check is refilled only once the
 * whole sign-in succeeds: an attempt with the right password and a wrong (or
 * no) code still spends one, so knowing the password buys no extra guesses.
 */
export async function authenticate(input: unknown, at?: Date, ctx: SignInContext = {}): Promise<AuthenticateResult> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const source = ctx.source ?? (await requestSource());
  const password = await checkPassword(input, at, { ...ctx, source }, { recordLogin: false, clearOnSuccess: false });
  if (!password.ok) return password;
  const now = at ?? new Date();
  const { user } = password;

  // A custom domain: only the tenant's own people, before any second factor is asked or spent.
  const customDomainOf = ctx.customDomainOf !== undefined ? ctx.customDomainOf : await requestCustomDomain();
  if (customDomainOf !== null) {
    const here = await signsInOn(user.id, customDomainOf);
    if (!here.ok) {
      // The password was right: the caller knows the account exists, so this need not be deferred.
      await recordAuthEvent({ type: "sign-in-failed", userId: user.id, reason: "wrong_host", source });
      return { ok: false, reason: "wrong_host", tenant: here.tenant };
    }
  }

  const status = await getMfaStatus(user.id);
  let mfaMethod: "totp" | "recovery" | null = null;
  if (status.enrolled) {
    const code = parsed.data.code;
    if (!code) {
      if (status.recoveryOnly) return { ok: false, reason: "mfa_recovery_required" };
      if (status.lockedUntil && status.lockedUntil > now) {
        return { ok: false, reason: "mfa_locked", retryAfterSeconds: secondsUntil(status.lockedUntil, now) };
      }
      return { ok: false, reason: "mfa_required" };
    }
    const check = await verifySecondFactor(user.id, code, now);
    if (!check.ok) {
      await codeFailureEvent(user.id, check, source, now);
      if (check.reason === "locked") return { ok: false, reason: "mfa_locked", retryAfterSeconds: check.retryAfterSeconds };
      if (check.reason === "recovery_required") return { ok: false, reason: "mfa_recovery_required" };
      return { ok: false, reason: "mfa_invalid" };
    }
    mfaMethod = check.method;
  }

  await withServiceRole("auth.sign-in", async (db) => {
    await reset(accountSourceKey(user.email, source), { db });
    await db.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, user.id));
  });
  return { ok: true, user, mfaMethod, mfaEnrollmentRequired: status.required && !status.enrolled };
}

/**
 * A wrong code after the right password: a sign-in-failed row each time, with
 * the client source like a password failure's. While the factor is locked,
 * the attempt that locked it is always recorded; the attempts that meet the
 * lock, once per user, source and window (firstLockedInWindow, as password
 * lockouts), and logged every time. The password was right: the caller knows
 * the account exists, so these need not be deferred.
 */
async function codeFailureEvent(userId: string, check: Exclude<CodeCheck, { ok: true }>, source: string, now: Date): Promise<void> {
  if (check.reason !== "locked" && check.reason !== "recovery_required") {
    await recordAuthEvent({ type: "sign-in-failed", userId, reason: "mfa_invalid", source });
    return;
  }
  const reason = check.reason === "locked" ? "mfa" : "mfa_recovery_only";
  // Its own window key: a password lockout of the same source does not hide this one.
  const first = firstLockedInWindow(userId, `mfa:${reason}:${source}`, now.getTime());
  await recordAuthEvent({ type: "sign-in-locked", userId, reason, source }, { audit: check.lockedNow === true || first });
}

function secondsUntil(when: Date, now: Date): number {
  return Math.max(1, Math.ceil((when.getTime() - now.getTime()) / 1000));
}
