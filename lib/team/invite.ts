// Inviting by email: the invitation row and its email are written in one
// transaction (lib/mail's outbox), so an invitation is never left unsent and
// an email never announces an invitation that rolled back. The token exists
// only in this call and in the email; the database keeps its hash.
import { eq } from "drizzle-orm";
import { tenants, type Role } from "@/drizzle/schema";
import { invitations } from "@/drizzle/team";
import type { Db } from "@/lib/db/with-tenant";
import { enqueueMail, invitationMail } from "@/lib/mail";
import { TeamError } from "./errors";
import { inviteLinkFor } from "./links";
import { createInvitation, revokeInvitation } from "./mutations";
import { INVITE_TTL_DAYS, newInviteToken } from "./tokens";
import { recordAuditAs } from "@/lib/audit/record";
import { brandOfTenant } from "@/lib/branding/resolve";
import { effectiveConfigAsService } from "@/lib/settings/resolve";
import { timeZoneOf } from "@/lib/locale/time";

export interface SentInvitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: Date;
  mailId: string;
}

async function mailFor(db: Db, tenantId: string, input: { email: string; role: Role; token: string; expiresAt: Date; timeZone: string }): Promise<string> {
  const [tenant] = await db.select({ id: tenants.id, slug: tenants.slug, kind: tenants.kind, name: tenants.name, path: tenants.path }).from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant) throw new TeamError("That tenant is not visible to you.");
  // The custom domain only for an invitee whose every membership is within this tenant (lib/team/links.ts).
  // The link and the brand are read on this transaction's connection: no second pooled one while it is held.
  const link = await inviteLinkFor(db, tenant, input.email, input.token);
  const mail = await enqueueMail(db, {
    to: input.email,
    tenantId,
    // The invited tenant's brand (lib/branding): product name, colours, sender name; no MSSP brand where it is hidden.
    message: invitationMail({ tenantName: tenant.name, role: input.role, link, expiresAt: input.expiresAt, timeZone: input.timeZone, brand: await brandOfTenant(tenantId, db) }),
  });
  return mail.id;
}

/**
 * An admin invites someone (inside their withTenant transaction; RLS and the rank rules decide).
 * `timeZone`: the invited tenant's locale.time_zone as the admin's transaction reads it
 * (lib/locale/time.ts timeZoneOf), the clock the email states the link's end on.
 */
export async function inviteByEmail(db: Db, input: { tenantId: string; email: string; role: Role; invitedBy: string; timeZone: string }): Promise<SentInvitation> {
  const invitation = await createInvitation(db, input);
  const mailId = await mailFor(db, input.tenantId, { email: input.email, role: input.role, token: invitation.token, expiresAt: invitation.expiresAt, timeZone: input.timeZone });
  return { id: invitation.id, email: input.email, role: input.role, expiresAt: invitation.expiresAt, mailId };
}

/** Sends an open (or expired) invitation again: the old link stops working, a new one is mailed. */
export async function resendInvitation(db: Db, input: { tenantId: string; invitationId: string; invitedBy: string; timeZone: string }): Promise<SentInvitation> {
  const [old] = await db
    .select({ email: invitations.email, role: invitations.role, acceptedAt: invitations.acceptedAt, revokedAt: invitations.revokedAt })
    .from(invitations)
    .where(eq(invitations.id, input.invitationId));
  if (!old || old.acceptedAt || old.revokedAt) throw new TeamError("That invitation is no longer open, or you can't resend it.");
  await revokeInvitation(db, input.tenantId, input.invitationId);
  return inviteByEmail(db, { tenantId: input.tenantId, email: old.email, role: old.role, invitedBy: input.invitedBy, timeZone: input.timeZone });
}

/**
 * An invitation a workflow or a command issues (not an admin's own request
 * in their session): the first admin of a newly provisioned tenant
 * (lib/lifecycle/provision-workflow.ts), the users of an imported legacy
 * install (lib/lifecycle/archive/import.ts); in the caller's service-role
 * transaction, its email queued in the same one. `invitedBy`: the person who
 * started it (their right to grant the role is checked again at acceptance),
 * or null for an operator's command (issued by the system). Safe to run
 * again: an open invitation for the same address is left as it is, and
 * nothing is mailed or audited.
 *
 * Each invitation it issues gets its own `team:invite` audit row in the same
 * transaction, as an admin's invitation does (lib/actions/team/invite-member.ts):
 * naming the invitation, its actor `invitedBy` (none for the system), details
 * {email, role, mail_id, via: the workflow, ...`audit`}. The database's own
 * check for unaudited invitations (migration 20261201031800) fires only for
 * `authenticated` writes, so the invitation is recorded once, here.
 */
export async function issueInvitation(
  db: Db,
  input: {
    tenantId: string;
    email: string;
    role: Role;
    invitedBy: string | null;
    /** The workflow issuing it, for the audit row: "provisioning" (the first admin) or "import" (a legacy install's users). */
    via: "provisioning" | "import";
    /** More for the audit row's details (the provisioning job's id, how the import was started). */
    audit?: Record<string, string | number | null>;
  },
): Promise<{ invited: false } | { invited: true; mailId: string }> {
  const { rows: open } = await db.$client.query(
    `select 1 from public.invitations where tenant_id = $1 and email = $2 and accepted_at is null and revoked_at is null and expires_at > now()`,
    [input.tenantId, input.email],
  );
  if (open.length > 0) return { invited: false };
  const { token, hash } = newInviteToken();
  const { rows } = await db.$client.query<{ id: string; expires_at: Date }>(
    `insert into public.invitations (tenant_id, email, role, token_hash, invited_by, issued_by_system, expires_at)
     values ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7))
     returning id, expires_at`,
    [input.tenantId, input.email, input.role, hash, input.invitedBy, input.invitedBy === null, INVITE_TTL_DAYS],
  );
  // A service-role transaction (the callers above): the tenant's settings through settings.resolve.
  const timeZone = timeZoneOf(await effectiveConfigAsService(db, input.tenantId));
  const mailId = await mailFor(db, input.tenantId, { email: input.email, role: input.role, token, expiresAt: rows[0].expires_at, timeZone });
  // Last, as the chain head is held from here to the commit.
  await recordAuditAs(db, input.invitedBy, {
    tenantId: input.tenantId,
    action: "team:invite",
    targetType: "invitation",
    targetId: rows[0].id,
    outcome: "success",
    details: { ...input.audit, email: input.email, role: input.role, mail_id: mailId, via: input.via },
  });
  return { invited: true, mailId };
}

/** The first admin of a newly provisioned tenant (lib/lifecycle/provision-workflow.ts): issueInvitation as tenant_admin. */
export async function inviteFirstAdmin(
  db: Db,
  /** jobId: the provisioning job's, named in the invitation's audit row. */
  input: { tenantId: string; email: string; invitedBy: string | null; jobId?: string },
): Promise<{ invited: boolean }> {
  const { jobId, ...rest } = input;
  return issueInvitation(db, { ...rest, role: "tenant_admin", via: "provisioning", audit: jobId ? { job_id: jobId } : undefined });
}
