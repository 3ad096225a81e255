// The audit migration's way back: the rollback removes everything the
// migration created (table, policies, triggers, the audit schema with its
// functions and chain heads), works with rows in the table (the append-only
// trigger refuses TRUNCATE and DELETE, not DROP), and migrating again gives
// the same schema.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { listMigrations, rollback } from "@/lib/db/migrate";
import { recordDenied } from "@/lib/audit/record";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase, migrateInCluster } from "./helpers/test-database";

const VERSION = "20261123000500";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

/** Every object the audit migration could leave behind. */
const auditShape = (url: string) =>
  withClient(url, async (c) => {
    const q = async (sql: string) => (await c.query(sql)).rows.map((r) => Object.values(r).join(":"));
    return {
      schema: await q("select nspname from pg_namespace where nspname = 'audit'"),
      relations: await q(`select n.nspname, c.relname, c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
                           where n.nspname = 'audit' or c.relname like 'audit\\_%' order by 1, 2`),
      functions: await q(`select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                           where n.nspname = 'audit' order by 1`),
      triggers: await q("select tgname from pg_trigger where tgname like 'audit\\_%' order by 1"),
      policies: await q("select policyname from pg_policies where tablename = 'audit_log' order by 1"),
      grants: await q(`select grantee, privilege_type from information_schema.role_table_grants
                        where table_name in ('audit_log', 'chain_heads') order by 1, 2`),
    };
  });

test("the audit migration is in the list, with its rollback", async () => {
  const m = (await listMigrations()).find((x) => x.version === VERSION);
  assert.ok(m, "migration present");
  assert.equal(m.name, "audit_log");
});

test("rolling back past the audit migration removes all of it, rows included; migrating again restores it", async () => {
  await recordDenied({ userId: fx.users.acmeAdmin }, { tenantId: fx.tenants.acme, action: "alerts:read" });
  const before = await auditShape(db.url);
  assert.deepEqual(before.schema, ["audit"]);
  assert.ok(before.relations.includes("public:audit_log:r"));
  assert.ok(before.relations.includes("audit:chain_heads:r"));
  // The read policy; the insert policy went with authenticated's INSERT (migration 20261201030100).
  assert.equal(before.policies.length, 1);
  assert.ok(before.triggers.includes("audit_log_append_only"));

  const previous = (await listMigrations()).filter((m) => m.version < VERSION).at(-1)!;
  const done = await rollback(db.url, { toVersion: previous.version });
  assert.ok(done.includes(`${VERSION}_audit_log`));
  assert.deepEqual(await auditShape(db.url), { schema: [], relations: [], functions: [], triggers: [], policies: [], grants: [] });

  await migrateInCluster(db.url, db.adminUrl);
  assert.deepEqual(await auditShape(db.url), before);
});
