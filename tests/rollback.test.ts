// Every migration has a tested way back: rolling everything back leaves no
// portal object behind, and migrating again gives the same schema.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { listMigrations, migrate, rollback } from "@/lib/db/migrate";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ setEnv: false });
});
after(() => db.drop());

const schemaShape = (url: string) =>
  withClient(url, async (c) => {
    const { rows } = await c.query(`
      select n.nspname || '.' || c.relname || ':' || c.relkind::text as obj
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('public', 'tenancy') order by 1`);
    const fns = await c.query(`
      select p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ('public', 'tenancy') order by 1`);
    const policies = await c.query("select tablename || ':' || policyname as p from pg_policies order by 1");
    return { objects: rows.map((r) => r.obj), functions: fns.rows.map((r) => r.fn), policies: policies.rows.map((r) => r.p) };
  });

// The version of the alerts/assets migration, and the versions after it
// (later issues add migrations; these tests must not assume which is last).
const ALERTS_VERSION = "20261123000300";
const namesAfter = async (version: string) =>
  (await listMigrations()).filter((m) => m.version > version).map((m) => `${m.version}_${m.name}`);

test("rolling one migration back removes only its objects", async () => {
  const all = await listMigrations();
  const last = all[all.length - 1];
  const before = await schemaShape(db.url);
  assert.ok(before.objects.some((o) => o.startsWith("public.alerts:")), "alerts exists after migrate");
  const done = await rollback(db.url, { toVersion: all[all.length - 2].version });
  assert.deepEqual(done, [`${last.version}_${last.name}`]);
  assert.ok((await schemaShape(db.url)).objects.some((o) => o.startsWith("public.tenants:")));
  assert.deepEqual(await migrate(db.url), [`${last.version}_${last.name}`]);
  assert.deepEqual(await schemaShape(db.url), before);

  // The alerts migration, with the ones after it: alerts go, tenants stay.
  const alertsAndLater = (await namesAfter("20261123000200")).reverse();
  assert.deepEqual(await rollback(db.url, { toVersion: "20261123000200" }), alertsAndLater);
  const afterAlerts = await schemaShape(db.url);
  assert.ok(!afterAlerts.objects.some((o) => o.startsWith("public.alerts:")));
  assert.ok(afterAlerts.objects.some((o) => o.startsWith("public.tenants:")));
  assert.deepEqual(await migrate(db.url), [...alertsAndLater].reverse());
  assert.deepEqual(await schemaShape(db.url), before);
});

test("rolling everything back leaves no portal object, and migrating again restores the same schema", async () => {
  const before = await schemaShape(db.url);
  const done = await rollback(db.url);
  assert.equal(done.length, (await listMigrations()).length);
  const empty = await schemaShape(db.url);
  assert.deepEqual(empty, { objects: [], functions: [], policies: [] });
  const recorded = await withClient(db.url, async (c) => (await c.query("select count(*)::int as n from supabase_migrations.schema_migrations")).rows[0].n);
  assert.equal(recorded, 0);
  await migrate(db.url);
  assert.deepEqual(await schemaShape(db.url), before);
});

test("a failing rollback step changes nothing", async () => {
  // Data that a rollback would destroy is still destroyed on purpose (drop
  // table); what must hold is atomicity: a step that errors leaves both the
  // schema and the bookkeeping as they were.
  await withClient(db.url, (c) => c.query("create view public.alerts_pin as select id from public.alerts"));
  // Later migrations roll back first, each in its own step; the failing step is alerts'.
  assert.deepEqual(await rollback(db.url, { toVersion: ALERTS_VERSION }), (await namesAfter(ALERTS_VERSION)).reverse());
  const before = await schemaShape(db.url);
  await assert.rejects(rollback(db.url), /rollback 20261123000300_alerts_assets failed/);
  assert.deepEqual(await schemaShape(db.url), before);
  await withClient(db.url, (c) => c.query("drop view public.alerts_pin"));
  await migrate(db.url);
});
