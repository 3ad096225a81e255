// Who may sign in on a tenant's verified custom domain: only that tenant's own people, i.e. a person
// with at least one membership, all of them at or below that tenant. The same rule as the handoff's
// and the invitation link's (lib/tenancy/origin.ts portalOriginForMember, lib/auth/handoff-start.ts)
// and the password reset's (lib/account/password-reset.ts): a verified TXT record proves the tenant
// controls the domain's DNS, not that the domain still points at the portal, so the tenant may relay
// it through a server of its own and read what passes. Nothing of such a person's lies beyond what
// that tenant's admins run anyway; anyone else (MSSP staff above all) signs in on the portal's own
// hosts: <slug>.<domain>, or the console for an MSSP.
//
// Checked at every way in on a custom domain: the password sign-in (lib/auth/credentials.ts, after
// the right password and before any second factor) and a handoff's landing (lib/auth/options.ts); and
// at the one way out that carries a session's reach elsewhere, a handoff started there
// (lib/auth/handoff-start.ts); and on every request of a session bound to a custom domain
// (sessions.check_session, migration 20261201033100: revoked, reason host_rule, once the person is
// no longer one of the tenant's own).
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";

/** The custom domain's tenant: where someone refused there signs in instead (lib/tenancy/origin). */
export interface HostTenant {
  slug: string;
  kind: string;
}

const uuid = z.string().uuid();

/**
 * Whether `userId` may sign in on the custom domain of the tenant `slug`. A tenant that no longer
 * exists refuses everyone (kind "customer": its <slug>.<domain> is then a 404 like any unknown host).
 */
export async function signsInOn(userId: string, slug: string): Promise<{ ok: true } | { ok: false; tenant: HostTenant }> {
  const row = await withServiceRole("auth.sign-in", async (db) => {
    const { rows } = await db.$client.query<{ kind: string; own: boolean }>(
      `select t.kind,
              exists (select 1 from public.memberships m where m.user_id = $1)
              and not exists (select 1 from public.memberships m join public.tenants mt on mt.id = m.tenant_id
                               where m.user_id = $1 and not (mt.path operator(extensions.<@) t.path)) as own
         from public.tenants t where t.slug = $2`,
      [uuid.parse(userId), slug],
    );
    return rows[0];
  });
  if (row?.own) return { ok: true };
  return { ok: false, tenant: { slug, kind: row?.kind ?? "customer" } };
}
