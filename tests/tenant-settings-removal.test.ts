// Removing or renaming a setting row follows the rules of writing it (migration
// 20261201029400), at the database under RLS as `authenticated`: a customer's
// admin cannot delete, or rename away, a row of what the customer bought
// (features, limits, integrations, branding.hide_mssp_brand) that the MSSP set
// at their tenant; nor a value below a lock, unless they hold the lock's tenant
// (placing a lock clears below it). The MSSP's admin still can; a customer's
// admin still clears their own settings; and lib/settings/write.ts turns the
// database's refusal into its own.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { SettingRefusal } from "@/lib/settings/errors";
import { clearSettingValue, lockSettingValue } from "@/lib/settings/write";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { assertRefused, assertRows, attempt } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());
beforeEach(() => withClient(db.url, (c) => c.query("delete from public.tenant_settings")));

type Q = (sql: string, params?: unknown[]) => ReturnType<typeof attempt>;
const as = <T>(user: UserName, fn: (q: Q) => Promise<T>) =>
  withTenant({ userId: fx.users[user] }, ({ client }) => fn((sql, params) => attempt(client, sql, params)));

const put = (slug: TenantSlug, key: string, value: unknown, locked = false): [string, unknown[]] => [
  `insert into public.tenant_settings (tenant_id, key, value, locked, changed_by) values ($1, $2, $3::jsonb, $4, auth.uid())
   on conflict (tenant_id, key) do update set value = excluded.value, locked = excluded.locked`,
  [fx.tenants[slug], key, JSON.stringify(value), locked],
];
const del = (slug: TenantSlug, key: string): [string, unknown[]] => ["delete from public.tenant_settings where tenant_id = $1 and key = $2", [fx.tenants[slug], key]];
const rename = (slug: TenantSlug, from: string, to: string, value: unknown): [string, unknown[]] => [
  "update public.tenant_settings set key = $3, value = $4::jsonb where tenant_id = $1 and key = $2",
  [fx.tenants[slug], from, to, JSON.stringify(value)],
];

const rowsOf = () =>
  withClient(db.url, async (c) =>
    (await c.query("select t.slug, s.key, s.value from public.tenant_settings s join public.tenants t on t.id = s.tenant_id order by 1, 2")).rows.map(
      (r) => `${r.slug} ${r.key}=${JSON.stringify(r.value)}`,
    ),
  );

/** What the MSSP sold acme: set by its admin under RLS. */
async function msspSetsAcme() {
  await as("msspAdmin", async (q) => {
    for (const [key, value] of [["limits.users", 10], ["features.reports", false], ["integrations.splunk_hec", false], ["branding.hide_mssp_brand", true]] as const) {
      assertRows(await q(...put("acme", key, value)), 1);
    }
  });
  await as("acmeAdmin", async (q) => assertRows(await q(...put("acme", "locale.time_zone", "Europe/Paris")), 1));
}

const SOLD = [
  "acme branding.hide_mssp_brand=true",
  "acme features.reports=false",
  "acme integrations.splunk_hec=false",
  "acme limits.users=10",
];

test("a customer's admin cannot delete a setting only the MSSP may set, one by one or all at once", async () => {
  await msspSetsAcme();
  for (const key of ["limits.users", "features.reports", "integrations.splunk_hec", "branding.hide_mssp_brand"]) {
    await as("acmeAdmin", async (q) => {
      const r = await q(...del("acme", key));
      assertRefused(r);
      assert.match(r.ok ? "" : r.message, new RegExp(`^${key.replace(".", "\\.")} is set by the MSSP only$`));
    });
  }
  await as("acmeAdmin", async (q) => assertRefused(await q("delete from public.tenant_settings where tenant_id = $1", [fx.tenants.acme])));
  assert.deepEqual(await rowsOf(), [...SOLD, 'acme locale.time_zone="Europe/Paris"'].sort());
  // Their own setting they still clear.
  await as("acmeAdmin", async (q) => assertRows(await q(...del("acme", "locale.time_zone")), 1));
  assert.deepEqual(await rowsOf(), SOLD);
});

test("nor rename one away into a setting of their own", async () => {
  await msspSetsAcme();
  await as("acmeAdmin", async (q) => {
    assertRefused(await q(...rename("acme", "features.reports", "locale.language", "en-US")));
    assertRefused(await q(...rename("acme", "limits.users", "sla.high.ack_minutes", 30)));
    assertRefused(await q(...rename("acme", "branding.hide_mssp_brand", "branding.product_name", "Acme")));
    // Renaming their own row into one the MSSP sells stays refused too.
    assertRefused(await q(...rename("acme", "locale.time_zone", "limits.assets", 5)));
  });
  assert.deepEqual(await rowsOf(), [...SOLD, 'acme locale.time_zone="Europe/Paris"'].sort());
});

