"use server";
// Accepting an invitation (signed in as the invitee) and creating the
// account of an invitee who has none. Not tenantAction: the invitee holds no
// role yet, so there is nothing for the PDP to allow; the database function
// public.accept_invitation is the whole check (token, expiry, email, once).
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { getSessionUser } from "@/lib/auth/session";
import { log, safeError } from "@/lib/log";
import { withTenant } from "@/lib/db/with-tenant";
import { createInvitedAccount } from "@/lib/team/accept";
import { teamErrorFrom } from "@/lib/team/errors";
import { acceptInvitation as accept } from "@/lib/team/mutations";
import { inviteTokenPattern } from "@/lib/team/tokens";
import { fieldErrorsOf, formToObject, type ActionResult } from "../result";

const tokenSchema = z.string().regex(inviteTokenPattern, "This invitation link is malformed.");

export async function acceptInvitationAction(_prev: ActionResult<{ tenantId: string }>, form: FormData): Promise<ActionResult<{ tenantId: string }>> {
  const token = tokenSchema.safeParse(form.get("token"));
  if (!token.success) return { ok: false, error: "This invitation link is malformed." };
  const user = await getSessionUser();
  if (!user) return { ok: false, error: "Sign in first, then accept the invitation." };
  try {
    const accepted = await withTenant({ userId: user.id, email: user.email, sessionId: user.sessionId }, async (tx) => {
      const result = await accept(tx.db, token.data);
      await recordAudit(tx, { tenantId: result.tenantId, action: "team:accept-invite", targetType: "user", targetId: user.id, outcome: "success", details: { role: result.role } });
      return result;
    });
    return { ok: true, data: { tenantId: accepted.tenantId }, message: "Invitation accepted." };
  } catch (error) {
    const refusal = teamErrorFrom(error);
    if (refusal) return { ok: false, error: refusal.message };
    log.error({ event: "action.failed", action: "team:accept-invite", err: safeError(error, [token.data]) }, "accept invitation failed");
    return { ok: false, error: "Something went wrong; nothing was changed. Try again." };
  }
}

const accountSchema = z.object({
  token: tokenSchema,
  name: z.string().trim().min(1, "Enter your name").max(200),
  password: z.string().min(12, "Use at least 12 characters").max(1024),
});

export async function createInvitedAccountAction(_prev: ActionResult<{ email: string }>, form: FormData): Promise<ActionResult<{ email: string }>> {
  const parsed = accountSchema.safeParse(formToObject(form));
  if (!parsed.success) return { ok: false, error: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    const account = await createInvitedAccount(parsed.data.token, parsed.data.name, parsed.data.password);
    return { ok: true, data: { email: account.email }, message: "Account created." };
  } catch (error) {
    const refusal = teamErrorFrom(error);
    if (refusal) return { ok: false, error: refusal.message };
    log.error(
      { event: "action.failed", action: "team:create-invited-account", err: safeError(error, [parsed.data.token, parsed.data.password]) },
      "create invited account failed",
    );
    return { ok: false, error: "Something went wrong; nothing was changed. Try again." };
  }
}
