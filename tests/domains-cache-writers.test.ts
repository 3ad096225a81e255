// The custom-domain caches (lib/domains/resolve.ts: "domain-routed", every
// routed domain → its tenant's slug; "domain-primary", a tenant's primary
// domain by slug) follow every writer, not only lib/domains/store.ts: the
// database notifies at commit (migration 20261201031300). Proven with this
// process's real cache listener against a real Postgres:
//   - offboarding's purge (deleteTenantRows) stops the domain routing at once,
//     not after the 60 s TTL; nothing is sent before commit;
//   - rows written back (an archive restore) route again at once;
//   - a slug renamed, then taken by another tenant, never serves the first
//     tenant's domain under the old slug;
//   - control: the re-check's write that changes nothing the caches hold
//     (status and verification unchanged) evicts nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clearAllLocal, sharedCache } from "@/lib/cache";
import { startCacheListener, type CacheListener } from "@/lib/cache/listener";
import { primaryDomainFor, tenantSlugForDomain } from "@/lib/domains/resolve";
import { deleteTenantRows, loadTenantCatalog } from "@/lib/lifecycle/catalog";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let listener: CacheListener;
const DOMAIN = "soc.acme.test";
const routedCache = sharedCache<ReadonlyMap<string, string>>("domain-routed", { ttlMs: 60_000, maxEntries: 1 });

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  listener = startCacheListener({ url: db.url, retryMs: 100 });
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
const settle = () => new Promise((r) => setTimeout(r, 300));

/** A verified domain of `tenant`, written as a restore writes it (plain insert, no store call). */
const insertRouted = (tenant: string, domain = DOMAIN) =>
  withClient(db.url, (c) =>
    c.query(
      `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at)
       values ($1, $2, $2, 'tok_abcdefghijklmnopqrstuvwxyz', 'verified', now() - interval '1 day')`,
      [tenant, domain],
    ),
  );

/** Fills both caches from the database, and checks that they now hold the domain. */
async function warm(slug: string) {
  await settle(); // the writes' own notifications reach the listener first
  clearAllLocal();
  assert.equal(await tenantSlugForDomain(DOMAIN), slug);
  assert.equal(await primaryDomainFor(slug), DOMAIN);
  assert.ok(routedCache.get("all")?.has(DOMAIN), "cached");
}

test("offboarding's purge of a tenant's rows stops its domain routing at commit, without waiting for the TTL", async () => {
  await insertRouted(fx.tenants.acme);
  await warm("acme");
  await withClient(db.url, async (c) => {
    await c.query("begin");
    // What the offboarding purge runs (lib/lifecycle/offboard-workflow.ts), limited to the domains' table.
    const catalog = (await loadTenantCatalog(c)).filter((t) => t.name === "public.custom_domains");
    assert.equal(catalog.length, 1);
    assert.equal(await deleteTenantRows(c, [fx.tenants.acme], { catalog, batchSize: 100 }), 1);
    await settle();
    assert.equal(await tenantSlugForDomain(DOMAIN), "acme", "nothing is sent before commit");
    await c.query("commit");
  });
  assert.ok(await eventually(async () => (await tenantSlugForDomain(DOMAIN)) === null), "the domain stops routing");
  assert.ok(await eventually(async () => (await primaryDomainFor("acme")) === null), "the tenant has no primary domain any more");
});

test("rows written back (an archive restore) route again at commit", async () => {
  assert.equal(await tenantSlugForDomain(DOMAIN), null);
  assert.equal(await primaryDomainFor("acme"), null);
  await insertRouted(fx.tenants.acme);
  assert.ok(await eventually(async () => (await tenantSlugForDomain(DOMAIN)) === "acme"));
  assert.ok(await eventually(async () => (await primaryDomainFor("acme")) === DOMAIN));
});

test("control: a re-check that changes nothing the caches hold evicts nothing; a domain leaving routing evicts", async () => {
  await warm("acme");
  // The scheduled re-check's write: same status, same verification time, a new last check.
  await withClient(db.url, (c) =>
    c.query("update public.custom_domains set status = status, verified_at = verified_at, last_checked_at = now(), last_check = 'ok' where domain = $1", [DOMAIN]),
  );
  await settle();
  assert.ok(routedCache.get("all")?.has(DOMAIN), "still cached: nothing the caches hold changed");
  // The same statement shape, now unrouting it: evicted.
  await withClient(db.url, (c) => c.query("update public.custom_domains set status = 'unrouted', missing_since = null, last_checked_at = now() where domain = $1", [DOMAIN]));
  assert.ok(await eventually(async () => (await tenantSlugForDomain(DOMAIN)) === null));
  await withClient(db.url, (c) => c.query("update public.custom_domains set status = 'verified' where domain = $1", [DOMAIN]));
  assert.ok(await eventually(async () => (await tenantSlugForDomain(DOMAIN)) === "acme"));
});

test("a slug renamed and taken by another tenant never serves the first tenant's domain as the second's", async () => {
  await warm("acme");
  // acme moves to a new slug and globex (no custom domain) takes the freed one, in one transaction.
  await withClient(db.url, async (c) => {
    await c.query("begin");
    await c.query("update public.tenants set slug = 'acme-renamed' where id = $1", [fx.tenants.acme]);
    await c.query("update public.tenants set slug = 'acme' where id = $1", [fx.tenants.globex]);
    await c.query("commit");
  });
  assert.ok(await eventually(async () => (await primaryDomainFor("acme")) === null), "the slug's new holder has no custom domain");
  assert.ok(await eventually(async () => (await tenantSlugForDomain(DOMAIN)) === "acme-renamed"), "the domain routes to its tenant's new slug");
  assert.equal(await primaryDomainFor("acme-renamed"), DOMAIN);
});