test("the MSSP's admin still removes and renames them", async () => {
  await msspSetsAcme();
  await as("msspAdmin", async (q) => {
    assertRows(await q(...del("acme", "limits.users")), 1);
    assertRows(await q(...del("acme", "branding.hide_mssp_brand")), 1);
    assertRows(await q(...rename("acme", "features.reports", "features.workflows", false)), 1);
  });
  assert.deepEqual(await rowsOf(), ['acme features.workflows=false', 'acme integrations.splunk_hec=false', 'acme locale.time_zone="Europe/Paris"']);
});

test("lib/settings: clearing an MSSP-only value as the customer's admin is a refusal, nothing removed", async () => {
  await msspSetsAcme();
  await assert.rejects(
    withTenant({ userId: fx.users.acmeAdmin }, (tx) => clearSettingValue(tx, { tenantId: fx.tenants.acme, key: "limits.users" })),
    (e: unknown) => e instanceof SettingRefusal && /limits\.users is set by the MSSP only\./.test(e.message),
  );
  assert.deepEqual(await rowsOf(), [...SOLD, 'acme locale.time_zone="Europe/Paris"'].sort());
});

test("a value below a lock is removed or renamed only by an admin of the lock's tenant", async () => {
  // The MSSP locks the high SLA at its root; a restored archive (service role) left acme a value below it.
  await as("msspAdmin", async (q) => assertRows(await q(...put("mssp-a", "sla.high.ack_minutes", 30, true)), 1));
  await withServiceRole("lifecycle.archive", (sdb) =>
    sdb.$client.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'sla.high.ack_minutes', '45'), ($2, 'sla.high.ack_minutes', '50')", [
      fx.tenants.acme,
      fx.tenants["acme-eu"],
    ]),
  );
  await as("acmeAdmin", async (q) => {
    const r = await q(...del("acme", "sla.high.ack_minutes"));
    assertRefused(r);
    assert.match(r.ok ? "" : r.message, /^sla\.high\.ack_minutes is locked by Tenant mssp-a \(msspAdmin\)$/);
    assertRefused(await q(...del("acme-eu", "sla.high.ack_minutes")));
    assertRefused(await q(...rename("acme", "sla.high.ack_minutes", "sla.low.ack_minutes", 45)));
  });
  assert.equal((await rowsOf()).length, 3);
  // The lock's holder clears below it.
  await as("msspAdmin", async (q) => assertRows(await q("delete from public.tenant_settings where key = 'sla.high.ack_minutes' and tenant_id <> $1", [fx.tenants["mssp-a"]]), 2));
  assert.deepEqual(await rowsOf(), ["mssp-a sla.high.ack_minutes=30"]);
});

test("a customer's admin locking a setting still clears the values set below it", async () => {
  await as("acmeEuAdmin", async (q) => assertRows(await q(...put("acme-eu", "locale.time_zone", "Europe/Berlin")), 1));
  await as("acmeAdmin", async (q) => assertRows(await q(...put("acme", "locale.time_zone", "Europe/Paris")), 1));
  const change = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => lockSettingValue(tx, { tenantId: fx.tenants.acme, key: "locale.time_zone" }));
  assert.equal(change.clearedBelow, 1);
  assert.deepEqual(await rowsOf(), ['acme locale.time_zone="Europe/Paris"']);
  // And the site's admin can no longer remove what is left below the lock (none here), nor set one.
  await as("acmeEuAdmin", async (q) => assertRefused(await q(...put("acme-eu", "locale.time_zone", "UTC"))));
});

test("deleting a tenant as the owner still takes its settings with it, those below a lock and the MSSP's included", async () => {
  await as("msspAdmin", async (q) => {
    assertRows(await q(...put("mssp-a", "sla.high.ack_minutes", 30, true)), 1);
    assertRows(await q(...put("acme-eu", "limits.users", 5)), 1);
  });
  await withServiceRole("lifecycle.archive", (sdb) =>
    sdb.$client.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'sla.high.ack_minutes', '45')", [fx.tenants["acme-eu"]]),
  );
  await withClient(db.url, async (c) => {
    await c.query("begin");
    try {
      await c.query("delete from public.tenants where id = $1", [fx.tenants["acme-eu"]]);
      assert.equal((await c.query("select count(*)::int as n from public.tenant_settings where tenant_id = $1", [fx.tenants["acme-eu"]])).rows[0].n, 0);
    } finally {
      await c.query("rollback");
    }
  });
});
