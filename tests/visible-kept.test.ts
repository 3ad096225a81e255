// A large visible set kept as an array in a temporary table of the session (migration
// 20261201027200): the helpers answer from it only with this transaction's row of these claims,
// never from an earlier transaction's or other claims' row, never from a relation someone else made
// under its name, and never across a rolled-back savepoint. Each test tries to make it serve a stale,
// foreign or forged answer.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type pg from "pg";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { claimsOf } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const EXTRA = 260; // mssp-a's subtree past the 200 ids from which the set is kept

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await withClient(db.url, (c) =>
    c.query(
      `insert into public.tenants (parent_id, slug, name, kind)
       select $1, 'kept-' || lpad(i::text, 4, '0'), 'Kept ' || i, 'customer' from generate_series(1, $2::int) i`,
      [fx.tenants["mssp-a"], EXTRA],
    ),
  );
});
after(() => db?.drop());

/** The owner's answer: every tenant under `root` (the MSSP admin's visible set when `root` is its MSSP). */
async function subtreeIds(c: pg.Client, root: string): Promise<string[]> {
  const { rows } = await c.query<{ id: string }>(
    "select t.id from public.tenants t, public.tenants r where r.id = $1 and t.path operator(extensions.<@) r.path order by t.id",
    [root],
  );
  return rows.map((r) => r.id);
}

/** The opening as withTenant sends it (claims, role, the visible set), on an owner connection. */
async function open(c: pg.Client, userId: string, tenantId: string | null = null, begin = "begin") {
  await c.query(`${begin}; ${claimsOf(userId, tenantId)}; set local role authenticated; select cardinality(tenancy.visible_ids())`);
}

const visible = async (c: pg.Client) =>
  (await c.query<{ ids: string[] }>("select coalesce(array(select unnest(tenancy.visible_ids()) order by 1), '{}') as ids")).rows[0].ids;
const adminSet = async (c: pg.Client) =>
  (await c.query<{ ids: string[] }>("select coalesce(array(select unnest(tenancy.ids_with_role('{mssp_admin,tenant_admin}')) order by 1), '{}') as ids")).rows[0].ids;
const tenantRows = async (c: pg.Client) => (await c.query<{ n: number }>("select count(*)::int as n from public.tenants")).rows[0].n;
const mark = async (c: pg.Client) => (await c.query<{ m: string | null }>("select current_setting('tenancy.visible_kept', true) as m")).rows[0].m;

/** As the owner inside the caller's transaction: the kept row's ids (null when there is none). */
async function keptRow(c: pg.Client): Promise<number | null> {
  await c.query("reset role");
  const { rows } = await c.query<{ n: number }>(
    "select cardinality(ids) as n from pg_temp.tenancy_visible where to_regclass('pg_temp.tenancy_visible') is not null",
  ).catch(() => ({ rows: [] as { n: number }[] }));
  await c.query("set local role authenticated");
  return rows[0]?.n ?? null;
}

test("an MSSP admin's set is kept and read as the array; the answers equal the owner's", async () => {
  await withClient(db.url, async (c) => {
    const expected = await subtreeIds(c, fx.tenants["mssp-a"]);
    assert.ok(expected.length >= 200);
    await open(c, fx.users.msspAdmin);
    try {
      assert.ok(await mark(c), "the set is marked as kept");
      assert.equal(await keptRow(c), expected.length, "one row, the whole set");
      assert.deepEqual(await visible(c), expected);
      assert.deepEqual(await adminSet(c), expected);
      assert.equal(await tenantRows(c), expected.length);

      // The answer really comes from the row: emptied by the owner, the next statement sees nothing.
      await c.query("reset role");
      await c.query("update pg_temp.tenancy_visible set ids = '{}'");
      await c.query("set local role authenticated");
      assert.deepEqual(await visible(c), []);
      assert.equal(await tenantRows(c), 0);
    } finally {
      await c.query("rollback");
    }
  });
});

test("a small set is not kept: a customer admin's answers are the text memo's", async () => {
  await withClient(db.url, async (c) => {
    await open(c, fx.users.acmeAdmin);
    try {
      assert.ok(!(await mark(c)), "not marked");
      assert.deepEqual(await visible(c), await (async () => {
        await c.query("reset role");
        const ids = await subtreeIds(c, fx.tenants.acme);
        await c.query("set local role authenticated");
        return ids;
      })());
    } finally {
      await c.query("rollback");
    }
  });
});

