// The one tenant column authenticated users may write: require_mfa, by
// admins of the tenant (or an ancestor), nowhere else, nothing else.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const setRequireMfa = (user: UserName, slug: TenantSlug, on: boolean) =>
  withTenant({ userId: fx.users[user] }, async ({ client }) =>
    (await client.query("update public.tenants set require_mfa = $1 where id = $2", [on, fx.tenants[slug]])).rowCount,
  );
const requireMfaOf = (slug: TenantSlug) =>
  withClient(db.url, async (c) => (await c.query("select require_mfa from public.tenants where id = $1", [fx.tenants[slug]])).rows[0].require_mfa);

test("a tenant admin switches require_mfa on their tenant and its sites", async () => {
  assert.equal(await setRequireMfa("acmeAdmin", "acme", true), 1);
  assert.equal(await setRequireMfa("acmeAdmin", "acme-eu", true), 1);
  assert.equal(await requireMfaOf("acme"), true);
  assert.equal(await setRequireMfa("msspAdmin", "acme", false), 1);
  assert.equal(await requireMfaOf("acme"), false);
});

test("analysts, viewers, site admins on the parent, siblings and other MSSPs change nothing", async () => {
  for (const [user, slug] of [
    ["acmeAnalyst", "acme"],
    ["acmeViewer", "acme"],
    ["acmeEuAdmin", "acme"],
    ["acmeAdmin", "globex"],
    ["msspBAdmin", "acme"],
    ["msspAnalyst", "globex"],
  ] as [UserName, TenantSlug][]) {
    assert.equal(await setRequireMfa(user, slug, true), 0, `${user} on ${slug}`);
    assert.equal(await requireMfaOf(slug), false);
  }
});

test("no other tenant column is writable, not even by an admin", async () => {
  await assert.rejects(
    withTenant({ userId: fx.users.acmeAdmin }, ({ client }) => client.query("update public.tenants set name = 'x', status = 'suspended' where id = $1", [fx.tenants.acme])),
    /permission denied/,
  );
  await assert.rejects(
    withTenant({ userId: fx.users.acmeAdmin }, ({ client }) => client.query("update public.tenants set parent_id = $1 where id = $2", [fx.tenants["mssp-b"], fx.tenants.acme])),
    /permission denied/,
  );
});
