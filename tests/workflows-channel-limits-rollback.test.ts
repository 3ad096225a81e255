// The rollbacks of 20261201029900 (channels per tenant) and 20261201029910
// (email deliveries' max attempts) undo them, and the migrations apply again
// after: run on their own database, file by file (later migrations untouched).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";
import { migrationFile } from "./helpers/migration-files";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

const sqlOf = migrationFile;
const run = (sql: string) => withClient(db.url, (c) => c.query(sql));
const hasTrigger = async () =>
  (await withClient(db.url, (c) => c.query("select 1 from pg_trigger where tgname = 'notification_channels_limit' and tgrelid = 'public.notification_channels'::regclass"))).rowCount === 1;

test("20261201029900 notification_channels_per_tenant: down drops the limit, up restores it", async () => {
  const name = "20261201029900_notification_channels_per_tenant";
  assert.equal(await hasTrigger(), true);
  await run(await sqlOf("rollbacks", name));
  assert.equal(await hasTrigger(), false);
  const fn = await withClient(db.url, (c) => c.query("select to_regprocedure('workflows.refuse_past_channel_limit()') as f"));
  assert.equal(fn.rows[0].f, null);
  await run(await sqlOf("migrations", name));
  assert.equal(await hasTrigger(), true);
});

test("20261201029910 email_delivery_max_attempts: both directions apply", async () => {
  const name = "20261201029910_email_delivery_max_attempts";
  await run(await sqlOf("rollbacks", name));
  await run(await sqlOf("migrations", name));
});
