// 20261201032800_api_key_limit: its rollback removes exactly what it added (the trigger on
// public.api_keys, settings.refuse_past_api_key_limit, the limits.api_keys row of
// settings.integer_settings) and leaves the table's other triggers as they were; the migration applies
// again after. Run on its own database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";
import { migrationFile } from "./helpers/migration-files";

const NAME = "20261201032800_api_key_limit";
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ setEnv: false });
});
after(() => db.drop());

const sqlOf = (dir: "migrations" | "rollbacks") => migrationFile(dir, NAME);
const query = <R extends Record<string, unknown>>(sql: string) => withClient(db.url, async (c) => (await c.query<R>(sql)).rows);

const shape = async () => ({
  triggers: (await query<{ t: string }>("select tgname as t from pg_trigger where tgrelid = 'public.api_keys'::regclass and not tgisinternal order by 1")).map((r) => r.t),
  functions: (await query<{ f: string }>("select proname as f from pg_proc where proname = 'refuse_past_api_key_limit'")).map((r) => r.f),
  settings: (await query<{ key: string }>("select key from settings.integer_settings order by key")).map((r) => r.key),
});

test(`${NAME}: down removes exactly what up added; up applies again`, async () => {
  const up = await shape();
  assert.ok(up.triggers.includes("api_keys_within_limit"));
  assert.deepEqual(up.functions, ["refuse_past_api_key_limit"]);
  assert.ok(up.settings.includes("limits.api_keys"));
  await withClient(db.url, async (c) => c.query(await sqlOf("rollbacks")));
  const down = await shape();
  assert.deepEqual(down.triggers, up.triggers.filter((t) => t !== "api_keys_within_limit"));
  assert.deepEqual(down.functions, []);
  assert.deepEqual(down.settings, up.settings.filter((k) => k !== "limits.api_keys"));
  await withClient(db.url, async (c) => c.query(await sqlOf("migrations")));
  assert.deepEqual(await shape(), up);
});
