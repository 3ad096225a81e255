// Sign-in: email + password with temporary lockout, then the second factor.
// The password check runs before any user is known, so it uses the named
// service-role path "auth.sign-in" and touches only the users table; the code
// check goes through "auth.mfa" (lib/auth/mfa.ts).
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { users } from "@/drizzle/schema";
import { withServiceRole } from "@/lib/db/service-role";
import { getMfaStatus, verifySecondFactor } from "./mfa";
import { dummyPasswordHash, verifyPassword } from "./password";

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCKOUT_MINUTES = 15;

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid email address").max(254),
  password: z.string().min(1, "Enter your password").max(1024),
});

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAfterSeconds: number };

/** Email + password only (with lockout); records the sign-in on success. */
export function verifyCredentials(input: unknown, now = new Date()): Promise<SignInResult> {
  return checkPassword(input, now, { recordLogin: true });
}

async function checkPassword(input: unknown, now: Date, opts: { recordLogin: boolean }): Promise<SignInResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password } = parsed.data;

  return withServiceRole("auth.sign-in", async (db) => {
    const [user] = await db
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        passwordHash: users.passwordHash,
        failedLoginCount: users.failedLoginCount,
        lockedUntil: users.lockedUntil,
      })
      .from(users)
      .where(eq(users.email, email))
      .for("update");

    if (!user || !user.passwordHash) {
      await verifyPassword(await dummyPasswordHash(), password);
      return { ok: false, reason: "invalid" } as const;
    }
    if (user.lockedUntil && user.lockedUntil > now) {
      return { ok: false, reason: "locked", retryAfterSeconds: secondsUntil(user.lockedUntil, now) } as const;
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      const failures = user.failedLoginCount + 1;
      if (failures >= MAX_FAILED_ATTEMPTS) {
        const lockedUntil = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000);
        await db.update(users).set({ failedLoginCount: 0, lockedUntil }).where(eq(users.id, user.id));
        return { ok: false, reason: "locked", retryAfterSeconds: secondsUntil(lockedUntil, now) } as const;
      }
      await db.update(users).set({ failedLoginCount: failures }).where(eq(users.id, user.id));
      return { ok: false, reason: "invalid" } as const;
    }
    await db
      .update(users)
      .set(opts.recordLogin ? { failedLoginCount: 0, lockedUntil: null, lastLoginAt: sql`now()` } : { failedLoginCount: 0, lockedUntil: null })
      .where(eq(users.id, user.id));
    return { ok: true, user: { id: user.id, email: user.email, name: user.name } } as const;
  });
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
  | { ok: false; reason: "mfa_locked"; retryAfterSeconds: number };

/**
 * Password first: a wrong or locked password fails exactly as before, and says
 * nothing about a second factor. Only after the right password does the
 * answer depend on MFA: "mfa_required" without a code, "mfa_invalid" or
 * "mfa_locked" for a wrong one. The password is checked again on every step,
 * so the code step cannot be reached without it.
 */
export async function authenticate(input: unknown, now = new Date()): Promise<AuthenticateResult> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const password = await checkPassword(input, now, { recordLogin: false });
  if (!password.ok) return password;
  const { user } = password;

  const status = await getMfaStatus(user.id);
  let mfaMethod: "totp" | "recovery" | null = null;
  if (status.enrolled) {
    const code = parsed.data.code;
    if (!code) {
      if (status.lockedUntil && status.lockedUntil > now) {
        return { ok: false, reason: "mfa_locked", retryAfterSeconds: secondsUntil(status.lockedUntil, now) };
      }
      return { ok: false, reason: "mfa_required" };
    }
    const check = await verifySecondFactor(user.id, code, now);
    if (!check.ok) {
      if (check.reason === "locked") return { ok: false, reason: "mfa_locked", retryAfterSeconds: check.retryAfterSeconds };
      return { ok: false, reason: "mfa_invalid" };
    }
    mfaMethod = check.method;
  }

  await withServiceRole("auth.sign-in", (db) => db.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, user.id)));
  return { ok: true, user, mfaMethod, mfaEnrollmentRequired: status.required && !status.enrolled };
}

function secondsUntil(when: Date, now: Date): number {
  return Math.max(1, Math.ceil((when.getTime() - now.getTime()) / 1000));
}
