// Tree changes racing each other on two real connections (READ COMMITTED). Without one lock over
// tree changes (20261201030200_tenant_tree_serialized.sql, lib/lifecycle/tree-lock.ts), each
// transaction checks the tree as it was before the other's uncommitted change: two swapped moves
// both pass their cycle check and commit a loop; a site moved under a parent that is itself moving
// gets a path built from the parent's old path, and the parent's cascade (which sees committed
// children only) misses it, so RLS (by path) shows it to the old customer's admins and hides it from
// the new one's; a site moved into a customer whose offboarding has just started is purged with it.
// Each test holds the first change open, starts the second, lets the first commit, then checks that
// the second saw the first.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { moveTenant } from "@/lib/lifecycle/move";
import { startOffboarding } from "@/lib/lifecycle/offboard";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
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
  await owner.end();
  await db.drop();
});

const lifecycle = <T>(fn: (db: Db) => Promise<T>) => withServiceRole("lifecycle.workflow", fn);

async function site(slug: string, parentId: string, kind: "site" | "customer" = "site"): Promise<string> {
  const { rows } = await owner.query<{ id: string }>("insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, $4) returning id", [parentId, slug, slug, kind]);
  return rows[0].id;
}
const row = async (id: string) =>
  (await owner.query<{ parent_id: string; path: string }>("select parent_id, path::text as path from public.tenants where id = $1", [id])).rows[0];

/** Tenants whose path is not their parent's path and their own label: a loop, or a missed cascade. */
async function inconsistent(): Promise<string[]> {
  const { rows } = await owner.query<{ slug: string }>(
    `select c.slug from public.tenants c join public.tenants p on p.id = c.parent_id
      where c.path operator(extensions.<>) (p.path operator(extensions.||) tenancy.slug_label(c.slug)::extensions.ltree) order by 1`,
  );
  return rows.map((r) => r.slug);
}

/** Runs `first` in a transaction left open until commit() is called. */
async function held<T>(first: (db: Db) => Promise<T>) {
  let ready!: () => void;
  let release!: () => void;
  const done = new Promise<void>((resolve) => (ready = resolve));
  const go = new Promise<void>((resolve) => (release = resolve));
  const tx = lifecycle(async (sdb) => {
    const r = await first(sdb);
    ready();
    await go;
    return r;
  });
  await Promise.race([done, tx]);
  return { commit: () => (release(), tx) };
}

/** Lets `second` run until it finishes or waits on a lock (as it must once tree changes are serialized). */
async function settleOrWait(second: Promise<unknown>): Promise<void> {
  let settled = false;
  void second.then(() => (settled = true), () => (settled = true));
  for (let i = 0; i < 100 && !settled; i++) {
    const { rows } = await owner.query<{ n: number }>(
      "select count(*)::int as n from pg_catalog.pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const outcome = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e);

describe("tree changes racing each other", () => {
  test("two admins swapping two sites: the second mover is refused, no loop", async () => {
    const x = await site("swap-x", fx.tenants.acme);
    const y = await site("swap-y", fx.tenants.acme);
    const first = await held((sdb) => moveTenant(sdb, x, y));
    const second = outcome(lifecycle((sdb) => moveTenant(sdb, y, x)));
    await settleOrWait(second);
    await first.commit();
    const refused = await second;
    assert.match(String(refused?.message), /cannot move under itself or one of its own sites/, "the second mover must see the first's move");
    assert.equal((await row(y)).parent_id, fx.tenants.acme, "swap-y stays where it was");
    assert.equal((await row(x)).path, "mssp_a.acme.swap_y.swap_x");
    assert.deepEqual(await inconsistent(), []);
  });

  test("the same swap by direct SQL writers: the database refuses the second", async () => {
    const x = await site("sql-x", fx.tenants.acme);
    const y = await site("sql-y", fx.tenants.acme);
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await owner.query("begin");
      await owner.query("update public.tenants set parent_id = $2 where id = $1", [x, y]);
      const second = outcome(other.query("update public.tenants set parent_id = $2 where id = $1", [y, x]));
      await settleOrWait(second);
      await owner.query("commit");
      const refused = (await second) as (Error & { code?: string }) | null;
      assert.equal(refused?.code, "23514", "the second writer must see the first's move");
      assert.deepEqual(await inconsistent(), []);
    } finally {
      await other.end();
    }
  });

  test("a site moved under a site that is moving to another customer ends under the new customer", async () => {
    const x = await site("follow-x", fx.tenants.acme);
    const y = await site("follow-y", fx.tenants.acme);
    // Y leaves acme for globex; meanwhile X is moved (and another site is created) under Y.
    const first = await held((sdb) => moveTenant(sdb, y, fx.tenants.globex));
    const second = outcome(lifecycle((sdb) => moveTenant(sdb, x, y)));
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    const inserted = outcome(other.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'follow-z', 'Z', 'site')", [y]));
    try {
      await settleOrWait(second);
      await settleOrWait(inserted);
      await first.commit();
      assert.equal(await second, null);
      assert.equal(await inserted, null);
    } finally {
      await other.end();
    }
    assert.equal((await row(x)).path, "mssp_a.globex.follow_y.follow_x", "X's path is built from Y's new path");
    const z = (await owner.query("select path::text as p from public.tenants where slug = 'follow-z'")).rows[0].p;
    assert.equal(z, "mssp_a.globex.follow_y.follow_z");
    assert.deepEqual(await inconsistent(), []);
    const seesX = async (user: "acmeAdmin" | "globexAdmin") =>
      as(fx, user, async (tx) => (await tx.client.query("select 1 from public.tenants where id = $1", [x])).rowCount === 1);
    assert.equal(await seesX("globexAdmin"), true, "the new customer's admins see X");
    assert.equal(await seesX("acmeAdmin"), false, "the old customer's admins no longer see X");
  });

  test("a site moved into a customer whose offboarding has just started is refused", async () => {
    const closing = await site("closing-co", fx.tenants["mssp-a"], "customer");
    const x = await site("incoming-x", fx.tenants.globex);
    const first = await held((sdb) => startOffboarding(sdb, { tenantId: closing, confirmName: "closing-co", graceDays: 30 }, null));
    const second = outcome(lifecycle((sdb) => moveTenant(sdb, x, closing)));
    await settleOrWait(second);
    await first.commit();
    const refused = await second;
    assert.match(String(refused?.message), /closing-co is deprovisioning; only active or suspended tenants move/);
    assert.equal((await row(x)).parent_id, fx.tenants.globex);
  });
});

test("20261201030200 tenant_tree_serialized: down drops the lock, up brings it back", async () => {
  const { readFile } = await import("node:fs/promises");
  const file = (dir: string, suffix: string) => readFile(`${process.cwd()}/supabase/${dir}/20261201030200_tenant_tree_serialized${suffix}`, "utf8");
  const present = async () =>
    (await owner.query("select to_regprocedure('tenancy.lock_tree()') is not null as f, exists (select 1 from pg_trigger where tgname = 'tenants_serialize_tree') as t")).rows[0];
  assert.deepEqual(await present(), { f: true, t: true });
  await owner.query(await file("rollbacks", ".down.sql"));
  assert.deepEqual(await present(), { f: false, t: false });
  await owner.query(await file("migrations", ".sql"));
  assert.deepEqual(await present(), { f: true, t: true });
});
