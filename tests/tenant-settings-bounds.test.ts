// Whole-number settings at the database (migration 20261201029410), under RLS
// as `authenticated`: a value that is not a whole number within the registry's
// bounds is refused on insert and update to every signed-in caller (the
// service role and the owner are not asked); the bounds table is the registry's; and a bad value already stored
// (a restored archive, or one from before the check) no longer breaks the SQL
// reader of the SLA targets, which the alert triggers call whenever a clock
// stops. Also: the time to resolve is never shorter than the time to
// acknowledge, in lib/settings and in SQL alike, whatever each tenant inherits.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { slaTargets } from "@/lib/settings/read";
import { SETTINGS } from "@/lib/settings/registry";
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
const put = (slug: TenantSlug, key: string, json: string): [string, unknown[]] => [
  `insert into public.tenant_settings (tenant_id, key, value, changed_by) values ($1, $2, $3::jsonb, auth.uid())
   on conflict (tenant_id, key) do update set value = excluded.value`,
  [fx.tenants[slug], key, json],
];
/** As a restored archive writes it: the service role, unchecked. */
const restore = (slug: TenantSlug, key: string, json: string) =>
  withServiceRole("lifecycle.archive", (sdb) =>
    sdb.$client.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, $3::jsonb)", [fx.tenants[slug], key, json]),
  );
const targetsInSql = (slug: TenantSlug) =>
  withClient(db.url, async (c) =>
    Object.fromEntries(
      (await c.query("select severity, ack_minutes, resolve_minutes from analytics.sla_targets(array[$1::uuid])", [fx.tenants[slug]])).rows.map((r) => [
        r.severity,
        [r.ack_minutes, r.resolve_minutes],
      ]),
    ),
  );

test("settings.integer_settings holds every whole-number setting of the registry, with its bounds and default", async () => {
  const expected = SETTINGS.flatMap((d) => (d.input.kind === "integer" ? [`${d.key} ${d.input.min}..${d.input.max} default ${String(d.default)}`] : [])).sort();
  const held = await withClient(db.url, async (c) =>
    (await c.query("select key, min_value, max_value, default_value from settings.integer_settings order by key")).rows.map(
      (r) => `${r.key} ${r.min_value}..${r.max_value} default ${r.default_value}`,
    ),
  );
  assert.ok(expected.length > 20);
  assert.deepEqual(held, expected);
});

test("a tenant's admin cannot store a fraction, a string, or a number out of bounds; a whole number within them is kept", async () => {
  for (const bad of ["15.5", '"x"', '"30"', "0", "43201", "-5", "true", "null", "[30]", "1e10"]) {
    await as("acmeAdmin", async (q) => {
      const r = await q(...put("acme", "sla.high.ack_minutes", bad));
      assertRefused(r, "22023");
      assert.match(r.ok ? "" : r.message, /^sla\.high\.ack_minutes must be a whole number from 1 to 43200$/, bad);
    });
  }
  await as("acmeAdmin", async (q) => {
    assertRows(await q(...put("acme", "sla.high.ack_minutes", "30")), 1);
    assertRows(await q(...put("acme", "session.lifetime_hours", "8.0")), 1);
    assertRefused(await q("update public.tenant_settings set value = '0' where tenant_id = $1 and key = 'session.lifetime_hours'", [fx.tenants.acme]), "22023");
    assertRefused(await q(...put("acme-eu", "health.quota_warn_percent", "101")), "22023");
    // Other settings keep their own checks (lib/settings): a string is not refused here.
    assertRows(await q(...put("acme", "locale.time_zone", '"Europe/Paris"')), 1);
  });
  await as("msspAdmin", async (q) => {
    assertRefused(await q(...put("acme", "limits.users", "0")), "22023");
    assertRefused(await q(...put("acme", "limits.data_retention_days", "6")), "22023");
    assertRows(await q(...put("acme", "limits.users", "100000")), 1);
  });
  // The service role (an archive restore) is not asked: what it restores is written as it was.
  await restore("globex", "limits.users", '"lots"');
});

test("a bad stored SLA value counts as not set: the targets read the default, and triage of the subtree's alerts goes on", async () => {
  await restore("acme", "sla.high.ack_minutes", '"x"');
  await restore("acme", "sla.high.resolve_minutes", "15.5");
  await restore("acme", "sla.critical.ack_minutes", "0");
  const sql = await targetsInSql("acme-eu");
  assert.deepEqual(sql.high, [60, 1440]);
  assert.deepEqual(sql.critical, [15, 240]);
  // An analyst acknowledges and closes the site's high alert under RLS: the breach trigger reads the targets.
  const alert = fx.alerts["acme-eu"][0];
  await withTenant({ userId: fx.users.acmeAnalyst }, async ({ client }) => {
    assertRows(await attempt(client, "update public.alerts set status = 'acknowledged' where tenant_id = $1 and id = $2", [fx.tenants["acme-eu"], alert]), 1);
    assertRows(
      await attempt(client, "update public.alerts set status = 'resolved', close_reason = 'done' where tenant_id = $1 and id = $2", [fx.tenants["acme-eu"], alert]),
      1,
    );
  });
  const [flags] = await withClient(db.url, async (c) =>
    (await c.query("select ack_breached, resolve_breached from public.alerts where id = $1", [alert])).rows,
  );
  assert.deepEqual(flags, { ack_breached: false, resolve_breached: false });
});

test("the time to resolve is never shorter than the time to acknowledge, when one of the pair is inherited", async () => {
  // Acme acknowledges within 120 minutes (resolve inherited: 1440); the MSSP then sets resolve to 100 for everyone.
  await as("acmeAdmin", async (q) => assertRows(await q(...put("acme", "sla.high.ack_minutes", "120")), 1));
  await as("msspAdmin", async (q) => assertRows(await q(...put("mssp-a", "sla.high.resolve_minutes", "100")), 1));
  assert.deepEqual((await targetsInSql("acme")).high, [120, 120]);
  assert.deepEqual((await targetsInSql("acme-eu")).high, [120, 120]);
  assert.deepEqual((await targetsInSql("mssp-a")).high, [60, 100]);
  const lib = await withTenant({ userId: fx.users.acmeAdmin }, (tx) => slaTargets(tx, fx.tenants["acme-eu"]));
  assert.deepEqual(lib.high, { ackMinutes: 120, resolveMinutes: 120 });
  // A high alert closed 110 minutes after detection is within both targets.
  const [row] = await withClient(db.url, async (c) =>
    (
      await c.query(
        `insert into public.alerts (tenant_id, title, severity, source, detected_at) values ($1, 'pair', 'high', 'edr', now() - interval '110 minutes') returning id`,
        [fx.tenants.acme],
      )
    ).rows,
  );
  await withTenant({ userId: fx.users.acmeAnalyst }, async ({ client }) => {
    await client.query("update public.alerts set status = 'acknowledged' where tenant_id = $1 and id = $2", [fx.tenants.acme, row.id]);
    await client.query("update public.alerts set status = 'resolved', close_reason = 'done' where tenant_id = $1 and id = $2", [fx.tenants.acme, row.id]);
  });
  const [flags] = await withClient(db.url, async (c) => (await c.query("select ack_breached, resolve_breached from public.alerts where id = $1", [row.id])).rows);
  assert.deepEqual(flags, { ack_breached: false, resolve_breached: false });
});
