// The caller's roots and scope, written once (migration 20261201026000):
// tenancy.visible_tenant_ids(), tenancy.tenant_ids_with_role(roles) and
// tenancy.user_is_visible(target) all start from tenancy.caller_paths(roles).
// tenant_ids_with_role answers from the visible set's memo when every root of
// the caller holds one of the roles. Checked against the rule written out here
// (the oracle, as the owner, from the fixture tree) for every kind of caller,
// in both orders of asking, and attacked: a memo left by another caller in the
// same transaction, a forged visible memo, a caller whose roots do not all hold
// the role, an API key.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type pg from "pg";
import { generateKey, parseKey } from "@/lib/api/keys/format";
import { withTenant } from "@/lib/db/with-tenant";
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

const ROLE_SETS = [
  null, // tenancy.visible_tenant_ids()
  ["mssp_admin", "mssp_analyst", "tenant_admin", "tenant_analyst"],
  ["mssp_admin", "tenant_admin"],
  ["mssp_admin"], // none of a customer's people holds it (ids_with_role answers them with nothing at once)
  ["tenant_viewer"],
] as const;

const slugs = (ids: string[]) => ids.map((id) => fx.slugOf(id)).sort();

/**
 * The rule as the oracle, written out from the tables as the owner: roots are the tenants of the
 * user's memberships (holding one of `roles` when given) not under a tenant that is not active; the
 * scope is the active tenant, else the roots; the answer is every tenant under the scope and a root.
 */
async function oracle(userId: string, active: string | null, roles: readonly string[] | null): Promise<string[]> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      `with roots as (
         select mt.path from public.memberships m join public.tenants mt on mt.id = m.tenant_id
          where m.user_id = $1 and ($3::text[] is null or m.role = any ($3::text[]))
            and not exists (select 1 from public.tenants s where s.status <> 'active' and mt.path operator(extensions.<@) s.path)),
       scope as (
         select a.path from public.tenants a where a.id = $2::uuid
         union all select path from roots where $2::uuid is null)
       select distinct t.id from public.tenants t
        where exists (select 1 from scope s where t.path operator(extensions.<@) s.path)
          and exists (select 1 from roots r where t.path operator(extensions.<@) r.path)`,
      [userId, active, roles],
    );
    return slugs(rows.map((r) => r.id));
  });
}

/** The caller's set as the policies read it (the array helper, migration 20261201027000), checked against the set-returning wrapper. */
async function asked(c: pg.ClientBase, roles: readonly string[] | null): Promise<string[]> {
  const [array] = roles
    ? (await c.query<{ ids: string[] }>("select tenancy.ids_with_role($1::text[]) as ids", [roles])).rows
    : (await c.query<{ ids: string[] }>("select tenancy.visible_ids() as ids")).rows;
  const { rows } = roles
    ? await c.query<{ id: string }>("select tenancy.tenant_ids_with_role($1::text[]) as id", [roles])
    : await c.query<{ id: string }>("select tenancy.visible_tenant_ids() as id");
  const answer = slugs(array.ids);
  assert.deepEqual(slugs(rows.map((r) => r.id)), answer, "the set-returning wrapper answers what the array holds");
  return answer;
}

async function asClaims<T>(c: pg.ClientBase, userId: string, active: string | null, fn: () => Promise<T>): Promise<T> {
  await c.query("reset role");
  await c.query(claimsOf(userId, active));
  await c.query("set local role authenticated");
  return fn();
}

test("every caller, with and without an active tenant, gets the rule's answer for every role set, in either order of asking", async () => {
  await withClient(db.url, async (c) => {
    for (const [user, activeSlug] of CALLER_CASES) {
      const asking = activeSlug ? fx.tenants[activeSlug] : null;
      for (const order of [ROLE_SETS, [...ROLE_SETS].reverse()]) {
        await c.query("begin");
        try {
          await asClaims(c, fx.users[user], asking, async () => {
            // The active tenant the hook kept (it drops one the caller has no membership over).
            const { rows: [claims] } = await c.query<{ active: string | null }>("select (auth.jwt() ->> 'tenant_id') as active");
            const expected = await Promise.all(ROLE_SETS.map((r) => oracle(fx.users[user], claims.active, r)));
            for (const roles of order) {
              const label = `${user}${activeSlug ? ` on ${activeSlug}` : ""}, ${roles ? roles.join("|") : "visible"}`;
              const want = expected[ROLE_SETS.indexOf(roles)];
              assert.deepEqual(await asked(c, roles), want, label);
              assert.deepEqual(await asked(c, roles), want, `${label}, from the memo`);
            }
          });
        } finally {
          await c.query("rollback");
        }
      }
    }
  });
});

