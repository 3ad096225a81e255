// Email + password check with temporary lockout. Runs before any user is
// known, so it uses the named service-role path "auth.sign-in" and touches
// only the users table.
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { users } from "@/drizzle/schema";
import { withServiceRole } from "@/lib/db/service-role";
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

export async function verifyCredentials(input: unknown, now = new Date()): Promise<SignInResult> {
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
      .set({ failedLoginCount: 0, lockedUntil: null, lastLoginAt: sql`now()` })
      .where(eq(users.id, user.id));
    return { ok: true, user: { id: user.id, email: user.email, name: user.name } } as const;
  });
}

function secondsUntil(when: Date, now: Date): number {
  return Math.max(1, Math.ceil((when.getTime() - now.getTime()) / 1000));
}
