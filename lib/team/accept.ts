// Accepting an invitation (issue 9, finding 3). The link's holder is nobody
// yet, so everything here runs on the named service-role path
// "team.invitation"; what it checks, in order:
//   1. the token names an open, unexpired invitation (only its hash is stored);
//   2. mailbox control: a one-time code mailed to the invited address
//      (lib/mail/codes.ts), entered before any account is created or attached;
//      tries limited per invitation by the shared rate limiter;
//   3. the invitation's email is the account's: a new account takes it from
//      the invitation (never from the form); an existing account must be the
//      signed-in user and have that very email;
//   4. the inviter may still grant the role: their current claims (withTenant,
//      RLS) and the PDP (users:manage) at this moment, and their admin rank
//      over the tenant at or above the invited role. An invitation from
//      someone removed, demoted or deleted since no longer works. One issued
//      by the system (an operator's provisioning command) has no inviter;
//   5. a newcomer does not take the tenant past limits.users (the members
//      counted with them, lib/settings/enforce.ts membersAfterJoining): an
//      invitation that never went through the invite action's check stops here.
// The code check, the account, the membership and the audit row are one
// transaction: a refusal at any step leaves none of them.
import { sql } from "drizzle-orm";
import type { Role } from "@/drizzle/schema";
import { authorize, isAuthorizationError, isPdpUnavailable } from "@/lib/authz";
import { hashPassword } from "@/lib/auth/password";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant, type Db } from "@/lib/db/with-tenant";
import { checkCode, CODE_TTL_MINUTES, enqueueMail, invitationCodeMail, issueCode } from "@/lib/mail";
import { perWindow, take } from "@/lib/ratelimit";
import { TeamError } from "./errors";
import { brandOfTenant } from "@/lib/branding/resolve";
import { membersAfterJoining } from "@/lib/settings/enforce";
import { callerAdminRank } from "./members";
import { ROLE_RANK } from "./roles";
import { hashInviteToken, inviteTokenPattern } from "./tokens";

/** Codes mailed per invitation: 3 at once, then one every 5 minutes. */
export const CODE_SENDS = perWindow(1, 300, 3);
/** Code tries per invitation: 5 at once, then one every 3 minutes (each code also dies after 5 wrong tries). */
export const CODE_TRIES = perWindow(1, 180, 5);

export const INVALID_INVITATION = "This invitation link is invalid, expired, revoked or already used. Ask the admin for a new one.";
export const WRONG_CODE = "That code is wrong or has expired. Check the latest email, or send a new code.";
export const TOO_MANY_TRIES = "Too many tries for this invitation. Wait a few minutes, then send a new code.";
export const INVITER_LOST_RIGHT = "The person who invited you can no longer grant this access, so the invitation no longer works. Ask an admin for a new one.";
export const userLimitReached = (tenantName: string, limit: number) =>
  `${tenantName} already has its ${limit} user${limit === 1 ? "" : "s"} (its configured limit), so this invitation cannot be accepted now. Ask its admin to free a place, or its MSSP to raise the limit; nothing was changed.`;

export interface InvitationPreview {
  id: string;
  tenantId: string;
  email: string;
  role: Role;
  tenantName: string;
  tenantSlug: string;
  tenantKind: "mssp" | "customer" | "site";
  accountExists: boolean;
}

interface InvitationRow extends InvitationPreview {
  invitedBy: string | null;
  issuedBySystem: boolean;
}

async function openInvitation(db: Db, token: string, lock = false): Promise<InvitationRow | null> {
  if (!inviteTokenPattern.test(token)) return null;
  const { rows } = await db.$client.query<InvitationRow>(
    `select i.id, i.tenant_id as "tenantId", i.email, i.role, t.name as "tenantName", t.slug as "tenantSlug", t.kind as "tenantKind",
            exists (select 1 from public.users u where u.email = i.email) as "accountExists",
            i.invited_by as "invitedBy", i.issued_by_system as "issuedBySystem"
       from public.invitations i join public.tenants t on t.id = i.tenant_id
      where i.token_hash = $1 and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()
      ${lock ? "for update of i" : ""}`,
    [hashInviteToken(token)],
  );
  return rows[0] ?? null;
}

const preview = ({ invitedBy: _i, issuedBySystem: _s, ...p }: InvitationRow): InvitationPreview => p;

/** The invitation a link names, if it is still open; null for anything else (no detail on why). */
export async function previewInvitation(token: string): Promise<InvitationPreview | null> {
  const row = await withServiceRole("team.invitation", (db) => openInvitation(db, token));
  return row ? preview(row) : null;
}

/**
 * Mails a new one-time code to the invited address (the previous one stops
 * working). "limited": too many codes for this invitation lately; nothing sent.
 */
export async function sendInvitationCode(token: string): Promise<{ status: "sent" | "limited"; email: string }> {
  return withServiceRole("team.invitation", async (db) => {
    const inv = await openInvitation(db, token, true);
    if (!inv) throw new TeamError(INVALID_INVITATION);
    const allowed = await take(`invite-code-send:${inv.id}`, CODE_SENDS, { db });
    if (!allowed.allowed) return { status: "limited", email: inv.email };
    const { code } = await issueCode(db, { purpose: "invitation", subject: inv.id, email: inv.email });
    // The brand on this transaction's connection (the invitation row is locked in it): no second pooled
    // connection while this one is held (lib/db/held-connection.ts), and the brand the code goes out in is
    // the one this transaction sees.
    const brand = await brandOfTenant(inv.tenantId, db);
    await enqueueMail(db, { to: inv.email, tenantId: inv.tenantId, message: invitationCodeMail({ tenantName: inv.tenantName, code, minutes: CODE_TTL_MINUTES, brand }) });
    return { status: "sent", email: inv.email };
  });
}

