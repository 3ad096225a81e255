// The brand of the host a request is for: resolved once per request, served
// from the per-process cache "brand-by-host" (lib/cache) and dropped in every
// process when a branding setting, a tenant's name or its place in the tree
// changes (migration 20261201020000 notifies at commit), a tenant is created
// or deleted, or a membership changes (20261201029510). Runs before anyone
// signs in (the sign-in page and the root layout use it), so it reads through
// the named service-role purpose branding.resolve and returns only the brand.
//
// The console is one host for every MSSP the portal runs: signed in, it
// carries the brand of the signed-in user's MSSP (brandOfConsoleFor); before
// sign-in, the MSSP's when the portal runs only one, else a brand of no one.
import { cache as perRequest } from "react";
import { sharedCache } from "@/lib/cache";
import { log, safeError } from "@/lib/log";
import { withServiceRole, withServiceRoleOn } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { effectiveConfigAsService } from "@/lib/settings/resolve";
import type { HostTarget } from "@/lib/tenancy/host";
import { assetHashes, brandFrom, type Brand } from "./brand";

/**
 * Brands by key ("console", "t:<slug>", "id:<tenant id>", "u:<user id>" for the console); null: no such tenant (the default
 * brand applies, 404 pages stay neutral). Nulls are kept apart (at most 1,000, evicted with the brands): a signed-out
 * visitor can ask for any number of made-up subdomains, and their misses must not push real tenants' brands out.
 */
export const brandCache = sharedCache<Brand | null>("brand-by-host", { ttlMs: 5 * 60_000, maxEntries: 10_000, maxMisses: 1_000 });

interface Chain {
  id: string;
  name: string;
  kind: string;
  depth: number;
}

async function chainOf(db: Db, where: { slug?: string; id?: string }): Promise<Chain[]> {
  const { rows } = await db.$client.query<Chain>(
    `select a.id, a.name, a.kind, extensions.nlevel(a.path) as depth
       from public.tenants t
       join public.tenants a on t.path operator(extensions.<@) a.path
      where ${where.slug ? "t.slug = $1" : "t.id = $1::uuid"}
      order by extensions.nlevel(a.path)`,
    [where.slug ?? where.id],
  );
  return rows;
}

async function brandOfChain(db: Db, chain: Chain[], asConsole: boolean): Promise<Brand> {
  const tenant = chain[chain.length - 1];
  const config = await effectiveConfigAsService(db, tenant.id);
  const hashes = assetHashes(config);
  const assets = new Map<string, string>();
  if (hashes.length > 0) {
    const { rows } = await db.$client.query<{ sha256: string; content_type: string }>(
      "select distinct sha256, content_type from public.brand_assets where sha256 = any($1::text[]) and tenant_id = any($2::uuid[])",
      [hashes, chain.map((c) => c.id)],
    );
    for (const r of rows) assets.set(r.sha256, r.content_type);
  }
  const msspIds = new Set(chain.filter((c) => c.kind === "mssp").map((c) => c.id));
  // The reseller: the highest tenant below the MSSP.
  const reseller = chain.find((c) => c.kind !== "mssp");
  return brandFrom({ tenantId: asConsole ? null : tenant.id, config, msspIds, resellerName: reseller?.name ?? "", assets });
}

/** Loads (uncached) the brand for a host target; `within`: on a transaction the caller holds. */
export async function loadBrand(target: HostTarget, within?: Db): Promise<Brand | null> {
  return withServiceRoleOn("branding.resolve", within, async (db) => {
    if (target.area === "tenant") {
      const chain = await chainOf(db, { slug: target.slug });
      return chain.length === 0 ? null : brandOfChain(db, chain, false);
    }
    // The console before sign-in: the MSSP's own brand (its root tenant's
    // settings) when the portal runs one MSSP; with several, whose people are asking is not known yet.
    const root = await onlyMsspId(db);
    if (root === "several") return fallbackBrand(true);
    return root === null ? null : brandOfChain(db, await chainOf(db, { id: root }), true);
  });
}

