// 20261201033200_report_content_after_the_pdp: its rollback gives `authenticated` every column of
// public.reports to select again (the table-wide grant), and the migration applies again after,
// leaving every column but `content`. Run on its own database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { migrationFile } from "./helpers/migration-files";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const NAME = "20261201033200_report_content_after_the_pdp";
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ setEnv: false });
});
after(() => db.drop());

const selectable = () =>
  withClient(db.url, async (c) =>
    (
      await c.query<{ c: string }>(
        `select a.attname as c from pg_attribute a
          where a.attrelid = 'public.reports'::regclass and a.attnum > 0 and not a.attisdropped
            and has_column_privilege('authenticated', 'public.reports', a.attname, 'SELECT') order by a.attnum`,
      )
    ).rows.map((r) => r.c),
  );

test(`${NAME}: every column but content; down gives content back; up applies again`, async () => {
  const up = await selectable();
  assert.ok(!up.includes("content"));
  assert.ok(up.includes("id") && up.includes("status") && up.includes("covered_tenant_ids"));
  await withClient(db.url, async (c) => c.query(await migrationFile("rollbacks", NAME)));
  const down = await selectable();
  assert.deepEqual(down.filter((c) => c !== "content"), up);
  assert.ok(down.includes("content"));
  await withClient(db.url, async (c) => c.query(await migrationFile("migrations", NAME)));
  assert.deepEqual(await selectable(), up);
});
