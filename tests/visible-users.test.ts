// Who sees a person (migration 20261201025300): the users policy checks each
// row with tenancy.user_is_visible (the caller's roots and scope, kept for the
// transaction) instead of an EXISTS over memberships against the visible set.
// The rule must not change: the caller sees themself and the members of the
// tenants tenancy.visible_tenant_ids() returns, nobody else. Compared here
// with the rule as it was written, for every kind of caller, and attacked:
// another customer's people, a membership removed or a tenant suspended in
// the same transaction, an API key (also revoked mid-transaction), forged memos.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type pg from "pg";
import { parseKey } from "@/lib/api/keys/format";
import { apiKeyTokenEvent } from "@/lib/db/claims";
import { withTenant } from "@/lib/db/with-tenant";
import { insertKey } from "./helpers/api-keys";
import { CALLER_CASES, insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { claimsOf } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const sortIds = (ids: string[]) => [...ids].sort();
const nameOf = (id: string) => (Object.entries(fx.users).find(([, u]) => u === id)?.[0] ?? id) as string;
const names = (ids: string[]) => ids.map(nameOf).sort();

/**
 * The users the policy shows, and the rule as migration 20261123000100 wrote it (the caller, and the
 * members of a tenant of tenancy.visible_tenant_ids()), in the same transaction. The rule is read from
 * memberships alone, never through the users policy it is compared with.
 */
async function seenAndRule(c: pg.ClientBase) {
  const seen = (await c.query<{ id: string }>("select id from public.users")).rows.map((r) => r.id);
  const members = (
    await c.query<{ id: string }>(
      `select (select auth.uid()) as id
       union
       select m.user_id from public.memberships m where m.tenant_id = any (array(select tenancy.visible_tenant_ids()))`,
    )
  ).rows.map((r) => r.id);
  const rule = Object.values(fx.users).filter((id) => members.includes(id));
  // Each user asked one at a time too (an index lookup by id, as joins do).
  const oneByOne: string[] = [];
  for (const id of Object.values(fx.users)) {
    if ((await c.query("select 1 from public.users where id = $1", [id])).rowCount === 1) oneByOne.push(id);
  }
  return { seen: sortIds(seen), rule: sortIds(rule), oneByOne: sortIds(oneByOne) };
}

async function asClaims<T>(userId: string, tenantId: string | null, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return withClient(db.url, async (c) => {
    await c.query("begin");
    try {
      await c.query(claimsOf(userId, tenantId));
      await c.query("set local role authenticated");
      return await fn(c);
    } finally {
      await c.query("rollback");
    }
  });
}

test("every caller sees exactly the users the rule as written shows: themself and the members of its visible tenants", async () => {
  for (const [user, active] of CALLER_CASES) {
    const got = await asClaims(fx.users[user], active ? fx.tenants[active] : null, seenAndRule);
    const label = `${user}${active ? ` on ${active}` : ""}`;
    assert.deepEqual(names(got.seen), names(got.rule), label);
    assert.deepEqual(names(got.oneByOne), names(got.rule), `${label}, one by one`);
    assert.ok(got.seen.includes(fx.users[user]), `${label} sees themself`);
  }
});

test("a customer's people never see another customer's or another MSSP's people, nor the MSSP's staff", async () => {
  const acme = await asClaims(fx.users.acmeAdmin, null, seenAndRule);
  assert.deepEqual(names(acme.seen), ["acmeAdmin", "acmeAnalyst", "acmeEuAdmin", "acmeUsAdmin", "acmeViewer", "twoCustomers"]);
  const globex = await asClaims(fx.users.globexAdmin, null, seenAndRule);
  assert.deepEqual(names(globex.seen), ["globexAdmin", "twoCustomers"]);
  const site = await asClaims(fx.users.acmeEuAdmin, null, seenAndRule);
  assert.deepEqual(names(site.seen), ["acmeEuAdmin"], "a site's admin does not see its customer's people");
  const nobody = await asClaims(fx.users.noMemberships, null, seenAndRule);
  assert.deepEqual(names(nobody.seen), ["noMemberships"]);
  const otherMssp = await asClaims(fx.users.msspBAdmin, null, seenAndRule);
  assert.deepEqual(names(otherMssp.seen), ["msspBAdmin", "otherCoAdmin"]);
  // Asked directly by id, as a join does, the answer is the same.
  await asClaims(fx.users.globexAdmin, null, async (c) => {
    for (const u of [fx.users.acmeAdmin, fx.users.msspAdmin, fx.users.otherCoAdmin]) {
      assert.equal((await c.query("select 1 from public.users where id = $1", [u])).rowCount, 0, nameOf(u));
      assert.equal((await c.query<{ v: boolean }>("select tenancy.user_is_visible($1) as v", [u])).rows[0].v, false, nameOf(u));
    }
  });
});

test("in one transaction: a membership removed, a tenant suspended and other claims are seen by the next statement", async () => {
  await withClient(db.url, async (c) => {
    const visible = async (id: string) => (await c.query("select 1 from public.users where id = $1", [id])).rowCount === 1;
    await c.query("begin");
    try {
      await c.query(claimsOf(fx.users.acmeAdmin));
      await c.query("set local role authenticated");
      assert.equal(await visible(fx.users.acmeEuAdmin), true);
      assert.equal(await visible(fx.users.acmeUsAdmin), true);
      // Removed from acme-eu (as the owner): gone from the next statement on.
      await c.query("reset role");
      await c.query("delete from public.memberships where user_id = $1", [fx.users.acmeEuAdmin]);
      await c.query("set local role authenticated");
      assert.equal(await visible(fx.users.acmeEuAdmin), false, "removed in this transaction");
      assert.equal(await visible(fx.users.acmeUsAdmin), true);
      // The caller loses its own membership: only itself is left.
      await c.query("reset role");
      await c.query("delete from public.memberships where user_id = $1", [fx.users.acmeAdmin]);
      await c.query("set local role authenticated");
      assert.deepEqual(names((await c.query<{ id: string }>("select id from public.users")).rows.map((r) => r.id)), ["acmeAdmin"]);
      // Other claims in the same transaction: no answer carried over from the first caller.
      await c.query("reset role");
      await c.query(claimsOf(fx.users.globexAdmin));
      await c.query("set local role authenticated");
      assert.equal(await visible(fx.users.acmeUsAdmin), false);
      assert.equal(await visible(fx.users.twoCustomers), true);
    } finally {
      await c.query("rollback");
    }

    await c.query("begin");
    try {
      await c.query(claimsOf(fx.users.msspAdmin));
      await c.query("set local role authenticated");
      assert.equal(await visible(fx.users.acmeAdmin), true);
      await c.query("reset role");
      await c.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.acme]);
      await c.query("set local role authenticated");
      assert.equal(await visible(fx.users.acmeAdmin), true, "the MSSP still sees a suspended customer's people, as its tenants");
      assert.equal(await visible(fx.users.globexAdmin), true);
      await c.query("reset role");
      await c.query(claimsOf(fx.users.acmeAnalyst));
      await c.query("set local role authenticated");
      assert.deepEqual(names((await c.query<{ id: string }>("select id from public.users")).rows.map((r) => r.id)), ["acmeAnalyst"], "a suspended customer's own people see only themselves");
    } finally {
      await c.query("rollback");
    }

    const { rows: [left] } = await c.query<{ key: string | null }>("select current_setting('tenancy.visible_paths_key', true) as key");
    assert.ok(!left.key, "the memo is transaction-local");
  });
});

