// What the settings pages load (lib/settings/page-data.ts, drift.ts), as
// each role, on a real Postgres and the real PDP: who sees the page at all
// (settings:view), which controls each row offers (settings:manage,
// settings:govern, locks, a suspended tenant), the history (audit:view), and
// the drift report's answer before and after a customer sets its own value.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { loadDriftReports } from "@/lib/settings/drift";
import { loadSettingsPage, type SettingsPageData } from "@/lib/settings/page-data";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());
beforeEach(() => withClient(db.url, (c) => c.query("delete from public.tenant_settings")));

const owner = (sql: string, params: unknown[] = []) => withClient(db.url, (c) => c.query(sql, params));

/** The tenant portal's page: the host tenant (and its sites) in scope. */
const onHost = (user: UserName, host: TenantSlug, slug?: TenantSlug) => as(fx, user, (tx) => loadSettingsPage(tx, { scopeId: fx.tenants[host], slug }), host);
/** The console's page for one tenant by slug. */
const onConsole = (user: UserName, slug: TenantSlug) => as(fx, user, (tx) => loadSettingsPage(tx, { slug }));

function row(data: SettingsPageData, key: string) {
  assert.ok(data.allowed, "the page is allowed");
  const r = data.groups.flatMap((g) => g.settings).find((s) => s.key === key);
  assert.ok(r, key);
  return r;
}

