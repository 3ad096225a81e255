// api.unwrap_own_dek (migration 20261201013100): the portal opens a collector's
// credentials (POST /collectors/{name}/credentials) as its API key, without the
// service role. It must unwrap its own tenant's DEK and nothing else: not for a person, not for a
// key without collectors:write, not after revocation, never another tenant's.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { createApiKey, revokeApiKey } from "@/lib/api/keys/store";
import { tenantResource } from "@/lib/authz";
import { parseKey } from "@/lib/api/keys/format";
import { activeKeyFor, ownKeyDekFor } from "@/lib/vault/keys";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

async function keyFor(slug: "acme" | "globex", scopes: ("alerts:write" | "collectors:write" | "alerts:read")[]) {
  const admin = slug === "acme" ? "acmeAdmin" : "globexAdmin";
  return as(fx, admin, async (tx) => {
    const tenant = (await tenantResource(tx.db, fx.tenants[slug]))!;
    const made = await createApiKey(tx, { tenant, name: `k ${scopes.join(" ")}`, scopes, expiresInDays: 30 });
    return { ...made, parsed: parseKey(made.key)! };
  });
}

/** Runs ownKeyDekFor for tenant `tenantId` as the key (or a person), in its own withTenant. */
function unwrapAs(caller: { key?: ReturnType<typeof parseKey>; userId?: string }, tenantId: string, version: number) {
  const c = caller.key ? { userId: caller.key.id, apiKey: caller.key, activeTenantId: null } : { userId: caller.userId! };
  return withTenant(c, (tx) => ownKeyDekFor(tx.db, tenantId, version));
}

const denied = (e: unknown) => (e as { code?: string }).code === "42501";

test("a live key with collectors:write unwraps its own tenant's DEK (the same bytes the service role gets), nothing else", async () => {
  const { version, dek } = await activeKeyFor(fx.tenants.acme);
  const collector = await keyFor("acme", ["alerts:write", "collectors:write"]);
  const own = await unwrapAs({ key: collector.parsed }, fx.tenants.acme, version);
  assert.ok(own.equals(dek), "the key's own tenant DEK");

  // The function takes no tenant: a key cannot ask for another tenant's key. Globex's key gets globex's.
  const globexKey = await keyFor("globex", ["collectors:write"]);
  const globex = await activeKeyFor(fx.tenants.globex);
  const theirs = await unwrapAs({ key: globexKey.parsed }, fx.tenants.globex, globex.version);
  assert.ok(theirs.equals(globex.dek) && !theirs.equals(dek));
});

test("refused (42501): a person, a key without collectors:write, a revoked key", async () => {
  const { version } = await activeKeyFor(fx.tenants.acme);
  await assert.rejects(unwrapAs({ userId: fx.users.acmeAdmin }, fx.tenants.acme, version), denied);
  const reader = await keyFor("acme", ["alerts:read"]);
  await assert.rejects(unwrapAs({ key: reader.parsed }, fx.tenants.acme, version), denied);
  const collector = await keyFor("acme", ["collectors:write"]);
  await as(fx, "acmeAdmin", (tx) => revokeApiKey(tx, { tenantId: fx.tenants.acme, keyId: collector.parsed.id }));
  await assert.rejects(unwrapAs({ key: collector.parsed }, fx.tenants.acme, version), denied);
});

test("a refusal leaves the transaction usable (savepoint): the caller can still audit in it", async () => {
  const { version } = await activeKeyFor(fx.tenants.acme);
  const reader = await keyFor("acme", ["alerts:read"]);
  const after = await withTenant({ userId: reader.parsed.id, apiKey: reader.parsed, activeTenantId: null }, async (tx) => {
    await assert.rejects(ownKeyDekFor(tx.db, fx.tenants.acme, version), denied);
    return (await tx.client.query<{ one: number }>("select 1 as one")).rows[0].one;
  });
  assert.equal(after, 1);
});
