// Unknown slugs cannot push real tenants out of the host caches: anyone,
// signed out, can ask for random subdomains, and each answer of "no such
// tenant" used to be an entry of the 10,000-entry LRUs "tenant-by-slug"
// (lib/tenancy/resolve-host.ts) and "brand-by-host" (lib/branding/resolve.ts).
// Misses are now kept apart (lib/cache maxMisses, at most 1,000) and dropped by
// the same tenants notifications: 10,001 made-up slugs leave a real tenant's
// entries cached, and a tenant created on a slug that missed is found at once.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { clearAllLocal } from "@/lib/cache";
import { startServerCacheListener, type CacheListener } from "@/lib/cache/listener";
import { brandCache, brandForTarget } from "@/lib/branding/resolve";
import { findTenantBySlug, tenantBySlugCache } from "@/lib/tenancy/resolve-host";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let listener: CacheListener;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  listener = startServerCacheListener();
  await listener.ready;
});
after(async () => {
  await listener?.stop();
  await db.drop();
});

async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

const MISSES = 10_001;
const randomSlug = () => `zz-${randomBytes(8).toString("hex")}`;

/** Runs `fn` for `n` made-up slugs, a few at a time (each miss is a service-role transaction). */
async function forRandomSlugs(n: number, fn: (slug: string) => Promise<unknown>) {
  for (let done = 0; done < n; ) {
    const batch = Math.min(25, n - done);
    await Promise.all(Array.from({ length: batch }, () => fn(randomSlug())));
    done += batch;
  }
}

test(`${MISSES} unknown slugs leave a real tenant's host entry and brand cached`, { timeout: 600_000 }, async () => {
  clearAllLocal();
  assert.equal((await findTenantBySlug("acme"))?.id, fx.tenants.acme);
  assert.ok(await brandForTarget({ area: "tenant", slug: "acme" }));
  await forRandomSlugs(MISSES, async (slug) => {
    assert.equal(await findTenantBySlug(slug), null);
    assert.equal(await brandForTarget({ area: "tenant", slug }), null);
  });
  assert.equal(tenantBySlugCache.get("acme")?.id, fx.tenants.acme, "the real tenant is still cached");
  assert.ok(brandCache.get("t:acme"), "its brand is still cached");
  assert.equal(tenantBySlugCache.size, 1);
  assert.ok(tenantBySlugCache.missSize <= 1_000 && tenantBySlugCache.missSize > 0, "misses are remembered, within their own bound");
  assert.ok(brandCache.missSize <= 1_000 && brandCache.missSize > 0);
});

test("a tenant created on a slug that missed is found at once (its miss is dropped with the tenants notification)", async () => {
  const slug = randomSlug();
  assert.equal(await findTenantBySlug(slug), null);
  assert.equal(await brandForTarget({ area: "tenant", slug }), null);
  assert.equal(tenantBySlugCache.get(slug), null, "the miss is cached");
  assert.equal(brandCache.get(`t:${slug}`), null);
  await withClient(db.url, (c) => c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, 'Newly Made', 'customer')", [fx.tenants["mssp-a"], slug]));
  assert.ok(await eventually(async () => (await findTenantBySlug(slug))?.name === "Newly Made"), "found well within the TTL");
  assert.ok(await eventually(async () => (await brandForTarget({ area: "tenant", slug })) !== null), "its brand too");
});