test("a caller whose roots do not all hold the role gets only the tenants of those that do, after its visible set was kept", async () => {
  await withClient(db.url, async (c) => {
    await c.query("begin");
    try {
      await asClaims(c, fx.users.twoCustomers, null, async () => {
        assert.deepEqual(await asked(c, null), ["acme", "acme-eu", "acme-us", "globex"].sort());
        assert.deepEqual(await asked(c, ["tenant_admin", "tenant_analyst"]), ["globex"], "the viewer's acme is not an analyst's");
        assert.deepEqual(await asked(c, ["tenant_viewer"]), ["acme", "acme-eu", "acme-us"]);
      });
    } finally {
      await c.query("rollback");
    }
  });
});

test("another caller's visible set kept earlier in the transaction is never copied as this caller's answer", async () => {
  await withClient(db.url, async (c) => {
    await c.query("begin");
    try {
      await asClaims(c, fx.users.msspAdmin, null, async () => {
        assert.equal((await asked(c, null)).length, 4 + 1, "mssp-a, acme and its sites, globex");
      });
      // Globex's admin next, in the same transaction: its roots all hold tenant_admin, so its answer
      // is its visible set, which must be its own, not the MSSP admin's still in the settings.
      await asClaims(c, fx.users.globexAdmin, null, async () => {
        assert.deepEqual(await asked(c, ["mssp_admin", "tenant_admin"]), ["globex"]);
        assert.deepEqual(await asked(c, null), ["globex"]);
      });
      // And a memo planted under another key (whoever can set it could set the claims, but it must
      // still not be read as these claims' answer).
      await c.query("reset role");
      await c.query(
        `select set_config('tenancy.visible_ids', $1, true), set_config('tenancy.visible_key', 'not-these-claims', true),
                set_config('tenancy.memo_generation', '99', true)`,
        [`{${Object.values(fx.tenants).join(",")}}`],
      );
      await asClaims(c, fx.users.acmeEuAdmin, null, async () => {
        assert.deepEqual(await asked(c, ["tenant_admin"]), ["acme-eu"]);
        assert.deepEqual(await asked(c, null), ["acme-eu"]);
      });
    } finally {
      await c.query("rollback");
    }
  });
});

test("an API key's sets follow its tenant and scopes, and nothing of them is kept", async () => {
  const k = generateKey();
  await withClient(db.url, (c) =>
    c.query(
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
       values ($1, $2, 'caller-paths test key', $3, '{alerts:read}', now() + interval '1 day', $4)`,
      [fx.tenants.acme, k.id, k.secretHash, fx.users.acmeAdmin],
    ),
  );
  const key = parseKey(k.key);
  assert.ok(key);
  await withTenant({ userId: key.id, apiKey: key, activeTenantId: null }, async ({ client }) => {
    const visible = await asked(client, null);
    assert.deepEqual(visible, ["acme", "acme-eu", "acme-us"]);
    const { rows: [role] } = await client.query<{ role: string }>("select api.key_role('{alerts:read}', 'customer') as role");
    assert.deepEqual(await asked(client, [role.role]), visible, "the key's role holds on its only root");
    assert.deepEqual(await asked(client, ["mssp_admin"]), [], "a role the key does not have");
    const { rows: [left] } = await client.query<{ paths: string | null; ids: string | null }>(
      "select current_setting('tenancy.visible_paths_key', true) as paths, current_setting('tenancy.visible_key', true) as ids",
    );
    assert.ok(!left.paths && !left.ids, "an API key's paths and sets are computed at every call, never kept");
  });
});

test("nothing of the paths' memo survives the transaction", async () => {
  await withClient(db.url, async (c) => {
    await c.query("begin");
    await asClaims(c, fx.users.acmeAdmin, null, () => asked(c, ["tenant_admin"]));
    await c.query("commit");
    const { rows: [left] } = await c.query<{ paths: string | null; roots: string | null }>(
      "select current_setting('tenancy.visible_paths_key', true) as paths, current_setting('tenancy.visible_roots', true) as roots",
    );
    assert.ok(!left.paths && !left.roots);
  });
});