test("the next transaction of the same session never reads the last one's row", async () => {
  await withClient(db.url, async (c) => {
    const before = await subtreeIds(c, fx.tenants["mssp-a"]);
    await open(c, fx.users.msspAdmin);
    assert.equal((await visible(c)).length, before.length);
    await c.query("commit");

    // Committed between the two: a customer moved to the other MSSP. The same claims, the same (empty) generation.
    await c.query("update public.tenants set parent_id = $1 where slug = 'kept-0001'", [fx.tenants["mssp-b"]]);
    try {
      // One statement that computes the set (and keeps it) and reads it again: its snapshot predates the
      // write, so it still sees the last transaction's row, which must not answer for this one.
      await c.query(`begin; ${claimsOf(fx.users.msspAdmin)}; set local role authenticated`);
      const { rows: [both] } = await c.query<{ a: number; b: number }>(
        "select cardinality(tenancy.visible_ids()) as a, (select count(*)::int from public.tenants) as b",
      );
      assert.deepEqual(both, { a: before.length - 1, b: before.length - 1 });
      await c.query("rollback");

      // A statement before the opening's: the mark is gone with the transaction, so nothing is kept.
      await c.query(`begin; ${claimsOf(fx.users.msspAdmin)}; set local role authenticated`);
      assert.ok(!(await mark(c)), "not marked");
      assert.equal((await visible(c)).length, before.length - 1, "computed again, without the moved customer");
      await c.query("commit");

      // The earlier row, made to answer for this transaction's key but another transaction's id, does not.
      await open(c, fx.users.msspAdmin);
      await c.query("reset role");
      const { rows: [k] } = await c.query<{ key: string }>("select key from pg_temp.tenancy_visible");
      const stale = k.key.replace(/\|\d+$/, `|${Number(/\|(\d+)$/.exec(k.key)![1]) - 1}`);
      await c.query("insert into pg_temp.tenancy_visible (key, ids) values ($1, $2)", [stale, before]);
      await c.query("delete from pg_temp.tenancy_visible where key = $1", [k.key]);
      await c.query("set local role authenticated");
      assert.equal((await visible(c)).length, before.length - 1, "no row of this transaction: the text memo answers");
      await c.query("rollback");
    } finally {
      await c.query("rollback").catch(() => {});
      await c.query("update public.tenants set parent_id = $1 where slug = 'kept-0001'", [fx.tenants["mssp-a"]]);
    }
  });
});

test("claims switched inside one transaction, and a rolled-back savepoint, each get their own answer", async () => {
  await withClient(db.url, async (c) => {
    const mssp = await subtreeIds(c, fx.tenants["mssp-a"]);
    const acme = await subtreeIds(c, fx.tenants.acme);
    await open(c, fx.users.msspAdmin);
    try {
      assert.deepEqual(await visible(c), mssp);
      await c.query("reset role");
      await c.query(claimsOf(fx.users.acmeAdmin));
      await c.query("set local role authenticated");
      assert.deepEqual(await visible(c), acme, "a customer admin after the MSSP admin: not the kept set");
      assert.deepEqual(await adminSet(c), acme);
      await c.query("reset role");
      await c.query(claimsOf(fx.users.msspAdmin));
      await c.query("set local role authenticated");
      assert.deepEqual(await visible(c), mssp);

      // Kept inside a savepoint for other claims (the MSSP's analyst, the same tenants), then rolled
      // back: the row and the mark go back together, to the admin's.
      const adminMark = await mark(c);
      assert.ok(adminMark);
      await c.query("savepoint s");
      await c.query("reset role");
      await c.query(claimsOf(fx.users.msspAnalyst));
      await c.query("set local role authenticated");
      assert.deepEqual(await visible(c), mssp);
      assert.notEqual(await mark(c), adminMark, "kept again for the analyst's claims");
      await c.query("rollback to savepoint s");
      assert.equal(await mark(c), adminMark);
      assert.equal(await keptRow(c), mssp.length);
      assert.deepEqual(await visible(c), mssp);
      assert.equal(await tenantRows(c), mssp.length);
      // A membership removed in the transaction: the generation moves, the kept row no longer answers.
      await c.query("reset role");
      await c.query("delete from public.memberships where user_id = $1", [fx.users.msspAdmin]);
      await c.query("set local role authenticated");
      assert.deepEqual(await visible(c), []);
      assert.equal(await tenantRows(c), 0);
    } finally {
      await c.query("rollback");
    }
  });
});

