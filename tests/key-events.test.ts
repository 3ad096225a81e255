// A key retired or destroyed anywhere stops opening in every process at once,
// not after the key cache's TTL: Postgres notifies at commit and the listener
// evicts the tenant's cached keys (lib/vault/key-events.ts). A listener whose
// connection is lost reconnects and drops every cached key, since a shred sent
// while it was away never reaches it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TenantKeyUnavailableError } from "@/lib/vault/errors";
import { startKeyEventListener, type KeyEventListener } from "@/lib/vault/key-events";
import { dekFor } from "@/lib/vault/keys";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let listener: KeyEventListener | undefined;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(async () => {
  await listener?.stop();
  await db.drop();
});

/** Destroys a tenant's keys the way another replica would: in the database, not through this process's cache. */
const destroyElsewhere = (tenantId: string) =>
  withClient(db.url, (c) => c.query("select keyring.destroy_tenant_keys($1)", [tenantId]));

async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

const opens = (tenantId: string) =>
  dekFor(tenantId, 1).then(
    () => true,
    (e) => {
      assert.ok(e instanceof TenantKeyUnavailableError, String(e));
      return false;
    },
  );

test("control: without the listener, a key destroyed elsewhere keeps opening from the cache", async () => {
  assert.equal(await opens(fx.tenants.globex), true); // cached now
  await destroyElsewhere(fx.tenants.globex);
  assert.equal(await opens(fx.tenants.globex), true, "served from this process's cache until the TTL");
});

test("with the listener, the destroyed key stops opening here right after the other commit", async () => {
  listener = startKeyEventListener({ url: db.url, retryMs: 100 });
  await listener.ready;
  assert.equal(await opens(fx.tenants.acme), true); // cached now
  assert.equal(await opens(fx.tenants["acme-eu"]), true);
  await destroyElsewhere(fx.tenants.acme);
  assert.equal(await eventually(async () => !(await opens(fx.tenants.acme))), true, "evicted on the notification");
  assert.equal(await opens(fx.tenants["acme-eu"]), true, "other tenants' keys stay cached and valid");
});

test("a rotation that retires a version evicts it too; nothing is sent before commit", async () => {
  const tenant = fx.tenants["acme-us"];
  await withClient(db.url, async (c) => {
    await c.query("select keyring.create_tenant_key($1)", [tenant]); // v2 active, v1 retiring (nothing sealed under it)
  });
  assert.equal(await opens(tenant), true, "v1 still opens while retiring");
  await withClient(db.url, async (c) => {
    await c.query("begin");
    await c.query("select keyring.retire_tenant_key($1, 1)", [tenant]);
    // Not committed: the cached key must still be served.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await opens(tenant), true, "no eviction before commit");
    await c.query("commit");
  });
  assert.equal(await eventually(async () => !(await opens(tenant))), true);
});

test("a listener whose connection is ended reconnects, and drops the keys it cached while it could miss a shred", async () => {
  await listener?.stop();
  listener = startKeyEventListener({ url: db.url, retryMs: 1_000, applicationName: "key-events-test" });
  await listener.ready;
  const tenant = fx.tenants["acme-eu"];
  assert.equal(await opens(tenant), true); // cached now
  const pids = async () =>
    withClient(db.url, async (c) => (await c.query<{ pid: number }>("select pid from pg_stat_activity where application_name = 'key-events-test'")).rows.map((r) => r.pid));
  const [old] = await pids();
  assert.ok(old, "the listener is connected");
  // Ended from the server (as a restart or an idle-connection killer would), waiting until the backend is gone.
  await withClient(db.url, (c) => c.query("select pg_terminate_backend($1, 5000)", [old]));
  // Shredded while nobody listens: that notification is lost for this process.
  await destroyElsewhere(tenant);
  assert.deepEqual(await pids(), [], "the shred committed while the listener was away");
  assert.ok(
    await eventually(async () => {
      const now = await pids();
      return now.length === 1 && now[0] !== old && listener!.connected;
    }, 10_000),
    "reconnected",
  );
  assert.equal(await opens(tenant), false, "the key cached before the gap is gone: the shred holds here too");
});