/**
 * What a tenant host of no tenant shows (issue 9 finding 7: the sign-in page does not tell whether
 * a tenant exists): the brand a customer without one of its own inherits from the portal's first
 * MSSP (firstMsspId), so that MSSP's unbranded customers and an unknown slug look alike. With
 * several MSSPs on one domain, another MSSP's customers carry their own MSSP's brand and stay
 * distinguishable from an unknown slug (docs/branding.md). Null: no MSSP at all.
 */
export function unknownTenantBrand(): Promise<Brand | null> {
  return brandCache.getOrLoad("unknown-tenant", () =>
    withServiceRole("branding.resolve", async (db) => {
      const root = await firstMsspId(db);
      return root === null ? null : brandOfChain(db, await chainOf(db, { id: root }), true);
    }),
  );
}

/** The portal's first MSSP (the root tenant created first), whose brand unknown tenant hosts show; null: none. */
export async function firstMsspId(db: Db): Promise<string | null> {
  const { rows } = await db.$client.query<{ id: string }>("select id from public.tenants where parent_id is null order by created_at, id limit 1");
  return rows[0]?.id ?? null;
}

/** The one MSSP (root tenant) of the portal; "several" when there are more; null: none. */
async function onlyMsspId(db: Db): Promise<string | "several" | null> {
  const { rows } = await db.$client.query<{ id: string }>("select id from public.tenants where parent_id is null order by created_at limit 2");
  return rows.length > 1 ? "several" : (rows[0]?.id ?? null);
}

/**
 * The tenant whose brand the console shows `userId`: the MSSP of their MSSP membership (several:
 * the first by tenant path); with none, their first membership by path (a customer's people see
 * their own brand, white-labelling included). Memberships of tenants being offboarded count for
 * nothing. Null: no membership.
 */
async function consoleHomeOf(db: Db, userId: string): Promise<{ id: string; mssp: boolean } | null> {
  const { rows } = await db.$client.query<{ id: string; mssp: boolean }>(
    `select t.id, t.kind = 'mssp' as mssp from public.memberships m join public.tenants t on t.id = m.tenant_id
      where m.user_id = $1 and t.status not in ('deprovisioning', 'deprovisioned')
      order by t.kind = 'mssp' desc, t.path limit 1`,
    [userId],
  );
  return rows[0] ?? null;
}

/**
 * The console's brand for the signed-in `userId` (the console's pages, the MFA authenticator's
 * issuer, mails about their console account): their MSSP's (consoleHomeOf); with no membership,
 * the console's brand before sign-in. `within`: read on a (service-role) transaction the caller
 * holds, such as the password reset's, instead of a connection of its own.
 */
export async function brandOfConsoleFor(userId: string, within?: Db): Promise<Brand> {
  const b = await brandCache.getOrLoad(`u:${userId}`, () =>
    withServiceRoleOn("branding.resolve", within, async (db) => {
      const home = await consoleHomeOf(db, userId);
      return home === null ? null : brandOfChain(db, await chainOf(db, { id: home.id }), home.mssp);
    }),
  );
  return b ?? (await brandCache.getOrLoad("console", () => loadBrand({ area: "console" }, within))) ?? (await fallbackBrand(true));
}

/**
 * The tenant whose brand assets (logos, favicon, a draft's) the console serves: the signed-in
 * `userId`'s console brand's (brandOfConsoleFor), else the only MSSP's; null: nobody's.
 */
export async function consoleBrandTenantId(userId: string | null): Promise<string | null> {
  return withServiceRole("branding.resolve", async (db) => {
    const home = userId === null ? null : await consoleHomeOf(db, userId);
    if (home) return home.id;
    const root = await onlyMsspId(db);
    return root === "several" ? null : root;
  });
}

