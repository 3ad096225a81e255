// Migration 20261201027000: every policy reads the caller's tenant set as an array from
// tenancy.visible_ids() / tenancy.ids_with_role(roles) / usage.readable_ids() instead of array(select <set-returning helper>).
// Here: no policy is left on the old form; each array helper (and its set-returning wrapper) answers
// what the rule written out as the owner answers, for every fixture caller and role set, from the memo
// and without it; a memo is never read for other claims, after a membership change in the same
// transaction, or when forged.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { CALLER_CASES, insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

const ROLE_SETS = [
  "{mssp_admin,mssp_analyst,tenant_admin,tenant_analyst}",
  "{mssp_admin,tenant_admin}",
  "{mssp_admin}",
  "{tenant_viewer}",
];

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

/**
 * The rule written out as the owner, for a person in the fixtures (every tenant active): the tenants
 * under a membership's tenant holding one of `roles` (any role when null), narrowed to the active
 * tenant's subtree when one of the person's memberships covers it.
 */
async function ruleAsOwner(userId: string, active: string | null, roles: string[] | null): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (
      await c.query<{ id: string }>(
        `with act as (  -- the active tenant, when one of the person's memberships covers it (the hook ignores it otherwise)
           select a.path from public.tenants a
            where a.id = $2::uuid
              and exists (select 1 from public.memberships m2 join public.tenants r on r.id = m2.tenant_id
                           where m2.user_id = $1 and a.path operator(extensions.<@) r.path))
         select distinct t.id
           from public.memberships m
           join public.tenants mt on mt.id = m.tenant_id
           join public.tenants t on t.path operator(extensions.<@) mt.path
          where m.user_id = $1
            and ($3::text[] is null or m.role = any ($3::text[]))
            and (not exists (select 1 from act) or t.path operator(extensions.<@) (select path from act))
          order by t.id`,
        [userId, active, roles],
      )
    ).rows.map((r) => r.id),
  );
}

test("each array helper equals the rule computed as the owner, for every caller and role set, computed and from the memo", async () => {
  for (const [user, active] of CALLER_CASES) {
    const activeId = active ? fx.tenants[active] : null;
    const caller = { userId: fx.users[user], activeTenantId: activeId };
    const expected = {
      visible: await ruleAsOwner(fx.users[user], activeId, null),
      roles: new Map(await Promise.all(ROLE_SETS.map(async (r) => [r, await ruleAsOwner(fx.users[user], activeId, r.slice(1, -1).split(","))] as const))),
      usage: await ruleAsOwner(fx.users[user], activeId, ["mssp_admin", "tenant_admin"]),
    };
    await withTenant(caller, async ({ client }) => {
      const q = async (sql: string, params: unknown[] = []) => sorted((await client.query<{ ids: string[] | null }>(sql, params)).rows[0].ids);
      assert.deepEqual(await q("select tenancy.visible_ids() as ids"), expected.visible, `${user}/${active}: visible`);
      assert.deepEqual(await q("select array(select tenancy.visible_tenant_ids()) as ids"), expected.visible, `${user}/${active}: visible, as a set`);
      for (const roles of ROLE_SETS) {
        // The first ask of a role set computes it; the second reads the memo.
        assert.deepEqual(await q("select tenancy.ids_with_role($1::text[]) as ids", [roles]), expected.roles.get(roles), `${user}/${active}: ${roles}, computed`);
        assert.deepEqual(await q("select tenancy.ids_with_role($1::text[]) as ids", [roles]), expected.roles.get(roles), `${user}/${active}: ${roles}, from the memo`);
        assert.deepEqual(await q("select array(select tenancy.tenant_ids_with_role($1::text[])) as ids", [roles]), expected.roles.get(roles), `${user}/${active}: ${roles}, as a set`);
      }
      assert.deepEqual(await q("select usage.readable_ids() as ids"), expected.usage, `${user}/${active}: usage readers`);
    });
  }
});

const claimsOf = (userId: string) =>
  `select set_config('request.jwt.claims', (public.custom_access_token_hook(jsonb_build_object('user_id', '${userId}'::text,
     'claims', jsonb_build_object('sub', '${userId}'::text, 'role', 'authenticated', 'aud', 'authenticated', 'tenant_id', null))) -> 'claims')::text, true)`;

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
