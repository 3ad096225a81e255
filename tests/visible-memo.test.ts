// The visible tenant set kept for the transaction (migration 20261201023600):
// computed once, but never answered for other claims or after a change it
// depends on. Tries to make it serve a stale or another caller's answer.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { claimsOf } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

test("in one transaction: other claims, another active tenant, a removed membership and a suspension are each seen by the next statement", async () => {
  await withClient(db.url, async (c) => {
    const visible = async () => (await c.query<{ n: number }>("select count(*)::int as n from tenancy.visible_tenant_ids()")).rows[0].n;
    const alerts = async () => (await c.query<{ n: number }>("select count(*)::int as n from public.alerts")).rows[0].n;
    await c.query("begin");
    try {
      await c.query(claimsOf(fx.users.acmeAdmin));
      await c.query("set local role authenticated");
      const acme = await visible();
      assert.ok(acme >= 3, "acme and its sites");
      const acmeAlerts = await alerts();
      assert.ok(acmeAlerts > 0);

      // Other claims in the same transaction (no memo from the first caller).
      await c.query("reset role");
      await c.query(claimsOf(fx.users.globexAdmin));
      await c.query("set local role authenticated");
      assert.equal(await visible(), 1, "globex only");
      const { rows } = await c.query<{ tenant_id: string }>("select distinct tenant_id from public.alerts");
      assert.deepEqual(rows.map((r) => r.tenant_id), [fx.tenants.globex]);

      // The same user narrowed to one site: the claims text changes, so does the answer.
      await c.query("reset role");
      await c.query(claimsOf(fx.users.acmeAdmin, fx.tenants["acme-eu"]));
      await c.query("set local role authenticated");
      assert.equal(await visible(), 1, "acme-eu only");
      await c.query("reset role");
      await c.query(claimsOf(fx.users.acmeAdmin));
      await c.query("set local role authenticated");
      assert.equal(await visible(), acme);

      // A membership removed in this transaction (as the owner) counts from the next statement on.
      await c.query("reset role");
      await c.query("delete from public.memberships where user_id = $1", [fx.users.acmeAdmin]);
      await c.query("set local role authenticated");
      assert.equal(await visible(), 0, "no membership, nothing visible");
      assert.equal(await alerts(), 0);
    } finally {
      await c.query("rollback");
    }

    // A suspension in the same transaction hides the customer from its own admin at once.
    await c.query("begin");
    try {
      await c.query(claimsOf(fx.users.acmeAdmin));
      await c.query("set local role authenticated");
      assert.ok((await visible()) >= 3);
      await c.query("reset role");
      await c.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.acme]);
      await c.query("set local role authenticated");
      assert.equal(await visible(), 0, "a suspended customer's own admin sees nothing");
    } finally {
      await c.query("rollback");
    }

    // Nothing of the memo survives the transaction.
    const { rows: [after] } = await c.query<{ key: string | null; ids: string | null }>(
      "select current_setting('tenancy.visible_key', true) as key, current_setting('tenancy.visible_ids', true) as ids",
    );
    assert.ok(!after.key && !after.ids, "the memo is transaction-local");
  });
});

test("the visible set and a role-filtered set come in id order (each nested-loop probe of a policy's index would sort them otherwise; migration 20261201026900)", async () => {
  await withClient(db.url, async (c) => {
    // More tenants than the fixtures' few, so that an unordered set would show.
    await c.query(
      `insert into public.tenants (parent_id, slug, name, kind) select $1, 'memo-order-' || i, 'Memo order ' || i, 'customer' from generate_series(1, 300) i`,
      [fx.tenants["mssp-a"]],
    );
    await c.query("begin");
    try {
      await c.query(claimsOf(fx.users.msspAdmin));
      await c.query("set local role authenticated");
      for (const sql of ["select tenancy.visible_tenant_ids()::text as id", "select tenancy.tenant_ids_with_role('{mssp_admin}')::text as id"]) {
        for (let round = 0; round < 2; round++) {
          // The first round computes the set, the second reads the transaction's memo.
          const ids = (await c.query<{ id: string }>(sql)).rows.map((r) => r.id);
          assert.ok(ids.length > 300, sql);
          assert.deepEqual(ids, [...ids].sort(), `${sql}, round ${round + 1}`);
        }
      }
    } finally {
      await c.query("rollback");
      await c.query("delete from public.tenants where slug like 'memo-order-%'");
    }
  });
});

test("a caller cannot read another caller's memo into its answer: a forged memo for other claims is ignored", async () => {
  await withClient(db.url, async (c) => {
    await c.query("begin");
    try {
      await c.query(claimsOf(fx.users.globexAdmin));
      await c.query("set local role authenticated");
      // A memo planted for different claims (here: acme's tenants under a key that is not these claims).
      await c.query("select set_config('tenancy.visible_ids', $1, true), set_config('tenancy.visible_key', 'not-these-claims', true)", [
        `{${fx.tenants.acme}}`,
      ]);
      const { rows } = await c.query<{ id: string }>("select tenancy.visible_tenant_ids() as id");
      assert.deepEqual(rows.map((r) => r.id), [fx.tenants.globex]);
    } finally {
      await c.query("rollback");
    }
  });
});

test("memo_key: no key (no memo) for any claims text naming an API key, however it is formatted; a key for a person's", async () => {
  await withClient(db.url, async (c) => {
    const keyFor = async (claims: string) => {
      await c.query("begin");
      try {
        await c.query("select set_config('request.jwt.claims', $1, true)", [claims]);
        return (await c.query<{ k: string | null }>("select tenancy.memo_key('visible') as k")).rows[0].k;
      } finally {
        await c.query("rollback");
      }
    };
    const person = { sub: fx.users.acmeAdmin, role: "authenticated", tenants: [] as unknown[], email: "api_key@example.test" };
    // As withTenant sets them (jsonb's text, "key": value) and as JSON.stringify writes them (no spaces).
    const spaced = (o: object) => JSON.stringify(o, null, 1).replace(/\n\s*/g, " ");
    for (const form of [JSON.stringify, spaced]) {
      const personKey = await keyFor(form(person));
      assert.ok(personKey?.endsWith(form(person)), "a person's key ends with the claims text");
      assert.equal(await keyFor(form({ ...person, api_key: { id: fx.users.acmeAdmin } })), null, "the api_key claim");
      assert.equal(await keyFor(form({ ...person, authentication_method: "api_key" })), null, "authentication_method api_key");
      assert.equal(await keyFor(form({ ...person, nested: { api_key: true } })), null, "anywhere in the text: only the memo is lost");
    }
    // The word inside a person's string value (quotes escaped) does not cost them the memo.
    assert.notEqual(await keyFor(JSON.stringify({ ...person, name: 'say "api_key"' })), null);
    // The jsonb text of real API key claims (the form withTenant sets).
    const { rows } = await c.query<{ t: string }>(`select jsonb_build_object('sub', 'k', 'api_key', jsonb_build_object('id', 'k'))::text as t`);
    assert.equal(await keyFor(rows[0].t), null);
  });
});
