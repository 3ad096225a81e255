// Opening an invitation link. Before the invitee signs in we know nobody, so
// the lookup and the account creation use the named service-role path
// "team.invitation"; the acceptance itself always runs as the invitee, in
// withTenant, through public.accept_invitation (single use, email-bound).
import { and, eq, sql } from "drizzle-orm";
import { tenants, users, type Role } from "@/drizzle/schema";
import { invitations } from "@/drizzle/team";
import { hashPassword } from "@/lib/auth/password";
import { withServiceRole } from "@/lib/db/service-role";
import { TeamError } from "./errors";
import { hashInviteToken, inviteTokenPattern } from "./tokens";

export interface InvitationPreview {
  email: string;
  role: Role;
  tenantName: string;
  tenantSlug: string;
  tenantKind: "mssp" | "customer" | "site";
  accountExists: boolean;
}

/** The invitation a link names, if it is still open; null for anything else (no detail on why). */
export async function previewInvitation(token: string): Promise<InvitationPreview | null> {
  if (!inviteTokenPattern.test(token)) return null;
  return withServiceRole("team.invitation", async (db) => {
    const [row] = await db
      .select({
        email: invitations.email,
        role: invitations.role,
        tenantName: tenants.name,
        tenantSlug: tenants.slug,
        tenantKind: tenants.kind,
        accountExists: sql<boolean>`exists (select 1 from public.users u where u.email = ${invitations.email})`,
      })
      .from(invitations)
      .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
      .where(
        and(
          eq(invitations.tokenHash, hashInviteToken(token)),
          sql`${invitations.acceptedAt} is null and ${invitations.revokedAt} is null and ${invitations.expiresAt} > now()`,
        ),
      );
    return row ?? null;
  });
}

/** Creates the invitee's account (email taken from the invitation, never from the form). */
export async function createInvitedAccount(token: string, name: string, password: string): Promise<{ id: string; email: string }> {
  const preview = await previewInvitation(token);
  if (!preview) throw new TeamError("This invitation link is invalid, expired or already used. Ask the admin for a new one.");
  if (preview.accountExists) throw new TeamError("An account with this email already exists. Sign in to accept the invitation.");
  const passwordHash = await hashPassword(password);
  return withServiceRole("team.invitation", async (db) => {
    const [row] = await db
      .insert(users)
      .values({ email: preview.email, name, passwordHash })
      .onConflictDoNothing()
      .returning({ id: users.id, email: users.email });
    if (!row) throw new TeamError("An account with this email already exists. Sign in to accept the invitation.");
    return row;
  });
}
