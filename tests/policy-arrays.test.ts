// Migration 20261201027000: every policy reads the caller's tenant set as an array from
// tenancy.visible_ids() / tenancy.ids_with_role(roles) / usage.readable_ids() instead of array(select <set-returning helper>).
// Here: no policy is left on the old form; the usage readers' array equals their SQL; a memo is never
// read for other claims, after a membership change in the same transaction, or when forged. Every
// caller, active tenant and role set against the rule as the owner: tests/caller-paths.test.ts, which
// asks the array helpers and their set-returning wrappers.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { CALLER_CASES, insertFixtures, type Fixtures } from "./helpers/fixtures";
import { claimsOf } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const sorted = (ids: string[] | null) => [...(ids ?? [])].sort();

test("no policy reads a tenant set through array(select …) of the set-returning helpers any more", async () => {
  const rows = await withClient(db.url, async (c) =>
    (
      await c.query<{ old: number; arrays: number }>(
        `select count(*) filter (where e ~ 'ARRAY\\( SELECT (tenancy\\.visible_tenant_ids|tenancy\\.tenant_ids_with_role|usage\\.readable_tenant_ids)\\(')::int as old,
                count(*) filter (where e ~ '\\( SELECT (tenancy\\.visible_ids|tenancy\\.ids_with_role|usage\\.readable_ids)\\([^)]*\\) AS (visible_ids|ids_with_role|readable_ids)\\)::uuid\\[\\]')::int as arrays
           from (select coalesce(qual, '') || ' ' || coalesce(with_check, '') as e from pg_policies) p`,
      )
    ).rows[0],
  );
  assert.equal(rows.old, 0);
  assert.ok(rows.arrays >= 90, `the tenant policies read the array helpers (${rows.arrays})`);
});

test("usage.readable_ids equals usage.readable_tenant_ids (its own SQL) for every caller", async () => {
  for (const [user, active] of CALLER_CASES) {
    const caller = { userId: fx.users[user], activeTenantId: active ? fx.tenants[active] : null };
    await withTenant(caller, async ({ client }) => {
      const q = async (sql: string) => sorted((await client.query<{ ids: string[] | null }>(sql)).rows[0].ids);
      assert.deepEqual(await q("select usage.readable_ids() as ids"), await q("select array(select usage.readable_tenant_ids()) as ids"), `${user}/${active}`);
    });
  }
});

test("the memo is read only for the claims it was kept for, and not after a membership change or when forged", async () => {
  const acme = [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]].sort();
  await withClient(db.url, async (c) => {
    const ids = async (sql: string) => sorted((await c.query<{ ids: string[] }>(sql)).rows[0].ids);
    const visible = () => ids("select tenancy.visible_ids() as ids");
    const admin = () => ids("select tenancy.ids_with_role('{mssp_admin,tenant_admin}') as ids");
    const analysts = () => ids("select tenancy.ids_with_role('{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}') as ids");
    const alertTenants = async () =>
      (await c.query<{ tenant_id: string }>("select distinct tenant_id from public.alerts order by 1")).rows.map((r) => r.tenant_id);
    await c.query("begin");
    try {
      await c.query(claimsOf(fx.users.acmeAdmin));
      await c.query("set local role authenticated");
      assert.deepEqual(await visible(), acme);
      assert.deepEqual(await admin(), acme);

      // A forged memo (another tenant's ids under a key that is not these claims') is not read.
      const roleMemo = "'tenancy.roles_' || md5('{mssp_admin,tenant_admin}'::text[]::text)";
      await c.query("select set_config('tenancy.visible_ids', $1, true), set_config('tenancy.visible_key', 'forged', true)", [fx.tenants["other-co"]]);
      await c.query(`select set_config(${roleMemo} || '_ids', $1, true), set_config(${roleMemo} || '_key', 'forged', true)`, [fx.tenants["other-co"]]);
      assert.deepEqual(await visible(), acme, "a forged visible memo is ignored");
      assert.deepEqual(await admin(), acme, "a forged role memo is ignored");

      // Other claims in the same transaction: that person's set, not the memo's.
      await c.query("reset role");
      await c.query(claimsOf(fx.users.globexAdmin));
      await c.query("set local role authenticated");
      assert.deepEqual(await visible(), [fx.tenants.globex], "another person's claims: their set");
      assert.deepEqual(await admin(), [fx.tenants.globex]);
      assert.deepEqual(await alertTenants(), [fx.tenants.globex], "the alerts policy follows the claims too");

      // A membership removed in the transaction: the next statement no longer sees the tenant.
      await c.query("reset role");
      await c.query(claimsOf(fx.users.twoCustomers));
      await c.query("set local role authenticated");
      assert.ok((await visible()).includes(fx.tenants.globex), "twoCustomers sees globex at first");
      assert.ok((await alertTenants()).includes(fx.tenants.globex));
      assert.deepEqual(await analysts(), [fx.tenants.globex], "an analyst at globex only");
      await c.query("reset role");
      await c.query("delete from public.memberships where user_id = $1 and tenant_id = $2", [fx.users.twoCustomers, fx.tenants.globex]);
      await c.query("set local role authenticated");
      assert.ok(!(await visible()).includes(fx.tenants.globex), "the removed membership's tenant is gone at the next statement");
      assert.deepEqual(await analysts(), [], "no analyst role left anywhere");
      assert.ok(!(await alertTenants()).includes(fx.tenants.globex), "and so are its alerts");
    } finally {
      await c.query("rollback");
    }
  });
});