/** The signed-in user of the current request (one still to set up two-step verification included), or null. */
export async function requestUserId(): Promise<string | null> {
  const { getSessionUserForEnrolment } = await import("@/lib/auth/session");
  return (await getSessionUserForEnrolment())?.id ?? null;
}

const keyOf = (target: HostTarget) => (target.area === "tenant" ? `t:${target.slug}` : "console");

/** The brand of a host target, through the cache. Null: a tenant host of no tenant. */
export function brandForTarget(target: HostTarget): Promise<Brand | null> {
  return brandCache.getOrLoad(keyOf(target), () => loadBrand(target));
}

/** The brand of the current request's host, once per request (React cache), from the cache after the first. */
export const requestBrand = perRequest(async (): Promise<Brand> => {
  const [{ headers }, { hostTarget }] = await Promise.all([import("next/headers"), import("@/lib/tenancy/host")]);
  const target = hostTarget(await headers());
  // A host that names no portal (its 404 page): a brand of no one. Not the console's, which carries the
  // MSSP's name when the portal runs one: the host may be a tenant's pending or removed custom domain
  // whose tenant hides the MSSP's brand, or any name someone pointed at the portal.
  if (target.area === "unknown") return fallbackBrand(true);
  try {
    // The console signed in: the user's MSSP's brand.
    const userId = target.area === "console" ? await requestUserId() : null;
    if (userId) return await brandOfConsoleFor(userId);
    const brand = await brandForTarget(target);
    // A tenant host of no tenant looks exactly like an unbranded tenant's (issue 9 finding 7: the
    // sign-in page does not tell whether a tenant exists): the MSSP's brand as a customer inherits it.
    return brand ?? (await unknownTenantBrand()) ?? (await fallbackBrand(false));
  } catch (error) {
    // The database unreachable: the page (or its error page) still renders, in a brand of no one.
    log.warn({ event: "branding.resolve-failed", err: safeError(error) }, "brand could not be resolved; neutral brand used");
    return fallbackBrand(true);
  }
});

/** What the page header shows of a brand: its light logo (if any), named by the product. */
export function shellBrand(brand: Brand): { productName: string; logoUrl: string | null } {
  return { productName: brand.productName, logoUrl: brand.logoLight?.url ?? null };
}

/**
 * The brand of a tenant by id (emails and PDFs made outside a request: jobs). `within`: read on a
 * transaction the caller holds (an invitation's, queued with its mail) instead of a connection of its own.
 */
export async function brandOfTenant(tenantId: string, within?: Db): Promise<Brand> {
  const b = await brandCache.getOrLoad(`id:${tenantId}`, () =>
    withServiceRoleOn("branding.resolve", within, async (db) => {
      const chain = await chainOf(db, { id: tenantId });
      return chain.length === 0 ? null : brandOfChain(db, chain, false);
    }),
  );
  return b ?? fallbackBrand(true);
}

/**
 * No tenant resolved: the registry defaults (the MSSP's brand) for the console,
 * and for a tenant host (no such tenant, database down) or a host that names no
 * portal a neutral brand, so a white-labelled host never shows the MSSP's brand
 * even on its worst day.
 */
export async function fallbackBrand(neutral = false): Promise<Brand> {
  const { SETTINGS } = await import("@/lib/settings/registry");
  const settings = SETTINGS.map((d) => ({ key: d.key, definition: d, value: d.default, source: "default" as const, sourceTenantId: null, sourceName: null, lockedHere: false, lockedBy: null, changedBy: null, changedAt: null, storedInvalid: false }));
  const index = new Map(settings.map((s) => [s.key, s]));
  const config = { tenantId: "", settings, get: (k: string) => index.get(k)!, value: <T,>(k: string) => index.get(k)!.value as T };
  if (neutral) {
    const hide = index.get("branding.hide_mssp_brand")!;
    index.set(hide.key, { ...hide, value: true });
  }
  return brandFrom({ tenantId: neutral ? "" : null, config, msspIds: new Set(), resellerName: "", assets: new Map() });
}
