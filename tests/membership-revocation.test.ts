// Authorization changes apply immediately (ASVS 5.0 8.3.2): authority comes
// from the memberships table at query time, not from claims issued earlier.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { accessTokenHookEvent } from "@/lib/db/claims";
import { inTransaction } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as, asRolledBack, assertRows, attempt } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
});
after(async () => {
  await owner?.end();
  await db?.drop();
});

const acmeAlerts = "select id from public.alerts where tenant_id = any ($1)";
const acmeTree = () => [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]];

test("a revoked member sees nothing in the very next transaction", async () => {
  const beforeRevoke = await as(fx, "acmeAnalyst", async ({ client }) => (await client.query(acmeAlerts, [acmeTree()])).rowCount);
  assert.equal(beforeRevoke, 6);

  await owner.query("delete from public.memberships where user_id = $1", [fx.users.acmeAnalyst]);

  const after = await as(fx, "acmeAnalyst", async ({ client, claims }) => ({
    alerts: (await client.query("select id from public.alerts")).rowCount,
    assets: (await client.query("select id from public.assets")).rowCount,
    tenants: (await client.query("select id from public.tenants")).rowCount,
    claimed: claims.tenants.length,
  }));
  assert.deepEqual(after, { alerts: 0, assets: 0, tenants: 0, claimed: 0 });
});

test("claims issued before the revocation grant nothing after it", async () => {
  const { rows } = await owner.query("select public.custom_access_token_hook($1::jsonb) -> 'claims' as claims", [
    JSON.stringify(accessTokenHookEvent({ userId: fx.users.acmeViewer, activeTenantId: fx.tenants.acme })),
  ]);
  const stale = rows[0].claims;
  assert.equal(stale.tenant_id, fx.tenants.acme);
  const seen = () =>
    inTransaction(async (client) => {
      await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(stale)]);
      await client.query("set local role authenticated");
      return (await client.query(acmeAlerts, [acmeTree()])).rowCount;
    });
  assert.equal(await seen(), 6, "control: the claims work while the membership exists");

  await owner.query("delete from public.memberships where user_id = $1", [fx.users.acmeViewer]);

  assert.equal(await seen(), 0);
});

test("a downgraded admin loses delete and update at once", async () => {
  const alert = fx.alerts.acme[1];
  const tryWrites = () =>
    asRolledBack(fx, "acmeAdmin", async ({ client }) => [
      await attempt(client, "update public.alerts set assigned_to = assigned_to where id = $1", [alert]),
      await attempt(client, "delete from public.alerts where id = $1", [alert]),
    ]);
  const [updBefore, delBefore] = await tryWrites();
  assertRows(updBefore, 1);
  assertRows(delBefore, 1);

  // acme must keep an admin (the last-admin rule), so another one is added first.
  const { rows } = await owner.query("insert into public.users (email, name) values ('second-admin@example.test', 'Second') returning id");
  await owner.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_admin')", [fx.tenants.acme, rows[0].id]);
  await owner.query("update public.memberships set role = 'tenant_viewer' where user_id = $1", [fx.users.acmeAdmin]);

  const [updAfter, delAfter] = await tryWrites();
  assertRows(updAfter, 0);
  assertRows(delAfter, 0);
  const stillReads = await as(fx, "acmeAdmin", async ({ client }) => (await client.query(acmeAlerts, [acmeTree()])).rowCount);
  assert.equal(stillReads, 6, "the viewer role still reads");
});

test("a membership removed from a parent tenant removes the subtree, not just the tenant", async () => {
  const sees = () =>
    as(fx, "msspAnalyst", async ({ client }) => (await client.query<{ slug: string }>("select slug from public.tenants order by slug")).rows.map((r) => r.slug));
  assert.deepEqual(await sees(), ["acme", "acme-eu", "acme-us", "globex", "mssp-a"]);
  await owner.query("delete from public.memberships where user_id = $1 and tenant_id = $2", [
    fx.users.msspAnalyst,
    fx.tenants["mssp-a"],
  ]);
  assert.deepEqual(await sees(), []);
});
