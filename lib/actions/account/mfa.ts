"use server";
// Server actions of the two-step verification page. Each acts on the signed-in
// user only (the session, never a form field), parses its input with zod, and
// answers with a message a person can act on.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import {
  CODE_LOCKOUT_MINUTES,
  confirmEnrolment,
  disableMfa,
  regenerateRecoveryCodes,
  startEnrolment,
  type CodeCheck,
} from "@/lib/auth/mfa";
import { getSessionUserForEnrolment } from "@/lib/auth/session";

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

const restartSchema = z.object({ restart: z.enum(["0", "1"]).optional() });

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Check the form and try again.";
}

const SIGNED_OUT: MfaActionState = { status: "error", error: "Your session has ended. Sign in again, then retry." };

function minutes(seconds: number): string {
  const m = Math.max(1, Math.min(CODE_LOCKOUT_MINUTES, Math.ceil(seconds / 60)));
  return `${m} minute${m === 1 ? "" : "s"}`;
}

function codeFailure(check: Exclude<CodeCheck, { ok: true }> | { ok: false; reason: "required" }): MfaActionState {
  switch (check.reason) {
    case "locked":
      return {
        status: "error",
        error: `Too many wrong codes. Two-step verification is locked for ${minutes(check.retryAfterSeconds)}; try again later.`,
      };
    case "not_enrolled":
      return { status: "error", error: "Two-step verification is not set up for your account." };
    case "required":
      return { status: "error", error: "Two-step verification is required for your account, so it cannot be turned off." };
    default:
      return { status: "error", error: "That code didn't work. Enter the current code from your app, or an unused recovery code." };
  }
}

export async function startEnrolmentAction(_prev: MfaActionState, form: FormData): Promise<MfaActionState> {
  const user = await getSessionUserForEnrolment();
  if (!user) return SIGNED_OUT;
  const parsed = restartSchema.safeParse({ restart: form.get("restart") ?? undefined });
  if (!parsed.success) return { status: "error", error: firstIssue(parsed.error) };
  const { requestBrand } = await import("@/lib/branding/resolve");
  const result = await startEnrolment(user, { restart: parsed.data.restart === "1", issuer: (await requestBrand()).productName });
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
        return { status: "error", error: "Start the setup first: there is no key waiting for confirmation." };
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
