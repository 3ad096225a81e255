// Host → tenant for custom domains, and a tenant's primary custom domain,
// cached per process with lib/cache and evicted in every process at the commit
// of any change to what they hold, whoever writes (offboarding's purge and an
// archive restore included): triggers on custom_domains and on a tenant's slug
// notify both caches (migration 20261201031300). evictDomain, which the store
// sends with its own changes, also evicts this process at once. Read through
// the named service-role path tenancy.resolve-host: it runs before anyone is known.
import { notifyCacheEviction, sharedCache, type Queryable } from "@/lib/cache";
import { withServiceRole } from "@/lib/db/service-role";
import { normalizeHost, parseHost } from "@/lib/tenancy/host";

const PRIMARY = "domain-primary";
const ROUTED = "domain-routed";
const ROUTED_KEY = "all";
// A missed notification is bounded by the TTL.
const primary = sharedCache<string | null>(PRIMARY, { ttlMs: 60_000, maxEntries: 10_000 });
// Every routed custom domain with its tenant's slug, one entry: a Host is answered from it without a
// query, a made-up one included (random Host headers would otherwise each cost a service-role
// transaction, and entries of a per-host cache). One read of a thousand domains is one index scan.
const routed = sharedCache<ReadonlyMap<string, string>>(ROUTED, { ttlMs: 60_000, maxEntries: 1 });

/** Every domain that routes now (verified or in grace) → its tenant's slug; cached per process and evicted with any change. */
export function routedDomains(): Promise<ReadonlyMap<string, string>> {
  return routed.getOrLoad(ROUTED_KEY, () =>
    withServiceRole("tenancy.resolve-host", async (db) => {
      const { rows } = await db.$client.query<{ domain: string; slug: string }>(
        `select d.domain, t.slug from public.custom_domains d join public.tenants t on t.id = d.tenant_id
          where d.status in ('verified', 'grace')`,
      );
      return new Map(rows.map((r) => [r.domain, r.slug]));
    }),
  );
}

/** The slug of the tenant a routed (verified or in grace) custom domain serves; null for any other host. */
export async function tenantSlugForDomain(host: string): Promise<string | null> {
  return (await routedDomains()).get(host) ?? null;
}

/**
 * A request's Host header that is not one of the portal's own hosts may be a routed
 * custom domain: the slug of the tenant it serves, or null (the portal's own hosts,
 * an implausible header, an unknown domain, or a failed look-up). Asked by the proxy
 * for pages and by the API gateway, which the proxy does not see (proxy.ts's matcher).
 */
export async function customDomainSlugOfHost(rawHost: string | null): Promise<string | null> {
  if (parseHost(rawHost).area !== "unknown") return null;
  const host = normalizeHost(rawHost);
  if (!host || !host.includes(".")) return null;
  return tenantSlugForDomain(host).catch(() => null);
}

/**
 * SQL for the primary custom domain of the tenant whose id is `tenantIdSql`
 * (a column or parameter): a scalar subquery, null when it has none. For code
 * that builds links inside its own (service-role) transaction: alert and
 * health notifications.
 */
export const primaryDomainSql = (tenantIdSql: string) =>
  `(select d.domain from public.custom_domains d where d.tenant_id = ${tenantIdSql} and d.status in ('verified', 'grace')
     order by d.verified_at nulls last, d.domain limit 1)`;

/** The tenant's primary custom domain (its earliest verified one still routed), or null: links in emails and the switcher use it. */
export function primaryDomainFor(slug: string): Promise<string | null> {
  return primary.getOrLoad(slug, () =>
    withServiceRole("tenancy.resolve-host", async (db) => {
      const { rows } = await db.$client.query<{ domain: string }>(
        `select d.domain from public.custom_domains d join public.tenants t on t.id = d.tenant_id
          where t.slug = $1 and d.status in ('verified', 'grace')
          order by d.verified_at nulls last, d.domain limit 1`,
        [slug],
      );
      return rows[0]?.domain ?? null;
    }),
  );
}

/** Queues the evictions for a domain of tenant `slug` starting or stopping to route, in every process, on q's transaction (delivered at commit). */
export async function evictDomain(q: Queryable, slug: string): Promise<void> {
  await notifyCacheEviction(q, PRIMARY, slug);
  await notifyCacheEviction(q, ROUTED, ROUTED_KEY);
}
