// The host-tenant cache (lib/tenancy/resolve-host.ts, cache "tenant-by-slug"):
// every tenant page reads its host's tenant from it instead of a service-role
// transaction of its own (issue 13, point 7). It must never serve a stale
// answer that matters: a suspension above a tenant (its lockedAs), a rename,
// a new tenant (an unknown host cached as null) reach every process through
// the database's notification (migration 20261201023500). Without a listener
// nothing would evict, so nothing is cached.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clearAllLocal } from "@/lib/cache";
import { startServerCacheListener, type CacheListener } from "@/lib/cache/listener";
import { findTenantBySlug, tenantBySlugCache } from "@/lib/tenancy/resolve-host";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let listener: CacheListener | undefined;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(async () => {
  await listener?.stop();
  await db.drop();
});

async function eventually(check: () => Promise<boolean>, ms = 3000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

test("without a cache listener in the process nothing is cached", async () => {
  clearAllLocal();
  assert.equal((await findTenantBySlug("acme"))?.id, fx.tenants.acme);
  assert.equal(tenantBySlugCache.size, 0);
});

test("with the listener: cached, and dropped at the commit of a suspension above, a rename and a new tenant", async () => {
  listener = startServerCacheListener();
  await listener.ready;
  clearAllLocal();
  assert.equal((await findTenantBySlug("acme-eu"))?.lockedAs, null);
  assert.equal(await findTenantBySlug("newco"), null);
  assert.equal(tenantBySlugCache.size, 1, "the tenant is cached");
  assert.equal(tenantBySlugCache.missSize, 1, "the unknown host's null too, apart (tests/cache-unknown-slugs.test.ts)");

  // A suspension of the customer above the site: the site's lockedAs changes.
  await withClient(db.url, (c) => c.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.acme]));
  assert.ok(await eventually(async () => (await findTenantBySlug("acme-eu"))?.lockedAs === "suspended"), "the suspension is seen");
  await withClient(db.url, (c) => c.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.acme]));
  assert.ok(await eventually(async () => (await findTenantBySlug("acme-eu"))?.lockedAs === null), "the resumption is seen");

  // A rename.
  await withClient(db.url, (c) => c.query("update public.tenants set name = 'Acme Renamed' where id = $1", [fx.tenants.acme]));
  assert.ok(await eventually(async () => (await findTenantBySlug("acme"))?.name === "Acme Renamed"));

  // A new tenant on a host that was cached as unknown.
  await withClient(db.url, (c) => c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'newco', 'New Co', 'customer')", [fx.tenants["mssp-a"]]));
  assert.ok(await eventually(async () => (await findTenantBySlug("newco"))?.name === "New Co"));

  // A rolled-back change evicts nothing it should not, and serves the committed state.
  await withClient(db.url, async (c) => {
    await c.query("begin");
    await c.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.acme]);
    await c.query("rollback");
  });
  assert.equal((await findTenantBySlug("acme-eu"))?.lockedAs, null);
});
