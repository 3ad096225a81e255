// Which tenant a host names. Runs before we know who the user is (the 404 for
// an unknown host must not depend on signing in), so it reads through the
// named service-role path and returns only what the sign-in page may show:
// the tenant's name, and whether it (or a tenant above it) is locked, with
// the name of the provider its people should contact.
//
// Every tenant page asks this, so answers are kept in the per-process cache
// "tenant-by-slug" (lib/cache) while this process's cache listener is up:
// migration 20261201023500 notifies every process at the commit of any change
// to a tenant's slug, name, place in the tree or status (a suspension above a
// tenant changes its lockedAs), and of any tenant created or deleted, and the
// listener drops the whole cache. Without a listener (scripts, tests) nothing
// would evict, so nothing is cached.
//
// A slug of no tenant is remembered apart (maxMisses: at most 1,000, dropped
// by the same notifications, so a tenant created on a slug that missed is
// found at once): anyone can ask for random subdomains, signed out, and those
// misses must not push real tenants out of the 10,000 entries.
import { sharedCache } from "@/lib/cache";
import { serverCacheListener } from "@/lib/cache/listener";
import { withServiceRoleOn } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
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

/** Host tenants by slug; null: no such tenant (kept apart, see above). Evicted as a whole on any tenant change. */
export const tenantBySlugCache = sharedCache<HostTenant | null>("tenant-by-slug", { ttlMs: 60_000, maxEntries: 10_000, maxMisses: 1_000 });

/** The host's tenant: from the cache when this process's listener can evict it, else from the database. */
export async function findTenantBySlug(slug: string): Promise<HostTenant | null> {
  if (!serverCacheListener()?.connected) return loadTenantBySlug(slug);
  return tenantBySlugCache.getOrLoad(slug, () => loadTenantBySlug(slug));
}

/** Reads the host's tenant (uncached). */
export async function loadTenantBySlug(slug: string, within?: Db): Promise<HostTenant | null> {
  // `within`: a transaction the caller holds (the API gateway's refusals), read on its connection.
  return withServiceRoleOn("tenancy.resolve-host", within, async (db) => {
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