test("a relation of that name made first by the caller is never written, planned or read", async () => {
  await withClient(db.url, async (c) => {
    const mssp = await subtreeIds(c, fx.tenants["mssp-a"]);
    // Since 20261201027400 authenticated may not create temporary objects (tests/temp-not-public.test.ts);
    // granted for this test, as a database that kept Postgres's default would have it.
    const temp = (verb: "grant" | "revoke") => c.query(`do $$ begin execute format('${verb} temporary on database %I ${verb === "grant" ? "to" : "from"} authenticated', current_database()); end $$`);
    await temp("grant");
    // As authenticated (which may then create temporary objects): a view whose function would run with the
    // helpers' owner's rights, and which answers every tenant of every MSSP.
    await c.query("begin");
    await c.query(claimsOf(fx.users.msspAdmin));
    await c.query("set local role authenticated");
    await c.query(`create function pg_temp.planted() returns uuid[] language plpgsql immutable as $$
      begin raise exception 'planted function ran as %', current_user; end $$`);
    await c.query("create view pg_temp.tenancy_visible as select 'x'::text as key, pg_temp.planted() as ids");
    await c.query("commit");
    try {
      await open(c, fx.users.msspAdmin);
      assert.ok(!(await mark(c)), "keep_visible did not mark a set it could not keep");
      // The mark forged to this transaction's key: the readers still ask whose relation it is first.
      await c.query("reset role");
      const { rows: [k] } = await c.query<{ key: string }>("select tenancy.memo_key('visible') as key");
      await c.query("set local role authenticated");
      await c.query("select set_config('tenancy.visible_kept', $1, true)", [k.key]);
      assert.deepEqual(await visible(c), mssp);
      assert.deepEqual(await adminSet(c), mssp);
      assert.equal(await tenantRows(c), mssp.length);
      await c.query("rollback");
    } finally {
      await c.query("rollback").catch(() => {});
      await temp("revoke");
    }
  });
});

test("a read-only transaction creates nothing and answers from the text", async () => {
  await withClient(db.url, async (c) => {
    const mssp = await subtreeIds(c, fx.tenants["mssp-a"]);
    await open(c, fx.users.msspAdmin, null, "begin read only");
    try {
      assert.ok(!(await mark(c)), "not marked");
      assert.deepEqual(await visible(c), mssp);
      const { rows: [t] } = await c.query<{ t: string | null }>("select to_regclass('pg_temp.tenancy_visible')::text as t");
      assert.equal(t.t, null, "no temporary table");
    } finally {
      await c.query("rollback");
    }
  });
});

test("many transactions on one session, committed or rolled back, keep one row and a bounded table", async () => {
  await withClient(db.url, async (c) => {
    const mssp = await subtreeIds(c, fx.tenants["mssp-a"]);
    let largest = 0;
    // Rolled back, a transaction's row stays behind as a dead one, its delete is undone and the write
    // counter goes back too: the table must stay bounded all the same (Postgres prunes dead rows on
    // the pages it reads; 0.9 MB at most in this test).
    for (const end of ["commit", "rollback"]) {
      for (let i = 0; i < 140; i++) {
        await open(c, fx.users.msspAdmin);
        assert.equal(await tenantRows(c), mssp.length);
        await c.query("reset role");
        const { rows: [s] } = await c.query<{ rows: number; bytes: number }>(
          "select (select count(*)::int from pg_temp.tenancy_visible) as rows, pg_total_relation_size('pg_temp.tenancy_visible')::int as bytes",
        );
        assert.equal(s.rows, 1);
        largest = Math.max(largest, s.bytes);
        await c.query(end);
      }
    }
    // 64 writes between truncations, ~26 KB each (with the toast table's pages and index).
    assert.ok(largest < 64 * 48 * 1024, `the table stays bounded (${largest} bytes at most)`);
  });
});
