// Reading a tenant's team. Runs inside withTenant: RLS shows memberships of
// tenants the caller can see and invitations of tenants they administer.
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import { memberships, users, type Role } from "@/drizzle/schema";
import { invitations } from "@/drizzle/team";
import type { Db } from "@/lib/db/with-tenant";

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: Role;
  since: Date;
}

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
}

export async function listMembers(db: Db, tenantId: string): Promise<MemberRow[]> {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(users.email));
}

export async function listOpenInvitations(db: Db, tenantId: string): Promise<InvitationRow[]> {
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      expired: sql<boolean>`${invitations.expiresAt} <= now()`,
    })
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt));
}

/** The caller's best admin rank over a tenant (0: none), as the database computes it. */
export async function callerAdminRank(db: Db, tenantId: string): Promise<number> {
  const [row] = await db.execute<{ rank: number }>(sql`select tenancy.caller_admin_rank_on(${tenantId}::uuid) as rank`).then((r) => r.rows);
  return Number(row?.rank ?? 0);
}
