// The settings actions (lib/actions/settings) called as each role, with a
// real session cookie and Host header, on a real Postgres and the real PDP:
// who may set what where (settings:manage, settings:govern for what the
// customer bought, RLS for which tenant), and every bad input of issue 10 —
// unknown setting, wrong type, out of bounds, a locked setting overridden —
// refused with a clear message, nothing changed, and a denied audit row that
// names the setting and the reason. Also item 5: a connector kind disabled
// by configuration cannot be added through the credentials action, the
// connector limit holds, and the credentials page marks existing ones.
// (tests/actions-matrix.test.ts runs the generic matrix over these actions.)
// First: installs Next's request storage before anything imports next/*.
import { auditMark, auditSince, changedTables, databaseState, ownerQuery } from "./helpers/actions";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { loadCredentialsPage } from "@/lib/credentials/page-data";
import { startActionEnv, type ActionEnv } from "./helpers/action-env";
import { CONSOLE, hostOf, runAs, type Env } from "./helpers/action-specs";
import type { Fixtures, TenantSlug, UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import type { TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let env: Env;
let running: ActionEnv | undefined;

before(async () => {
  running = await startActionEnv({ vendorStub: true, mfa: ["msspAdmin", "msspAnalyst", "msspBAdmin"], signedIn: "all" });
  ({ db, fx, env } = running);
});

after(async () => {
  await running?.stop();
});

const SET = "lib/actions/settings/set-setting.ts#setSetting";
const CLEAR = "lib/actions/settings/clear-setting.ts#clearSetting";
const LOCK = "lib/actions/settings/lock-setting.ts#lockSetting";
const UNLOCK = "lib/actions/settings/lock-setting.ts#unlockSetting";
const CREATE_CREDENTIAL = "lib/actions/credentials/create-credential.ts#createCredential";
const DENIED = "You don't have permission to do that here.";

type Result = { ok: boolean; error?: string; message?: string; fieldErrors?: Record<string, string[]> };

/** Where each person acts from: MSSP roles on the console, tenant roles on their tenant's host. */
const HOME: Partial<Record<UserName, string>> = {
  msspAdmin: CONSOLE,
  msspAnalyst: CONSOLE,
  msspBAdmin: CONSOLE,
  acmeAdmin: hostOf("acme"),
  acmeAnalyst: hostOf("acme"),
  acmeViewer: hostOf("acme"),
  acmeEuAdmin: hostOf("acme-eu"),
  globexAdmin: hostOf("globex"),
};

async function call(user: UserName, id: string, fields: Record<string, string>) {
  const before = await databaseState(db.url);
  const mark = await auditMark(db.url);
  const result = (await runAs(env, id, { person: env.person(user), host: HOME[user]! }, fields)) as Result;
  return { result, changed: changedTables(before, await databaseState(db.url)), audit: await auditSince(db.url, mark) };
}

const set = (user: UserName, slug: TenantSlug, key: string, value: string) => call(user, SET, { tenantId: fx.tenants[slug], key, value });

const ownRows = async () =>
  ownerQuery<{ slug: string; key: string; value: unknown; locked: boolean }>(
    db.url,
    "select t.slug, s.key, s.value, s.locked from public.tenant_settings s join public.tenants t on t.id = s.tenant_id order by 1, 2",
  );

/** Refused with `message`: nothing changed, one denied row with these details. */
function assertRefused(r: Awaited<ReturnType<typeof call>>, message: string | RegExp, details: Record<string, unknown>) {
  assert.equal(r.result.ok, false, JSON.stringify(r.result));
  if (typeof message === "string") assert.equal(r.result.error, message);
  else assert.match(r.result.error ?? "", message);
  assert.deepEqual(r.changed, [], "nothing changed");
  assert.equal(r.audit.length, 1, JSON.stringify(r.audit));
  assert.equal(r.audit[0].outcome, "denied");
  for (const [k, v] of Object.entries(details)) assert.deepEqual(r.audit[0].details[k], v, `audit detail ${k}`);
}

describe("who may change what", () => {
  test("a tenant admin sets a tenant setting on its tenant and its sites; audited with before and after", async () => {
    const r = await set("acmeAdmin", "acme", "locale.time_zone", "Europe/Paris");
    assert.deepEqual(r.result, { ok: true, data: undefined, message: "Time zone is now Europe/Paris." });
    assert.deepEqual(r.changed.filter((t) => t !== "public.audit_log"), ["public.tenant_settings"]);
    assert.equal(r.audit.length, 1);
    assert.deepEqual([r.audit[0].action, r.audit[0].outcome, r.audit[0].tenant_id], ["setting.set", "success", fx.tenants.acme]);
    assert.deepEqual(r.audit[0].details, { setting: "locale.time_zone", from: "UTC", to: "Europe/Paris" });
    assert.equal((await set("acmeAdmin", "acme-eu", "locale.time_zone", "Europe/Berlin")).result.ok, true);
  });

  test("analysts, viewers and MSSP analysts are refused by the PDP (settings:manage); audited", async () => {
    for (const user of ["acmeAnalyst", "acmeViewer"] as UserName[]) {
      assertRefused(await set(user, "acme", "locale.language", "de-DE"), DENIED, { reason: "pdp_deny" });
    }
    assertRefused(await set("msspAnalyst", "acme", "locale.language", "de-DE"), DENIED, { reason: "pdp_deny" });
  });

  test("across tenants: a sibling, the parent, another MSSP's customer — refused, audited", async () => {
    assertRefused(await set("acmeAdmin", "globex", "locale.language", "de-DE"), DENIED, { reason: "pdp_deny", requested_tenant_id: fx.tenants.globex });
    assertRefused(await set("acmeEuAdmin", "acme", "locale.language", "de-DE"), DENIED, { reason: "pdp_deny" });
    assertRefused(await set("acmeAdmin", "mssp-a", "locale.language", "de-DE"), DENIED, { reason: "pdp_deny" });
    assertRefused(await set("msspBAdmin", "acme", "locale.language", "de-DE"), DENIED, { reason: "pdp_deny" });
  });

  test("what the customer bought needs settings:govern: a customer's admin is refused, the MSSP admin sets it", async () => {
    for (const [key, value] of [
      ["limits.users", "5000"],
      ["features.alert_triage", "false"],
      ["integrations.splunk_hec", "false"],
    ]) {
      assertRefused(await set("acmeAdmin", "acme", key, value), DENIED, { reason: "pdp_deny" });
    }
    const ok = await set("msspAdmin", "acme", "limits.users", "25");
    assert.equal(ok.result.ok, true, JSON.stringify(ok.result));
    assert.equal(ok.result.message, "Users is now 25 users.");
  });
});

describe("bad input: a clear message, nothing changed, an audited refusal", () => {
  test("unknown setting, wrong type, out of bounds", async () => {
    assertRefused(await set("acmeAdmin", "acme", "limits.unicorns", "3"), 'There is no setting called "limits.unicorns".', {
      reason: "rule",
      setting: "limits.unicorns",
      problem: "unknown",
    });
    assertRefused(await set("acmeAdmin", "acme", "session.lifetime_hours", "a day"), "Session lifetime: Enter a whole number.", {
      reason: "rule",
      setting: "session.lifetime_hours",
      problem: "invalid",
    });
    assertRefused(await set("acmeAdmin", "acme", "session.lifetime_hours", "0"), "Session lifetime: At least 1 hours.", { problem: "invalid" });
    assertRefused(await set("acmeAdmin", "acme", "sla.critical.ack_minutes", "50000"), "Critical: time to acknowledge: At most 43200 minutes.", { problem: "invalid" });
    assertRefused(await set("acmeAdmin", "acme", "locale.time_zone", "Europe/Atlantis"), /Not a known IANA time zone/, { problem: "invalid" });
    assertRefused(await set("acmeAdmin", "acme", "notifications.emails", "soc@example.test\nnot an address"), /Each entry must be an email address/, { problem: "invalid" });
    // The refused value itself is never in the audit row.
    const rows = await ownerQuery<{ d: string }>(db.url, "select details::text as d from public.audit_log where outcome = 'denied'");
    assert.ok(!rows.some((r) => r.d.includes("Atlantis") || r.d.includes("a day")));
  });

  test("a form that cannot be a setting change: field messages, nothing audited", async () => {
    const r = await call("acmeAdmin", SET, { tenantId: fx.tenants.acme, key: "Session MFA", value: "on" });
    assert.equal(r.result.ok, false);
    assert.ok(r.result.fieldErrors?.key);
    assert.deepEqual([r.changed, r.audit], [[], []]);
  });
});

describe("locks", () => {
  test("the MSSP admin locks a setting at the MSSP; below it, an override is refused and audited; unlocking from below is refused", async () => {
    assert.equal((await set("msspAdmin", "mssp-a", "locale.language", "en-GB")).result.ok, true);
    assert.equal((await set("acmeAdmin", "acme", "locale.language", "fr-FR")).result.ok, true);
    const locked = await call("msspAdmin", LOCK, { tenantId: fx.tenants["mssp-a"], key: "locale.language" });
    assert.equal(locked.result.ok, true, JSON.stringify(locked.result));
    assert.equal(locked.result.message, "Language is locked at English (United Kingdom) for every tenant below. 1 value set below were removed.");
    assert.deepEqual(locked.audit[0].details, { setting: "locale.language", value: "en-GB", locked: true, cleared_below: 1 });

    const before = await ownRows();
    for (const [user, slug] of [["acmeAdmin", "acme"], ["acmeEuAdmin", "acme-eu"], ["msspAdmin", "acme"]] as [UserName, TenantSlug][]) {
      assertRefused(await set(user, slug, "locale.language", "de-DE"), "Language is locked by Tenant mssp-a (msspAdmin).", {
        reason: "rule",
        setting: "locale.language",
        problem: "locked",
        locked_at: fx.tenants["mssp-a"],
      });
      assertRefused(await call(user, LOCK, { tenantId: fx.tenants[slug], key: "locale.language" }), /locked by Tenant mssp-a/, { problem: "locked" });
    }
    assertRefused(await call("acmeAdmin", UNLOCK, { tenantId: fx.tenants["mssp-a"], key: "locale.language" }), DENIED, { reason: "pdp_deny" });
    assertRefused(await call("acmeAdmin", UNLOCK, { tenantId: fx.tenants.acme, key: "locale.language" }), /locked by Tenant mssp-a/, { problem: "locked" });
    assert.deepEqual(await ownRows(), before);

    // Unlocked by the MSSP admin at the MSSP: the customer may set it again.
    assert.equal((await call("msspAdmin", UNLOCK, { tenantId: fx.tenants["mssp-a"], key: "locale.language" })).result.ok, true);
    assert.equal((await set("acmeAdmin", "acme", "locale.language", "de-DE")).result.ok, true);
    const cleared = await call("acmeAdmin", CLEAR, { tenantId: fx.tenants.acme, key: "locale.language" });
    assert.equal(cleared.result.message, "Language now inherits English (United Kingdom) (from Tenant mssp-a).");
    assertRefused(await call("acmeAdmin", CLEAR, { tenantId: fx.tenants.acme, key: "locale.language" }), "Language is not set here: it already inherits.", { problem: "not_set" });
  });

  test("a customer's admin locks at the customer for its sites", async () => {
    assert.equal((await call("acmeAdmin", LOCK, { tenantId: fx.tenants.acme, key: "sla.high.ack_minutes" })).result.ok, true);
    assertRefused(await set("acmeEuAdmin", "acme-eu", "sla.high.ack_minutes", "10"), "High: time to acknowledge is locked by Tenant acme (acmeAdmin).", { problem: "locked" });
  });
});

describe("integrations per tenant (item 5)", () => {
  const GENERIC = { connector: "generic_api_key", cfg_baseUrl: "https://api.example.com/v1", cfg_testPath: "/me", cfg_headerName: "X-Api-Key" };
  const create = (name: string) =>
    call("acmeAdmin", CREATE_CREDENTIAL, { tenantId: fx.tenants.acme, name, secret: randomBytes(18).toString("base64url"), ...GENERIC });

  test("a kind disabled by configuration cannot be added; existing ones are marked on the credentials page", async () => {
    const existing = await create("before-disable");
    assert.equal(existing.result.ok, true, JSON.stringify(existing.result));
    assert.equal((await set("msspAdmin", "acme", "integrations.generic_api_key", "false")).result.ok, true);

    assertRefused(
      await create("after-disable"),
      "Generic API key is disabled by configuration (turned off at Tenant acme): no credential of this kind can be added. Ask your MSSP to enable it.",
      { reason: "rule" },
    );
    // The sites inherit it.
    const site = await call("msspAdmin", CREATE_CREDENTIAL, { tenantId: fx.tenants["acme-eu"], name: "site-key", secret: randomBytes(18).toString("base64url"), ...GENERIC });
    assertRefused(site, /Generic API key is disabled by configuration \(turned off at Tenant acme\)/, { reason: "rule" });

    const page = await as(fx, "acmeAdmin", (tx) => loadCredentialsPage(tx, "acme", fx.tenants.acme), "acme");
    assert.deepEqual(page.disabledKinds, ["generic_api_key"]);
    assert.ok(page.credentials.some((c) => c.name === "before-disable"), "the existing credential stays");

    // Enabled again (the MSSP clears its override): adding works.
    assert.equal((await call("msspAdmin", CLEAR, { tenantId: fx.tenants.acme, key: "integrations.generic_api_key" })).result.ok, true);
    assert.equal((await create("after-enable")).result.ok, true);
  });

  test("the connector limit holds", async () => {
    const [{ n }] = await ownerQuery<{ n: number }>(db.url, "select count(*)::int as n from public.credentials where tenant_id = $1", [fx.tenants.acme]);
    assert.equal((await set("msspAdmin", "acme", "limits.connectors", String(n))).result.ok, true);
    assertRefused(await create("one-too-many"), `This tenant may hold at most ${n} connector credentials (its configured limit); delete one first or ask your MSSP to raise the limit.`, {
      reason: "rule",
    });
  });
});
