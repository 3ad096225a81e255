// The rollbacks of 20261201031300 (custom-domain cache eviction by trigger) and
// 20261201031310 (assignee groups per tenant) undo them, and the migrations
// apply again after: run on their own database, file by file (later migrations untouched).
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
const triggers = async (names: string[]) =>
  (await withClient(db.url, (c) => c.query<{ tgname: string }>("select tgname from pg_trigger where tgname = any($1) order by 1", [names]))).rows.map((r) => r.tgname);
const fn = async (sig: string) => (await withClient(db.url, (c) => c.query<{ f: string | null }>("select to_regprocedure($1)::text as f", [sig]))).rows[0].f;

for (const [name, names, sig] of [
  [
    "20261201031300_custom_domain_cache_eviction",
    ["custom_domains_cache_added", "custom_domains_cache_changed", "custom_domains_cache_removed", "tenants_domain_cache_slug_changed"],
    "tenancy.notify_custom_domains_changed()",
  ],
  ["20261201031310_assignee_groups_per_tenant", ["assignee_groups_limit"], "workflows.refuse_past_group_limit()"],
] as const) {
  test(`${name}: down drops its triggers and function, up restores them`, async () => {
    assert.deepEqual(await triggers([...names]), [...names]);
    await run(await sqlOf("rollbacks", name));
    assert.deepEqual(await triggers([...names]), []);
    assert.equal(await fn(sig), null);
    await run(await sqlOf("migrations", name));
    assert.deepEqual(await triggers([...names]), [...names]);
    assert.notEqual(await fn(sig), null);
  });
}
