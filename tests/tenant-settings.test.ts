// public.tenant_settings at the database, under RLS as each role (migration
// 20261201001000): admins of the tenant (or an ancestor) write, members read,
// nobody writes below a lock (the owner included), only an MSSP admin writes
// what the customer bought, and settings.effective answers only for tenants
// the caller can see. The one tenant column that used to be writable
// (require_mfa) is gone; no tenant column is writable now.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { assertRefused, attempt } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());
beforeEach(() => withClient(db.url, (c) => c.query("delete from public.tenant_settings")));

const as = <T>(user: UserName, fn: (q: (sql: string, params?: unknown[]) => ReturnType<typeof attempt>) => Promise<T>) =>
  withTenant({ userId: fx.users[user] }, ({ client }) => fn((sql, params) => attempt(client, sql, params)));

const put = (slug: TenantSlug, key: string, value: unknown, locked = false): [string, unknown[]] => [
    `insert into public.tenant_settings (tenant_id, key, value, locked, changed_by) values ($1, $2, $3::jsonb, $4, auth.uid())
     on conflict (tenant_id, key) do update set value = excluded.value, locked = excluded.locked`,
  [fx.tenants[slug], key, JSON.stringify(value), locked],
];

const rowsOf = () =>
  withClient(db.url, async (c) =>
    (await c.query("select t.slug, s.key, s.value, s.locked from public.tenant_settings s join public.tenants t on t.id = s.tenant_id order by 1, 2")).rows,
  );

test("a tenant admin sets values on their tenant and its sites; an MSSP admin on its customers", async () => {
  await as("acmeAdmin", async (q) => {
    assert.equal((await q(...put("acme", "locale.time_zone", "Europe/Paris"))).ok, true);
    assert.equal((await q(...put("acme-eu", "locale.time_zone", "Europe/Berlin"))).ok, true);
  });
  await as("msspAdmin", async (q) => assert.equal((await q(...put("globex", "sla.high.ack_minutes", 30))).ok, true));
  assert.deepEqual(
    (await rowsOf()).map((r) => `${r.slug} ${r.key}`),
    ["acme locale.time_zone", "acme-eu locale.time_zone", "globex sla.high.ack_minutes"],
  );
});

test("analysts, viewers, a site's admin on its parent, siblings and other MSSPs write nothing", async () => {
  for (const [user, slug] of [
    ["acmeAnalyst", "acme"],
    ["acmeViewer", "acme"],
    ["acmeEuAdmin", "acme"],
    ["acmeAdmin", "globex"],
    ["acmeAdmin", "mssp-a"],
    ["msspBAdmin", "acme"],
    ["msspAnalyst", "globex"],
  ] as [UserName, TenantSlug][]) {
    await as(user, async (q) => assertRefused(await q(...put(slug, "locale.time_zone", "UTC"))));
  }
  // Nor change or clear a row that exists.
  await withClient(db.url, (c) => c.query(...put("acme", "locale.time_zone", "UTC")));
  await as("acmeAnalyst", async (q) => {
    const upd = await q("update public.tenant_settings set value = '\"Asia/Tokyo\"' where tenant_id = $1", [fx.tenants.acme]);
    assert.equal(upd.ok && upd.rowCount, 0);
    const del = await q("delete from public.tenant_settings where tenant_id = $1", [fx.tenants.acme]);
    assert.equal(del.ok && del.rowCount, 0);
  });
  assert.equal((await rowsOf()).length, 1);
});

test("rows are visible to the staff and admins of the tenant and its ancestors only (settings:view, migration 20261201032400)", async () => {
  await withClient(db.url, async (c) => {
    await c.query(...put("mssp-a", "locale.language", "de-DE"));
    await c.query(...put("acme", "locale.language", "fr-FR"));
    await c.query(...put("globex", "locale.language", "es-ES"));
  });
  const seen = async (user: UserName) =>
    as(user, async (q) => {
      const r = await q("select t.slug from public.tenant_settings s join public.tenants t on t.id = s.tenant_id order by 1");
      return r.ok ? r.rows.map((x) => x.slug) : r.code;
    });
  assert.deepEqual(await seen("msspAdmin"), ["acme", "globex", "mssp-a"]);
  assert.deepEqual(await seen("msspAnalyst"), ["acme", "globex", "mssp-a"]);
  assert.deepEqual(await seen("acmeAdmin"), ["acme"], "not the MSSP's row, not a sibling's");
  // A customer's analysts and viewers see no settings page (no settings:view): nor the rows; the
  // effective values reach them through settings.effective (below).
  assert.deepEqual(await seen("acmeViewer"), []);
  assert.deepEqual(await seen("acmeAnalyst"), []);
  assert.deepEqual(await seen("acmeEuAdmin"), [], "not its parent's");
  assert.deepEqual(await seen("msspBAdmin"), []);
});

