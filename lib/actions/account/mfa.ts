"use server";
// Server actions of the two-step verification page. Each acts on the signed-in
// user only (the session, never a form field), parses its input with zod, and
// answers with a message a person can act on.
//
// Setting up an app, or replacing it, asks for the account password again
// (the sign-in's throttled check, lib/auth/credentials.ts), so a stolen session
// cookie cannot put someone else's app on the account; the key it makes is
// bound to this session (lib/auth/mfa.ts), which alone may confirm it.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { checkPassword } from "@/lib/auth/credentials";
import {
  cancelReplacement,
  confirmEnrolment,
  confirmReplacement,
  disableMfa,
  PENDING_MINUTES,
  regenerateRecoveryCodes,
  startEnrolment,
  startReplacement,
  type CodeCheck,
} from "@/lib/auth/mfa";
import { getSessionUserForEnrolment, type SessionUser } from "@/lib/auth/session";

export type MfaActionState =
  | { status: "idle" }
  | { status: "error"; error: string }
  | { status: "codes"; recoveryCodes: string[]; message: string }
  | { status: "done"; message: string };

const PATH = "/account/mfa";

const totpCodeSchema = z.object({
  code: z
    .string({ error: "Enter the 6-digit code from your authenticator app." })
    .transform((c) => c.replace(/\s/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code your app shows (digits only).")),
});

// A current TOTP code, or one of the recovery codes.
const currentCodeSchema = z.object({
  code: z
    .string({ error: "Enter a code from your authenticator app or a recovery code." })
    .trim()
    .min(1, "Enter a code from your authenticator app or a recovery code.")
    .max(64, "That is not a code."),
});

const passwordField = z
  .string({ error: "Enter your password." })
  .min(1, "Enter your password.")
  .max(1024, "That is not your password: it is too long.");

const startSchema = z.object({ restart: z.enum(["0", "1"]).optional(), password: passwordField });

// Replacing the app: the password, and a code of the current app or a recovery code.
const replaceSchema = z.object({ password: passwordField, ...currentCodeSchema.shape });

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Check the form and try again.";
}

const SIGNED_OUT: MfaActionState = { status: "error", error: "Your session has ended. Sign in again, then retry." };

/** The lock's length as a person reads it: the locks grow from CODE_LOCKOUT_MINUTES to hours (lib/auth/mfa.ts). */
function minutes(seconds: number): string {
  const m = Math.max(1, Math.ceil(seconds / 60));
  if (m > 90) return `${Math.ceil(m / 60)} hours`;
  return `${m} minute${m === 1 ? "" : "s"}`;
}

function codeFailure(check: Exclude<CodeCheck, { ok: true }> | { ok: false; reason: "required" }): MfaActionState {
  switch (check.reason) {
    case "locked":
      return {
        status: "error",
        error: `Too many wrong codes. App codes are refused here for ${minutes(check.retryAfterSeconds)}; try again later, or use a recovery code.`,
      };
    case "recovery_required":
      return { status: "error", error: "Too many wrong codes in a row: app codes are no longer accepted here. Use one of your recovery codes." };
    case "not_enrolled":
      return { status: "error", error: "Two-step verification is not set up for your account." };
    case "required":
      return { status: "error", error: "Two-step verification is required for your account, so it cannot be turned off." };
    default:
      return { status: "error", error: "That code didn't work. Enter the current code from your app, or an unused recovery code." };
  }
}

/**
 * The session's person types their password again: checked by the sign-in's
 * own path (the same per-source and per-(email, source) limits, the same
 * argon2 check). null when right; otherwise the message to show.
 */
async function passwordAgain(user: SessionUser, password: string): Promise<MfaActionState | null> {
  const check = await checkPassword({ email: user.email, password }, undefined, {}, { recordLogin: false });
  if (check.ok && check.user.id === user.id) return null;
  if (!check.ok && check.reason === "locked") {
    const m = Math.max(1, Math.ceil(check.retryAfterSeconds / 60));
    return { status: "error", error: `Too many password attempts. Try again in ${m} minute${m === 1 ? "" : "s"}; nothing was changed.` };
  }
  return { status: "error", error: "That password is not right. Enter the password you sign in with; nothing was changed." };
}

export async function startEnrolmentAction(_prev: MfaActionState, form: FormData): Promise<MfaActionState> {
  const user = await getSessionUserForEnrolment();
  if (!user) return SIGNED_OUT;
  const parsed = startSchema.safeParse({ restart: form.get("restart") ?? undefined, password: form.get("password") ?? undefined });
  if (!parsed.success) return { status: "error", error: firstIssue(parsed.error) };
  const wrong = await passwordAgain(user, parsed.data.password);
  if (wrong) return wrong;
  const { requestBrand } = await import("@/lib/branding/resolve");
  const result = await startEnrolment(user, {
    restart: parsed.data.restart === "1",
    issuer: (await requestBrand()).productName,
    sessionId: user.sessionId,
  });
  if (!result.ok) return { status: "error", error: "Two-step verification is already on for your account." };
  revalidatePath(PATH);
  return { status: "idle" };
}

export async function confirmEnrolmentAction(_prev: MfaActionState, form: FormData): Promise<MfaActionState> {
  const user = await getSessionUserForEnrolment();
  if (!user) return SIGNED_OUT;
  const parsed = totpCodeSchema.safeParse({ code: form.get("code") ?? undefined });
  if (!parsed.success) return { status: "error", error: firstIssue(parsed.error) };
  const result = await confirmEnrolment(user.id, parsed.data.code, new Date(), { keepSessionId: user.sessionId });
  if (!result.ok) {
    switch (result.reason) {
      case "no_pending":
        return {
          status: "error",
          error: `This setup has expired (after ${PENDING_MINUTES} minutes) or was started in another browser. Enter your password to continue it.`,
        };
      case "already_enrolled":
        return { status: "error", error: "Two-step verification is already on for your account." };
      default:
        return {
          status: "error",
          error:
            "That code doesn't match. Check that the app shows this account and that your device's clock is right, then enter the newest code. Your setup key is unchanged.",
        };
    }
  }
  revalidatePath(PATH);
  return { status: "codes", recoveryCodes: result.recoveryCodes, message: "Two-step verification is on." };
}

export async function regenerateRecoveryCodesAction(_prev: MfaActionState, form: FormData): Promise<MfaActionState> {
  const user = await getSessionUserForEnrolment();
  if (!user) return SIGNED_OUT;
  const parsed = currentCodeSchema.safeParse({ code: form.get("code") ?? undefined });
  if (!parsed.success) return { status: "error", error: firstIssue(parsed.error) };
  const result = await regenerateRecoveryCodes(user.id, parsed.data.code);
  if (!result.ok) return codeFailure(result);
  revalidatePath(PATH);
  return { status: "codes", recoveryCodes: result.recoveryCodes, message: "New recovery codes issued; the old ones no longer work." };
}

export async function disableMfaAction(_prev: MfaActionState, form: FormData): Promise<MfaActionState> {
  const user = await getSessionUserForEnrolment();
  if (!user) return SIGNED_OUT;
  const parsed = currentCodeSchema.safeParse({ code: form.get("code") ?? undefined });
  if (!parsed.success) return { status: "error", error: firstIssue(parsed.error) };
  const result = await disableMfa(user.id, parsed.data.code, new Date(), { keepSessionId: user.sessionId });
  if (!result.ok) return codeFailure(result);
  revalidatePath(PATH);
  return { status: "done", message: "Two-step verification is off. Sign-in now asks only for your password." };
}

export async function startReplacementAction(_prev: MfaActionState, form: FormData): Promise<MfaActionState> {
  const user = await getSessionUserForEnrolment();
  if (!user) return SIGNED_OUT;
  const parsed = replaceSchema.safeParse({ password: form.get("password") ?? undefined, code: form.get("code") ?? undefined });
  if (!parsed.success) return { status: "error", error: firstIssue(parsed.error) };
  // The password first: a wrong one spends no code (and no recovery code).
  const wrong = await passwordAgain(user, parsed.data.password);
  if (wrong) return wrong;
  const { requestBrand } = await import("@/lib/branding/resolve");
  const result = await startReplacement(user, parsed.data.code, { issuer: (await requestBrand()).productName, sessionId: user.sessionId });
  if (!result.ok) return codeFailure(result);
  revalidatePath(PATH);
  return { status: "idle" };
}

export async function confirmReplacementAction(_prev: MfaActionState, form: FormData): Promise<MfaActionState> {
  const user = await getSessionUserForEnrolment();
  if (!user) return SIGNED_OUT;
  const parsed = totpCodeSchema.safeParse({ code: form.get("code") ?? undefined });
  if (!parsed.success) return { status: "error", error: firstIssue(parsed.error) };
  const result = await confirmReplacement(user.id, parsed.data.code, new Date(), { keepSessionId: user.sessionId });
  if (!result.ok) {
    switch (result.reason) {
      case "no_pending":
        return {
          status: "error",
          error: `This replacement has expired (after ${PENDING_MINUTES} minutes) or was started in another browser. Start it again; your current app still works.`,
        };
      case "not_enrolled":
        return { status: "error", error: "Two-step verification is not set up for your account." };
      default:
        return {
          status: "error",
          error:
            "That code doesn't match the new key. Check that you scanned the new QR code (not your old entry) and that your device's clock is right, then enter the newest code. Your current app still works.",
        };
    }
  }
  revalidatePath(PATH);
  return {
    status: "done",
    message: "Your new authenticator app is set up. Codes from the old one no longer work, and your other sessions were signed out. Your recovery codes are unchanged.",
  };
}

export async function cancelReplacementAction(): Promise<MfaActionState> {
  const user = await getSessionUserForEnrolment();
  if (!user) return SIGNED_OUT;
  await cancelReplacement(user.id);
  revalidatePath(PATH);
  return { status: "done", message: "Replacement cancelled. Your current authenticator app still works." };
}