describe("the effective configuration page", () => {
  test("who sees it: admins and MSSP staff; not analysts, viewers, siblings or another MSSP", async () => {
    assert.equal((await onHost("acmeAdmin", "acme")).allowed, true);
    assert.equal((await onConsole("msspAnalyst", "acme")).allowed, true);
    assert.equal((await onHost("acmeAnalyst", "acme")).allowed, false);
    assert.equal((await onHost("acmeViewer", "acme")).allowed, false);
    assert.equal((await onConsole("acmeAdmin", "globex")).allowed, false);
    assert.equal((await onConsole("msspBAdmin", "acme")).allowed, false);
    // A slug outside the host's subtree is not offered on the tenant host.
    const d = await onHost("acmeAdmin", "acme", "globex");
    assert.ok(d.allowed);
    assert.equal(d.tenant.slug, "acme");
    assert.deepEqual(d.choices.map((c) => c.slug), ["acme", "acme-eu", "acme-us"]);
  });

  test("the brand page is linked for whoever may manage the brand there", async () => {
    const admin = await onHost("acmeAdmin", "acme");
    assert.ok(admin.allowed && admin.can.brand, "a customer's admin manages its brand");
    const analyst = await onConsole("msspAnalyst", "acme");
    assert.ok(analyst.allowed && !analyst.can.brand, "an MSSP analyst reads the settings but does not manage the brand");
  });

  test("controls per row: a customer's admin edits its own settings, not what the MSSP sells, nothing locked above", async () => {
    await owner("insert into public.tenant_settings (tenant_id, key, value, locked, changed_by) values ($1, 'session.mfa_required', 'true', true, $2)", [fx.tenants["mssp-a"], fx.users.msspAdmin]);
    const d = await onHost("acmeAdmin", "acme");
    assert.deepEqual(row(d, "locale.time_zone").can, { edit: true, clear: false, lock: true, unlock: false });
    assert.deepEqual(row(d, "limits.users").can, { edit: false, clear: false, lock: false, unlock: false });
    const mfa = row(d, "session.mfa_required");
    assert.deepEqual(mfa.can, { edit: false, clear: false, lock: false, unlock: false });
    assert.deepEqual([mfa.display, mfa.lockedBy], ["on", { tenantName: "Tenant mssp-a", who: "msspAdmin" }]);
    assert.equal(mfa.readOnlyReason, "Locked by Tenant mssp-a (msspAdmin)");

    const m = await onConsole("msspAdmin", "mssp-a");
    assert.deepEqual(row(m, "session.mfa_required").can, { edit: true, clear: true, lock: false, unlock: true });
    assert.equal(row(await onConsole("msspAdmin", "acme"), "limits.users").can.edit, true);
    // MSSP analysts read only.
    const a = await onConsole("msspAnalyst", "acme");
    assert.ok(a.allowed);
    assert.ok(a.groups.every((g) => g.settings.every((s) => !s.can.edit && !s.can.lock)));
    assert.deepEqual(a.history, [], "no audit:view, no history");
  });

  test("a suspended customer's settings are read only, saying why", async () => {
    await owner("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.globex]);
    try {
      const d = await onConsole("msspAdmin", "globex");
      assert.equal(row(d, "locale.time_zone").can.edit, false);
      assert.equal(row(d, "locale.time_zone").readOnlyReason, "Tenant globex is suspended");
    } finally {
      await owner("update public.tenants set status = 'active' where id = $1", [fx.tenants.globex]);
    }
  });
});

describe("the drift report", () => {
  test("no customer differs: every setting counts none", async () => {
    const [r] = await as(fx, "msspAdmin", (tx) => loadDriftReports(tx));
    assert.equal(r.mssp.id, fx.tenants["mssp-a"]);
    assert.equal(r.customers, 2);
    assert.deepEqual([r.customersWithDrift, r.rows], [0, []]);
    assert.ok(r.settings.every((s) => s.differing === 0));
  });

  test("a customer's own value shows, setting by setting; a value equal to the MSSP's is no drift", async () => {
    await owner(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', '"Europe/Paris"'), ($1, 'limits.users', '10'), ($2, 'locale.time_zone', '"UTC"')`, [
      fx.tenants.acme,
      fx.tenants.globex,
    ]);
    const [r] = await as(fx, "msspAnalyst", (tx) => loadDriftReports(tx));
    const tz = r.settings.find((s) => s.key === "locale.time_zone")!;
    assert.deepEqual([tz.baseline, tz.differing], ["UTC", 1]);
    assert.equal(r.customersWithDrift, 1);
    assert.deepEqual(
      r.rows.map((c) => [c.slug, c.name, c.count, c.cells["locale.time_zone"]?.display, c.cells["limits.users"]?.display]),
      [["acme", "Tenant acme", 2, "Europe/Paris", "10 users"]],
    );
    // The MSSP moves its own default to Paris: now globex (UTC, set here) differs and acme does not on the time zone.
    await owner(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', '"Europe/Paris"')`, [fx.tenants["mssp-a"]]);
    const [again] = await as(fx, "msspAdmin", (tx) => loadDriftReports(tx, { q: null, setting: "locale.time_zone", page: 1 }));
    assert.equal(again.settings.find((s) => s.key === "locale.time_zone")!.differing, 1);
    assert.deepEqual(again.rows.map((d) => d.slug), ["globex"]);
    // A lock at the MSSP overrules what customers set: no drift on it.
    await owner(`update public.tenant_settings set locked = true where tenant_id = $1 and key = 'locale.time_zone'`, [fx.tenants["mssp-a"]]);
    const [locked] = await as(fx, "msspAdmin", (tx) => loadDriftReports(tx));
    assert.deepEqual(
      [locked.settings.find((s) => s.key === "locale.time_zone")!.differing, locked.settings.find((s) => s.key === "locale.time_zone")!.locked, locked.rows.map((d) => d.slug)],
      [0, true, ["acme"]],
    );
  });

  test("a stored value the registry no longer accepts counts as its default, as the settings page reads it", async () => {
    await owner(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', '"Mars/Olympus_Mons"'), ($2, 'locale.time_zone', '"Atlantis/Capital"')`, [
      fx.tenants.acme,
      fx.tenants.globex,
    ]);
    const [r] = await as(fx, "msspAdmin", (tx) => loadDriftReports(tx));
    assert.equal(r.customersWithDrift, 0, "both read as the default, UTC, which is the MSSP's value");
  });

  test("only for MSSP staff: a customer's admin gets no report; another MSSP sees only its own", async () => {
    assert.deepEqual(await as(fx, "acmeAdmin", (tx) => loadDriftReports(tx)), []);
    const reports = await as(fx, "msspBAdmin", (tx) => loadDriftReports(tx));
    assert.deepEqual(reports.map((r) => r.mssp.id), [fx.tenants["mssp-b"]]);
  });
});
