// Invitation links point at the invited tenant's own portal (the console for
// an MSSP tenant), so accepting happens where the invitee will work. The
// token rides in the fragment (#token=…): browsers never send a fragment to
// the server, so it reaches no access log, proxy log or Referer header; the
// page's own script reads it and POSTs it (app/invite).
//
// The invitee signs in on that page before accepting (an existing account) or
// right after (a new one). So the tenant's custom domain, a host its admins may
// point anywhere, is linked only for someone all of whose memberships are at or
// below the invited tenant, or who has none yet (a new address): anyone with
// access beyond it (MSSP staff, a person of another customer) gets
// <slug>.<domain> (lib/tenancy/origin.ts portalOriginForMember, the handoff's rule).
import type { Db } from "@/lib/db/with-tenant";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { portalOriginForMember } from "@/lib/tenancy/origin";

/**
 * `db`: the inviting transaction (an admin's withTenant, or a workflow's service-role one). The
 * invitee's memberships are read in it as the service role: the inviter's RLS shows only those within
 * their own scope, and it is everything beyond the invited tenant that decides. Same connection, so no
 * second pooled one is waited for while this one is held.
 */
export async function inviteLinkFor(db: Db, tenant: { slug: string; kind: string; path: string }, email: string, token: string): Promise<string> {
  const memberships = await withServiceRoleIn("team.invitation", db, async (sdb) => {
    const { rows } = await sdb.$client.query<{ path: string }>(
      `select t.path::text as path
         from public.users u
         join public.memberships m on m.user_id = u.id
         join public.tenants t on t.id = m.tenant_id
        where u.email = $1`,
      [email],
    );
    return rows;
  });
  return `${await portalOriginForMember(tenant, memberships)}/invite#token=${token}`;
}
