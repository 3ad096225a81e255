// Changing a team. Each function runs inside the caller's withTenant
// transaction; the database refuses what the rules forbid (rank, subtree,
// last admin) and these functions turn refusals into TeamErrors with a
// message for the person. Accepting an invitation is lib/team/accept.ts.
import { and, eq, isNull, sql } from "drizzle-orm";
import { memberships, users, type Role } from "@/drizzle/schema";
import { invitations } from "@/drizzle/team";
import type { Db } from "@/lib/db/with-tenant";
import { TeamError, teamErrorFrom } from "./errors";
import { INVITE_TTL_DAYS, newInviteToken } from "./tokens";

async function refusalsAsTeamErrors<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  // A savepoint, so a refused statement does not abort the caller's
  // transaction (its audit row of the refusal still has to be written).
  await db.execute(sql`savepoint team_change`);
  try {
    const result = await fn();
    // The last-admin rule (a deferred constraint trigger) fires at commit; check it now so
    // the refusal is reported here, not as a failed commit. That one by name, not `all`: the
    // invitation audit check (migration 20261201031800) must stay deferred until the action's
    // audit row is written, or it would record the invitation a second time.
    await db.execute(sql`set constraints public.memberships_keep_last_admin immediate`);
    await db.execute(sql`release savepoint team_change`);
    return result;
  } catch (error) {
    await db.execute(sql`rollback to savepoint team_change`);
    throw teamErrorFrom(error) ?? error;
  }
}

export async function createInvitation(
  db: Db,
  input: { tenantId: string; email: string; role: Role; invitedBy: string },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const { token, hash } = newInviteToken();
  return refusalsAsTeamErrors(db, async () => {
    const [existing] = await db
      .select({ id: invitations.id })
      .from(invitations)
      .where(
        and(
          eq(invitations.tenantId, input.tenantId),
          eq(invitations.email, input.email),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          sql`${invitations.expiresAt} > now()`,
        ),
      );
    if (existing) throw new TeamError(`${input.email} already has an open invitation here. Revoke it to send a new one.`);
    // Only the columns `authenticated` may insert (migration 20261201030810; drizzle's insert would
    // name every column, DEFAULT included, which needs the privilege too); the database dates it.
    const { rows: [row] } = await db.$client.query<{ id: string; expires_at: Date }>(
      `insert into public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
       values ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
       returning id, expires_at`,
      [input.tenantId, input.email, input.role, hash, input.invitedBy, INVITE_TTL_DAYS],
    );
    return { id: row.id, token, expiresAt: row.expires_at };
  });
}

/** Revokes an open invitation; returns the address it was sent to (the answer names it). */
export async function revokeInvitation(db: Db, tenantId: string, invitationId: string): Promise<{ email: string }> {
  return refusalsAsTeamErrors(db, async () => {
    const rows = await db
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, invitationId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ email: invitations.email });
    if (rows.length === 0) throw new TeamError("That invitation is no longer open, or you can't revoke it.");
    return rows[0];
  });
}

export async function changeMemberRole(db: Db, tenantId: string, userId: string, role: Role): Promise<{ from: Role }> {
  return refusalsAsTeamErrors(db, async () => {
    const [current] = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
    if (!current) throw new TeamError("That person is not a member of this tenant.");
    const rows = await db
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
      .returning({ role: memberships.role });
    if (rows.length === 0) throw new TeamError("You can only change roles up to your own, within your own tenants.");
    return { from: current.role };
  });
}

export async function removeMember(db: Db, tenantId: string, userId: string): Promise<{ role: Role; email: string | null }> {
  return refusalsAsTeamErrors(db, async () => {
    // Read while the membership still makes them visible: the answer names who was removed.
    const [person] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
    const rows = await db
      .delete(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
      .returning({ role: memberships.role });
    if (rows.length === 0) throw new TeamError("You can only remove members whose role is at or below your own, within your own tenants.");
    return { role: rows[0].role, email: person?.email ?? null };
  });
}
