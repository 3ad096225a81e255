// Which tenant a host names. Runs before we know who the user is (the 404 for
// an unknown host must not depend on signing in), so it reads through the
// named service-role path and returns only what the sign-in page may show:
// the tenant's name, and whether it (or a tenant above it) is locked, with
// the name of the provider its people should contact.
import { withServiceRole } from "@/lib/db/service-role";
import type { TenantStatus } from "@/lib/lifecycle/states";

export interface HostTenant {
  id: string;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  status: TenantStatus;
  /** The state that locks this tenant's own users out (its own, or the nearest locked ancestor's); null when open. */
  lockedAs: Exclude<TenantStatus, "active"> | null;
  /** The MSSP that runs it: whom its people contact when it is locked. */
  providerName: string;
  /** ltree path, to tell whether a membership covers it. */
  path: string;
}

export async function findTenantBySlug(slug: string): Promise<HostTenant | null> {
  return withServiceRole("tenancy.resolve-host", async (db) => {
    const { rows } = await db.$client.query<HostTenant>(
      `select t.id, t.slug, t.name, t.kind, t.status, t.path::text as path,
              (select s.status from public.tenants s
                where s.status <> 'active' and t.path operator(extensions.<@) s.path
                order by extensions.nlevel(s.path) desc limit 1) as "lockedAs",
              (select r.name from public.tenants r
                where r.parent_id is null and t.path operator(extensions.<@) r.path) as "providerName"
         from public.tenants t
        where t.slug = $1`,
      [slug],
    );
    return rows[0] ?? null;
  });
}
