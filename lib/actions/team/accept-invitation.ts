"use server";
// Accepting an invitation from its link. Not tenantAction: the invitee holds
// no role yet, so there is nothing for the PDP to allow on their behalf; the
// checks are lib/team/accept.ts's (open invitation, the code mailed to the
// invited address, the invited email, the inviter's current right to grant
// the role), on the service-role path "team.invitation". The token arrives
// in the POST body (the page reads it from the link's fragment), never in a URL.
import { recordAuthEvent } from "@/lib/auth/events";
import { getSessionUser } from "@/lib/auth/session";
import { log, safeError } from "@/lib/log";
import { isPdpUnavailable } from "@/lib/authz";
import { acceptInvitationWithCode, previewInvitation, sendInvitationCode, type AcceptAs, type Accepted } from "@/lib/team/accept";
import { teamErrorFrom } from "@/lib/team/errors";
import { callerClaims } from "@/lib/db/with-tenant";
import { originForConsole, portalHomeForMember, portalOwnOriginForTenant } from "@/lib/tenancy/origin";
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { fieldErrorsOf, formToObject, type ActionResult } from "../result";
import { acceptExistingAccountSchema, acceptNewAccountSchema, inviteTokenField } from "./schemas";

const FAILED = "Something went wrong; nothing was changed. Try again.";

export interface InvitationView {
  tenantName: string;
  role: string;
  email: string;
  accountExists: boolean;
  /** The signed-in user's email on this host, if any. */
  signedInAs: string | null;
}

/** What the page shows for a token: the invitation, or an error for a link that cannot be used. */
export async function previewInvitationAction(token: string): Promise<ActionResult<InvitationView>> {
  const parsed = inviteTokenField.safeParse(token);
  if (!parsed.success) return { ok: false, error: "invalid" };
  try {
    const inv = await previewInvitation(parsed.data);
    if (!inv) return { ok: false, error: "invalid" };
    const user = await getSessionUser();
    return {
      ok: true,
      data: { tenantName: inv.tenantName, role: inv.role, email: inv.email, accountExists: inv.accountExists, signedInAs: user?.email ?? null },
    };
  } catch (error) {
    log.error({ event: "action.failed", action: "team:preview-invite", err: safeError(error, [parsed.data]) }, "preview invitation failed");
    return { ok: false, error: FAILED };
  }
}

export async function sendInvitationCodeAction(_prev: ActionResult<{ email: string }>, form: FormData): Promise<ActionResult<{ email: string }>> {
  const token = inviteTokenField.safeParse(form.get("token"));
  if (!token.success) return { ok: false, error: "This invitation link is malformed." };
  try {
    const sent = await sendInvitationCode(token.data);
    if (sent.status === "limited") {
      return { ok: false, error: "Several codes were sent to this address just now. Use the latest one, or wait a few minutes before asking again." };
    }
    return { ok: true, data: { email: sent.email }, message: `We emailed a 6-digit code to ${sent.email}. It works for 15 minutes.` };
  } catch (error) {
    const refusal = teamErrorFrom(error);
    if (refusal) return { ok: false, error: refusal.message };
    log.error({ event: "action.failed", action: "team:invite-code", err: safeError(error, [token.data]) }, "send invitation code failed");
    return { ok: false, error: FAILED };
  }
}

/**
 * The portal the person now signs in to (the page sends them there, where they type their password):
 * the tenant's custom domain only for someone all of whose memberships are at or below that tenant;
 * anyone with access beyond it (MSSP staff, a person of another customer) goes to <slug>.<domain>,
 * never to a host the tenant controls (the handoff's rule: portalHomeForMember). The invitation is
 * accepted already: should this fail, the portal's own host, and the acceptance still stands.
 */
async function destinationFor(done: Accepted): Promise<string> {
  try {
    const [{ tenants }, tenant] = await Promise.all([callerClaims({ userId: done.userId, email: done.email }), findTenantBySlug(done.tenantSlug)]);
    if (tenant) return await portalHomeForMember(tenant, tenants);
  } catch (error) {
    log.warn({ event: "team.accept-destination-failed", err: safeError(error) }, "the accepted invitation's portal could not be chosen; the portal's own host is used");
  }
  return done.tenantKind === "mssp" ? `${await originForConsole()}/` : `${await portalOwnOriginForTenant(done.tenantSlug)}/alerts`;
}

async function accept(
  action: string,
  secrets: string[],
  run: () => Promise<{ token: string; code: string; as: AcceptAs }>,
): Promise<ActionResult<{ email: string; destination: string; created: boolean }>> {
  try {
    const { token, code, as } = await run();
    const done = await acceptInvitationWithCode(token, code, as);
    const destination = await destinationFor(done);
    // The tenant's audit row (team:accept-invite) was written in the acceptance transaction; this is the account's auth event.
    await recordAuthEvent({ type: "invitation-accepted", userId: done.userId, reason: done.created ? "account_created" : "existing_account" });
    return { ok: true, data: { email: done.email, destination, created: done.created }, message: "Invitation accepted." };
  } catch (error) {
    const refusal = teamErrorFrom(error);
    if (refusal) return { ok: false, error: refusal.message };
    if (isPdpUnavailable(error)) return { ok: false, error: "The authorization service is unavailable, so the invitation could not be checked. Try again in a minute." };
    log.error({ event: "action.failed", action, err: safeError(error, secrets) }, "accept invitation failed");
    return { ok: false, error: FAILED };
  }
}

/** A signed-in user whose email is the invited one accepts with the mailed code. */
export async function acceptInvitationAction(
  _prev: ActionResult<{ email: string; destination: string; created: boolean }>,
  form: FormData,
): Promise<ActionResult<{ email: string; destination: string; created: boolean }>> {
  const parsed = acceptExistingAccountSchema.safeParse(formToObject(form));
  if (!parsed.success) return { ok: false, error: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
  const user = await getSessionUser();
  if (!user) return { ok: false, error: "Sign in first, then accept the invitation." };
  return accept("team:accept-invite", [parsed.data.token, parsed.data.code], async () => ({
    token: parsed.data.token,
    code: parsed.data.code,
    as: { kind: "existing", userId: user.id },
  }));
}

/** Someone without an account creates it with the mailed code; the email is the invitation's. */
export async function createInvitedAccountAction(
  _prev: ActionResult<{ email: string; destination: string; created: boolean }>,
  form: FormData,
): Promise<ActionResult<{ email: string; destination: string; created: boolean }>> {
  const parsed = acceptNewAccountSchema.safeParse(formToObject(form));
  if (!parsed.success) return { ok: false, error: "Check the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
  return accept("team:create-invited-account", [parsed.data.token, parsed.data.code, parsed.data.password], async () => ({
    token: parsed.data.token,
    code: parsed.data.code,
    as: { kind: "new", name: parsed.data.name, password: parsed.data.password },
  }));
}
