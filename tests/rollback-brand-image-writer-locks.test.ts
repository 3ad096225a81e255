// 20261201033000_brand_image_writer_locks: its rollback removes exactly what it added (the triggers
// on public.brand_drafts and public.tenant_settings and their three functions) and leaves the
// tables' other triggers as they were; the migration applies again after. Run on its own database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";
import { migrationFile } from "./helpers/migration-files";

const NAME = "20261201033000_brand_image_writer_locks";
const FUNCTIONS = ["lock_brand_images_of_draft", "lock_brand_images_of_setting", "lock_named_brand_images"];
const TRIGGERS = ["brand_drafts_lock_named_images", "tenant_settings_lock_named_images"];
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ setEnv: false });
});
after(() => db.drop());

const sqlOf = (dir: "migrations" | "rollbacks") => migrationFile(dir, NAME);
const query = <R extends Record<string, unknown>>(sql: string) => withClient(db.url, async (c) => (await c.query<R>(sql)).rows);

const shape = async () => ({
  triggers: (
    await query<{ t: string }>(
      "select tgrelid::regclass::text || ':' || tgname as t from pg_trigger where tgrelid in ('public.brand_drafts'::regclass, 'public.tenant_settings'::regclass) and not tgisinternal order by 1",
    )
  ).map((r) => r.t),
  functions: (await query<{ f: string }>(`select proname as f from pg_proc where proname = any (array['${FUNCTIONS.join("','")}']) order by 1`)).map((r) => r.f),
});

test(`${NAME}: down removes exactly what up added; up applies again`, async () => {
  const up = await shape();
  for (const t of TRIGGERS) assert.ok(up.triggers.some((x) => x.endsWith(`:${t}`)), t);
  assert.deepEqual(up.functions, FUNCTIONS);
  await withClient(db.url, async (c) => c.query(await sqlOf("rollbacks")));
  const down = await shape();
  assert.deepEqual(down.triggers, up.triggers.filter((x) => !TRIGGERS.some((t) => x.endsWith(`:${t}`))));
  assert.deepEqual(down.functions, []);
  await withClient(db.url, async (c) => c.query(await sqlOf("migrations")));
  assert.deepEqual(await shape(), up);
});
