// A session's temporary schema is searched for type and relation names before pg_catalog unless the
// search_path names it (migration 20261201027300). Before that migration, a role that may create
// temporary objects and runs SQL as `authenticated` got its own function run as the helpers' owner
// (postgres) by planting pg_temp.uuid or pg_temp.text as a domain whose CHECK calls it. Each test
// plants such types, and relations named as the helpers' tables, then runs the request path.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type pg from "pg";
import { insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { claimsOf } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  // Since 20261201027400 authenticated may not create temporary objects at all (tests/temp-not-public.test.ts).
  // Granted back here, as a database that kept Postgres's default would have it: the pinned paths must
  // hold on their own.
  await withClient(db.url, (c) => c.query("do $$ begin execute format('grant temporary on database %I to authenticated', current_database()); end $$"));
});
after(() => db?.drop());

// Types the helpers declare by a name that is not a grammar keyword (integer, boolean, bigint are).
const TYPES = ["uuid", "text", "jsonb", "timestamptz", "bytea", "name", "oid", "regclass"];

/** As `authenticated`: a function that raises when it runs, and a domain over each type calling it. */
async function plant(c: pg.Client) {
  // Running as the planter itself is no escalation (its own casts may resolve to the domains): only
  // another role's rights count.
  await c.query(`create function pg_temp.planted(v pg_catalog.text) returns pg_catalog.bool language plpgsql as $$
    begin
      if current_user operator(pg_catalog.<>) 'authenticated' then
        raise exception 'planted function ran as %', current_user;
      end if;
      return true;
    end $$`);
  for (const t of TYPES) await c.query(`create domain pg_temp.${t} as pg_catalog.${t} check (pg_temp.planted(value::pg_catalog.text))`);
  // Relations named as tables the helpers read (unqualified names would resolve to these first).
  await c.query("create temporary table tenants (id pg_catalog.uuid)");
  await c.query("create temporary table memberships (user_id pg_catalog.uuid)");
}

async function asCaller(c: pg.Client, user: UserName) {
  await c.query(`begin; ${claimsOf(fx.users[user])}; set local role authenticated`);
}

test("control: the planted domain runs its function where pg_temp is searched first", async () => {
  await withClient(db.url, async (c) => {
    await asCaller(c, "acmeAdmin");
    try {
      await plant(c);
      // A function of the owner's pinned to '' (as ours were), called as the owner.
      await c.query("reset role");
      await c.query("create function pg_temp.probe() returns pg_catalog.text language plpgsql set search_path = '' as $$ declare x uuid := gen_random_uuid(); begin return x::pg_catalog.text; end $$");
      await assert.rejects(c.query("select pg_temp.probe()"), /planted function ran as postgres/);
    } finally {
      await c.query("rollback");
    }
  });
});

for (const user of ["msspAdmin", "acmeAdmin", "twoCustomers"] as UserName[]) {
  test(`${user}: the request path with planted types and tables runs nothing planted and answers as before`, async () => {
    await withClient(db.url, async (c) => {
      // The answers without anything planted.
      const ask = async () => ({
        visible: (await c.query("select count(*)::pg_catalog.int4 as n from tenancy.visible_tenant_ids()")).rows[0].n,
        ids: (await c.query("select cardinality(tenancy.visible_ids()) as n")).rows[0].n,
        admin: (await c.query("select cardinality(tenancy.ids_with_role('{mssp_admin,tenant_admin}')) as n")).rows[0].n,
        tenants: (await c.query("select count(*)::pg_catalog.int4 as n from public.tenants")).rows[0].n,
        alerts: (await c.query("select count(*)::pg_catalog.int4 as n from public.alerts")).rows[0].n,
        active: (await c.query("select tenancy.active_tenant_id() as t")).rows[0].t,
        uid: (await c.query("select auth.uid()::pg_catalog.text as u")).rows[0].u,
      });
      await asCaller(c, user);
      const clean = await ask();
      await c.query("rollback");

      await asCaller(c, user);
      try {
        await plant(c);
        assert.deepEqual(await ask(), clean);
        // The hook itself, as withTenant's opening calls it, with the types planted.
        await c.query("reset role");
        // Written with pg_catalog's types: the test's own casts must not run the planted function.
        await c.query(claimsOf(fx.users[user]).replace(/::text/g, "::pg_catalog.text"));
        await c.query("set local role authenticated");
        assert.deepEqual(await ask(), clean);
      } finally {
        await c.query("rollback");
      }
    });
  });
}

test("every function that pins a search_path names pg_temp last", async () => {
  await withClient(db.url, async (c) => {
    const { rows } = await c.query<{ f: string; path: string }>(
      `select p.oid::regprocedure::text as f, substr(s, length('search_path=') + 1) as path
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace, unnest(p.proconfig) s
        where s like 'search\\_path=%' and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
          and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')`,
    );
    assert.ok(rows.length > 100, `the scan sees our functions (${rows.length})`);
    const bad = rows.filter((r) => !/(^|, )pg_temp$/.test(r.path));
    assert.deepEqual(bad, [], "write `set search_path = pg_catalog, pg_temp` (migration 20261201027300)");
  });
});
