// The rollback of 20261201031700 (bulk runs' items, notes and ends written by the portal alone) puts
// back the three guards exactly as 20261201030500 and 20261201030510 defined them (their bodies, settings
// and grants), and the migration applies again after: run on its own database, file by file.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

const NAME = "20261201031700_bulk_results_by_engine";
const file = (dir: "migrations" | "rollbacks", name: string) =>
  readFile(path.join(process.cwd(), "supabase", dir, dir === "migrations" ? `${name}.sql` : `${name}.down.sql`), "utf8");
const run = (sql: string) => withClient(db.url, (c) => c.query(sql));

const GUARDS = [
  ["bulk_run_items_insert_guard", "20261201030500_bulk_run_tamper_guards"],
  ["bulk_run_items_update_guard", "20261201030500_bulk_run_tamper_guards"],
  ["bulk_run_update_guard", "20261201030510_bulk_run_actor_and_times_guarded"],
] as const;

/** The body (between `as $$` and `$$;`) of tenancy.<fn> as `sql` defines it. */
function bodyIn(sql: string, fn: string): string {
  const at = sql.search(new RegExp(`create (or replace )?function tenancy\\.${fn}\\(\\)`));
  assert.ok(at >= 0, fn);
  const open = sql.indexOf("as $$", at) + "as $$".length;
  return sql.slice(open, sql.indexOf("$$;", open));
}

/** Each guard as the database has it: body, settings, who may execute it. */
const catalog = async () =>
  (
    await withClient(db.url, (c) =>
      c.query<{ name: string; src: string; config: string[] | null; acl: string | null }>(
        `select p.proname as name, p.prosrc as src, p.proconfig as config, p.proacl::text as acl
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'tenancy' and p.proname = any($1) order by 1`,
        [GUARDS.map(([fn]) => fn)],
      ),
    )
  ).rows;

test(`${NAME}: down restores the guards of 20261201030500 and 20261201030510 byte for byte, up applies again`, async () => {
  const up = await file("migrations", NAME);
  const migrated = await catalog();
  for (const [fn] of GUARDS) assert.equal(migrated.find((r) => r.name === fn)?.src, bodyIn(up, fn), `${fn} as migrated`);

  await run(await file("rollbacks", NAME));
  const down = await catalog();
  for (const [fn, previous] of GUARDS) {
    assert.equal(down.find((r) => r.name === fn)?.src, bodyIn(await file("migrations", previous), fn), `${fn} as ${previous} made it`);
  }
  assert.deepEqual(
    down.map(({ name, config, acl }) => ({ name, config, acl })),
    migrated.map(({ name, config, acl }) => ({ name, config, acl })),
    "settings and grants unchanged",
  );

  await run(up);
  assert.deepEqual(await catalog(), migrated);
});