test("forged memos are ignored: paths planted under another key do not widen what a caller sees", async () => {
  await asClaims(fx.users.globexAdmin, null, async (c) => {
    const { rows: [mssp] } = await c.query<{ path: string }>("select path::text as path from public.tenants where id = $1", [fx.tenants.globex]);
    assert.ok(mssp);
    await c.query(
      `select set_config('tenancy.visible_roots', '{' || $1 || '}', true), set_config('tenancy.visible_scope', '{' || $1 || '}', true),
              set_config('tenancy.visible_paths_key', 'not-these-claims', true)`,
      [mssp.path.split(".")[0]],
    );
    assert.equal((await c.query("select 1 from public.users where id = $1", [fx.users.acmeAdmin])).rowCount, 0);
    assert.deepEqual(names((await c.query<{ id: string }>("select id from public.users")).rows.map((r) => r.id)), ["globexAdmin", "twoCustomers"]);
  });
});

test("an API key sees the members of its tenant and below, nobody else, and nothing once revoked in the same transaction", async () => {
  const key = parseKey(await insertKey(db.url, fx, "acme", ["alerts:read"], { name: "visible-users test key", expiresInDays: 1, createdBy: "acmeAdmin" }));
  assert.ok(key);
  await withTenant({ userId: key.id, apiKey: key, activeTenantId: null }, async ({ client }) => {
    const got = await seenAndRule(client);
    assert.deepEqual(names(got.seen), names(got.rule));
    assert.deepEqual(names(got.seen), ["acmeAdmin", "acmeAnalyst", "acmeEuAdmin", "acmeUsAdmin", "acmeViewer", "twoCustomers"]);
    assert.equal((await client.query("select 1 from public.users where id = $1", [fx.users.globexAdmin])).rowCount, 0);
  });
  await withClient(db.url, async (c) => {
    await c.query("begin");
    try {
      await c.query("select set_config('request.jwt.claims', (public.api_key_access_token($1::jsonb) -> 'claims')::text, true)", [
        JSON.stringify(apiKeyTokenEvent({ userId: key.id, apiKey: key })),
      ]);
      await c.query("set local role authenticated");
      assert.equal((await c.query("select 1 from public.users where id = $1", [fx.users.acmeAdmin])).rowCount, 1);
      // Revoked by Acme's admin (the trigger records who), then the key's claims again.
      const { rows: [{ claims }] } = await c.query<{ claims: string }>("select current_setting('request.jwt.claims') as claims");
      await c.query("reset role");
      await c.query(claimsOf(fx.users.acmeAdmin));
      await c.query("update public.api_keys set revoked_at = now() where id = $1", [key.id]);
      await c.query("select set_config('request.jwt.claims', $1, true)", [claims]);
      await c.query("set local role authenticated");
      assert.equal((await c.query("select 1 from public.users where id = $1", [fx.users.acmeAdmin])).rowCount, 0, "revoked: nobody");
    } finally {
      await c.query("rollback");
    }
  });
});