test("settings.effective resolves through ancestors the caller cannot read, for visible tenants only", async () => {
  await withClient(db.url, async (c) => {
    await c.query(...put("mssp-a", "session.mfa_required", true, true));
    await c.query("update public.tenant_settings set changed_by = $1", [fx.users.msspAdmin]);
  });
  const effective = (user: UserName, slug: TenantSlug) =>
    as(user, async (q) => {
      const r = await q("select key, value, source_name, locked_above, changed_by_name from settings.effective(array[$1::uuid]) where key is not null", [fx.tenants[slug]]);
      return r.ok ? r.rows : r.code;
    });
  assert.deepEqual(await effective("acmeEuAdmin", "acme-eu"), [
    { key: "session.mfa_required", value: true, source_name: "Tenant mssp-a", locked_above: true, changed_by_name: "msspAdmin" },
  ]);
  assert.deepEqual(await effective("acmeAdmin", "globex"), [], "a sibling's configuration: nothing");
  const markers = (user: UserName, slugs: TenantSlug[]) =>
    as(user, async (q) => {
      const r = await q("select tenant_id from settings.effective($1::uuid[]) where key is null order by 1", [slugs.map((s) => fx.tenants[s])]);
      return r.ok ? r.rows.map((x) => fx.slugOf(x.tenant_id)).sort() : r.code;
    });
  assert.deepEqual(await markers("acmeAdmin", ["acme", "acme-eu", "globex", "mssp-a", "other-co"]), ["acme", "acme-eu"], "one marker row per visible tenant only");
  assert.deepEqual(await effective("msspBAdmin", "acme"), [], "another MSSP's: nothing");
  // resolve and value_of answer for any tenant: not callable by authenticated.
  await as("acmeAdmin", async (q) => {
    assertRefused(await q("select * from settings.resolve(array[$1::uuid])", [fx.tenants.globex]));
    assertRefused(await q("select settings.value_of($1, 'session.mfa_required')", [fx.tenants.globex]));
  });
});

test("nothing is set below a lock: refused for the admin below and for the owner alike", async () => {
  await as("msspAdmin", async (q) => assert.equal((await q(...put("mssp-a", "session.mfa_required", true, true))).ok, true));
  for (const slug of ["acme", "acme-eu"] as TenantSlug[]) {
    await as("acmeAdmin", async (q) => {
      const r = await q(...put(slug, "session.mfa_required", false));
      assertRefused(r);
      assert.match(r.ok ? "" : r.message, /^session\.mfa_required is locked by Tenant mssp-a \(msspAdmin\)$/);
    });
  }
  await withClient(db.url, async (c) => {
    await c.query("begin");
    try {
      assertRefused(await attempt(c, ...put("acme", "session.mfa_required", false)));
    } finally {
      await c.query("rollback");
    }
  });
  // A service-role path (an archive restored under the MSSP) may write below the lock; the lock overrules it.
  await withServiceRole("lifecycle.archive", (sdb) =>
    sdb.$client.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.mfa_required', 'false')", [fx.tenants["acme-us"]]),
  );
  assert.deepEqual(
    await as("acmeAdmin", async (q) => {
      const r = await q("select value, source_name from settings.effective(array[$1::uuid]) where key = 'session.mfa_required'", [fx.tenants["acme-us"]]);
      return r.ok ? r.rows : r.code;
    }),
    [{ value: true, source_name: "Tenant mssp-a" }],
  );
  await withClient(db.url, (c) => c.query("delete from public.tenant_settings where tenant_id = $1", [fx.tenants["acme-us"]]));
  // Another key, and another MSSP's tenants, are not affected.
  await as("acmeAdmin", async (q) => assert.equal((await q(...put("acme", "session.lifetime_hours", 8))).ok, true));
  await as("otherCoAdmin", async (q) => assert.equal((await q(...put("other-co", "session.mfa_required", false))).ok, true));
  assert.deepEqual((await rowsOf()).map((r) => `${r.slug} ${r.key}`), ["acme session.lifetime_hours", "mssp-a session.mfa_required", "other-co session.mfa_required"]);
});

test("what the customer bought (features, limits, integrations) is written by an MSSP admin only", async () => {
  for (const key of ["features.alert_triage", "limits.users", "integrations.splunk_hec"]) {
    await as("acmeAdmin", async (q) => {
      const r = await q(...put("acme", key, key === "limits.users" ? 10_000 : true));
      assertRefused(r);
      assert.match(r.ok ? "" : r.message, /is set by the MSSP only/);
    });
    await as("msspAdmin", async (q) => assert.equal((await q(...put("acme", key, key === "limits.users" ? 10 : false))).ok, true, key));
  }
  // Nor can the customer's admin lower or clear it afterwards by update.
  await as("acmeAdmin", async (q) => {
    assertRefused(await q("update public.tenant_settings set value = '99999' where tenant_id = $1 and key = 'limits.users'", [fx.tenants.acme]));
  });
});

test("a setting row never moves to another tenant, and a suspended tenant's settings are frozen", async () => {
  await withClient(db.url, (c) => c.query(...put("acme", "locale.time_zone", "UTC")));
  await as("msspAdmin", async (q) => {
    const r = await q("update public.tenant_settings set tenant_id = $1 where tenant_id = $2", [fx.tenants.globex, fx.tenants.acme]);
    assertRefused(r);
  });
  await withClient(db.url, (c) => c.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.globex]));
  try {
    await as("msspAdmin", async (q) => assertRefused(await q(...put("globex", "locale.time_zone", "UTC"))));
  } finally {
    await withClient(db.url, (c) => c.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.globex]));
  }
});

test("no tenant column is writable, not even by an admin", async () => {
  await assert.rejects(
    withTenant({ userId: fx.users.acmeAdmin }, ({ client }) => client.query("update public.tenants set name = 'x', status = 'suspended' where id = $1", [fx.tenants.acme])),
    /permission denied/,
  );
  await assert.rejects(
    withTenant({ userId: fx.users.acmeAdmin }, ({ client }) => client.query("update public.tenants set parent_id = $1 where id = $2", [fx.tenants["mssp-b"], fx.tenants.acme])),
    /permission denied/,
  );
  const cols = await withClient(db.url, async (c) =>
    (await c.query("select attname from pg_attribute where attrelid = 'public.tenants'::regclass and attname = 'require_mfa' and not attisdropped")).rows,
  );
  assert.deepEqual(cols, [], "tenants.require_mfa is the setting session.mfa_required now");
});