/** Whether whoever issued the invitation may still grant its role on its tenant, asked as them, now. */
export async function inviterMayStillGrant(inv: { tenantId: string; role: Role; invitedBy: string | null; issuedBySystem: boolean }): Promise<boolean> {
  if (inv.invitedBy === null) return inv.issuedBySystem;
  try {
    return await withTenant({ userId: inv.invitedBy, activeTenantId: null }, async (tx) => {
      await authorize(tx, "users:manage", inv.tenantId);
      return (await callerAdminRank(tx.db, inv.tenantId)) >= ROLE_RANK[inv.role];
    });
  } catch (error) {
    if (isAuthorizationError(error)) return false;
    if (isPdpUnavailable(error)) throw error; // "try again", not "no"
    throw error;
  }
}

export type AcceptAs = { kind: "new"; name: string; password: string } | { kind: "existing"; userId: string };

export interface Accepted {
  userId: string;
  email: string;
  tenantId: string;
  tenantSlug: string;
  tenantKind: "mssp" | "customer" | "site";
  role: Role;
  created: boolean;
}

/** Accepts with the mailed code; throws TeamError with a message for the person on any refusal. */
export async function acceptInvitationWithCode(token: string, code: string, as: AcceptAs): Promise<Accepted> {
  const first = await withServiceRole("team.invitation", (db) => openInvitation(db, token));
  if (!first) throw new TeamError(INVALID_INVITATION);
  const tries = await take(`invite-code-try:${first.id}`, CODE_TRIES);
  if (!tries.allowed) throw new TeamError(TOO_MANY_TRIES);
  if (!(await inviterMayStillGrant(first))) throw new TeamError(INVITER_LOST_RIGHT);
  // argon2 runs before the transaction, with no pooled connection held.
  const passwordHash = as.kind === "new" ? await hashPassword(as.password) : null;

  const outcome = await withServiceRole("team.invitation", async (db): Promise<Accepted | "wrong-code"> => {
    const inv = await openInvitation(db, token, true);
    if (!inv || inv.id !== first.id) throw new TeamError(INVALID_INVITATION);
    let user: { id: string; email: string } | undefined;
    if (as.kind === "existing") {
      const { rows } = await db.$client.query<{ id: string; email: string }>(`select id, email from public.users where id = $1`, [as.userId]);
      user = rows[0];
      if (!user || user.email !== inv.email) {
        throw new TeamError(`This invitation is for ${inv.email}. Sign in with that address to accept it.`);
      }
    }
    const check = await checkCode(db, { purpose: "invitation", subject: inv.id, email: inv.email, code });
    if (check !== "ok") return "wrong-code"; // committed: the wrong try counts
    let created = false;
    if (!user) {
      const { rows } = await db.$client.query<{ id: string; email: string }>(
        `insert into public.users (email, name, password_hash) values ($1, $2, $3)
         on conflict (email) do nothing returning id, email`,
        [inv.email, (as as { name: string }).name, passwordHash],
      );
      if (!rows[0]) throw new TeamError("An account with this email already exists. Sign in to accept the invitation.");
      user = rows[0];
      created = true;
    }
    await db.$client.query(`update public.invitations set accepted_at = now(), accepted_by = $3 where tenant_id = $1 and id = $2`, [
      inv.tenantId,
      inv.id,
      user.id,
    ]);
    const { rows: member } = await db.$client.query(`select 1 from public.memberships where tenant_id = $1 and user_id = $2`, [inv.tenantId, user.id]);
    await db.execute(sql`
      insert into public.memberships (tenant_id, user_id, role) values (${inv.tenantId}, ${user.id}, ${inv.role})
      on conflict on constraint memberships_pkey do update set role = case
        when tenancy.role_rank(excluded.role) > tenancy.role_rank(public.memberships.role) then excluded.role
        else public.memberships.role end`);
    if (member.length === 0) {
      // A new member takes a place (an existing one's role change does not): the throw rolls back
      // the account, the code's use, the acceptance and the membership.
      const seats = await membersAfterJoining(db, inv.tenantId);
      if (seats.members > seats.limit) throw new TeamError(userLimitReached(inv.tenantName, seats.limit));
    }
    await db.$client.query(
      `insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details)
       values ($1, $2::uuid, 'team:accept-invite', 'user', $2::text, 'success', $3::jsonb)`,
      [inv.tenantId, user.id, JSON.stringify({ role: inv.role, invitation_id: inv.id, account_created: created, mailbox_verified: true })],
    );
    return { userId: user.id, email: user.email, tenantId: inv.tenantId, tenantSlug: inv.tenantSlug, tenantKind: inv.tenantKind, role: inv.role, created };
  });
  if (outcome === "wrong-code") throw new TeamError(WRONG_CODE);
  return outcome;
}
