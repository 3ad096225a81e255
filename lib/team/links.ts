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
import { primaryDomainSql } from "@/lib/domains/resolve";
import { portalOriginForMember } from "@/lib/tenancy/origin";

/**
 * `db`: the inviting transaction (an admin's withTenant, or a workflow's service-role one). The
 * invitee's memberships and the tenant's primary custom domain are read in it, in one statement, as
 * the service role: the inviter's RLS shows only the memberships within their own scope, and it is
 * everything beyond the invited tenant that decides. Both on this connection, the domain included
 * (primaryDomainSql, not lib/domains primaryDomainFor, whose cache miss would take a connection of
 * its own), so no second pooled one is waited for while this one is held (lib/db/held-connection.ts).
 */
export async function inviteLinkFor(
  db: Db,
  tenant: { id: string; slug: string; kind: string; path: string },
  email: string,
  token: string,
): Promise<string> {
  const { paths, domain } = await withServiceRoleIn("team.invitation", db, async (sdb) => {
    const { rows } = await sdb.$client.query<{ paths: string[]; domain: string | null }>(
      `select array(select t.path::text
                      from public.users u
                      join public.memberships m on m.user_id = u.id
                      join public.tenants t on t.id = m.tenant_id
                     where u.email = $1) as paths,
              ${primaryDomainSql("$2::uuid")} as domain`,
      [email, tenant.id],
    );
    return rows[0];
  });
  return `${await portalOriginForMember(tenant, paths.map((path) => ({ path })), domain)}/invite#token=${token}`;
}
