// 20261201001000_tenant_settings, up and down, with data: tenants.require_mfa
// becomes the setting session.mfa_required without losing what was set, the
// per-request MFA check (sessions.mfa_required) answers the same for every
// user before and after, and the rollback brings the column back with its
// values.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { listMigrations, migrate, rollback } from "@/lib/db/migrate";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const VERSION = "20261201001000";
let db: TestDatabase;
let fx: Fixtures;
let previous: string;

before(async () => {
  db = await createTestDatabase({ setEnv: false });
  const all = await listMigrations();
  previous = all.filter((m) => m.version < VERSION).at(-1)!.version;
  await rollback(db.url, { toVersion: previous });
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const q = <R>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as R[]);

/** Every fixture user the MFA check requires, by name. */
async function required(): Promise<string[]> {
  const rows = await q<{ name: string }>("select u.name from public.users u where sessions.mfa_required(u.id) order by 1");
  return rows.map((r) => r.name);
}

const hasColumn = async () =>
  (await q("select 1 from pg_attribute where attrelid = 'public.tenants'::regclass and attname = 'require_mfa' and not attisdropped")).length === 1;

test("up: require_mfa values become session.mfa_required rows, the column goes, MFA is required of the same people", async () => {
  assert.equal(await hasColumn(), true, "before the migration the column exists");
  await q("update public.tenants set require_mfa = true where id = any ($1::uuid[])", [[fx.tenants["acme-eu"], fx.tenants["other-co"]]]);
  const before = await required();
  assert.ok(before.includes("acmeEuAdmin") && before.includes("acmeAdmin") && before.includes("otherCoAdmin"), before.join());
  assert.ok(!before.includes("acmeUsAdmin") && !before.includes("globexAdmin"));

  assert.ok((await migrate(db.url)).includes(`${VERSION}_tenant_settings`));
  assert.equal(await hasColumn(), false);
  const rows = await q<{ slug: string; key: string; value: unknown; locked: boolean }>(
    "select t.slug, s.key, s.value, s.locked from public.tenant_settings s join public.tenants t on t.id = s.tenant_id order by 1",
  );
  assert.deepEqual(rows, [
    { slug: "acme-eu", key: "session.mfa_required", value: true, locked: false },
    { slug: "other-co", key: "session.mfa_required", value: true, locked: false },
  ]);
  assert.deepEqual(await required(), before);
  // The old write path is gone with the column.
  const grants = await q("select 1 from information_schema.column_privileges where table_name = 'tenants' and grantee = 'authenticated' and privilege_type = 'UPDATE'");
  assert.deepEqual(grants, []);
});

test("down: the column comes back with the values set as settings (set after the migration too), and the check reads it again", async () => {
  // A change made through the settings after the migration survives the way back.
  await q("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.mfa_required', 'true')", [fx.tenants.globex]);
  await q("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', '\"Europe/Paris\"')", [fx.tenants.globex]);
  const before = await required();
  assert.ok(before.includes("globexAdmin"));

  const undone = await rollback(db.url, { toVersion: previous });
  assert.ok(undone.includes(`${VERSION}_tenant_settings`));
  assert.equal(await hasColumn(), true);
  const on = await q<{ slug: string }>("select slug from public.tenants where require_mfa order by 1");
  assert.deepEqual(on.map((r) => r.slug), ["acme-eu", "globex", "other-co"]);
  assert.deepEqual(await required(), before);
  const table = await q("select to_regclass('public.tenant_settings') as t, to_regnamespace('settings') as s");
  assert.deepEqual(table, [{ t: null, s: null }]);

  // And up again: the same rows.
  await migrate(db.url);
  const again = await q<{ slug: string }>("select t.slug from public.tenant_settings s join public.tenants t on t.id = s.tenant_id where s.key = 'session.mfa_required' order by 1");
  assert.deepEqual(again.map((r) => r.slug), ["acme-eu", "globex", "other-co"]);
  assert.deepEqual(await required(), before);
});
