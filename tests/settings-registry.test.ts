// The settings registry (lib/settings) on a real Postgres under RLS: the
// inheritance matrix (default, override at each level, lock at each level,
// the shallowest lock, a subtree moved under another parent re-resolving),
// every setting's bounds, the refusals (unknown, wrong type, out of bounds,
// locked, tighten-only, SLA pairs), and docs/configuration.md naming every
// setting. The PDP side is the actions' (tests/settings-actions.test.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, beforeEach, describe, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { moveTenant } from "@/lib/lifecycle/move";
import {
  clearSettingValue,
  effectiveConfig,
  lockSettingValue,
  parseSettingValue,
  SETTINGS,
  setSettingValue,
  settingDefinition,
  SettingRefusal,
  unlockSettingValue,
  type EffectiveSetting,
} from "@/lib/settings";
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

const KEY = "locale.time_zone";

/** The effective setting of `key` at `slug`, as `user` sees it. */
const eff = (user: UserName, slug: TenantSlug, key = KEY) =>
  as(fx, user, async (tx) => (await effectiveConfig(tx, fx.tenants[slug]))?.get(key) ?? null);

/** What the page shows about it: "value @ source" ("Default", "here", "from <tenant>", "locked by <tenant>"). */
const shown = (s: EffectiveSetting | null) =>
  s === null
    ? "invisible"
    : `${String(s.value)} ${s.source === "default" ? "default" : s.lockedBy ? `locked by ${s.lockedBy.tenantName}` : s.source === "here" ? (s.lockedHere ? "here, locked" : "here") : `from ${s.sourceName}`}`;

const set = (user: UserName, slug: TenantSlug, raw: string, key = KEY) => as(fx, user, (tx) => setSettingValue(tx, { tenantId: fx.tenants[slug], key, raw }));
const lock = (user: UserName, slug: TenantSlug, key = KEY) => as(fx, user, (tx) => lockSettingValue(tx, { tenantId: fx.tenants[slug], key }));

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof SettingRefusal, `a SettingRefusal, not ${(error as Error).stack}`);
    return error.message;
  }
  assert.fail("not refused");
}

const TREE: TenantSlug[] = ["mssp-a", "acme", "acme-eu", "acme-us", "globex"];
/** Shown at every tenant of the tree, as the MSSP admin (who sees all of it). */
const matrix = async (key = KEY) => Object.fromEntries(await Promise.all(TREE.map(async (t) => [t, shown(await eff("msspAdmin", t, key))])));

describe("inheritance", () => {
  test("nothing set: every setting is its default everywhere", async () => {
    const config = await as(fx, "acmeEuAdmin", (tx) => effectiveConfig(tx, fx.tenants["acme-eu"]));
    assert.ok(config);
    for (const s of config.settings) {
      assert.equal(s.source, "default", s.key);
      assert.deepEqual(s.value, settingDefinition(s.key)!.default, s.key);
    }
    assert.equal(config.settings.length, SETTINGS.length);
  });

  test("an override at each level: the nearest value wins, each says where it comes from", async () => {
    await set("msspAdmin", "mssp-a", "Europe/London");
    assert.deepEqual(await matrix(), {
      "mssp-a": "Europe/London here",
      acme: "Europe/London from Tenant mssp-a",
      "acme-eu": "Europe/London from Tenant mssp-a",
      "acme-us": "Europe/London from Tenant mssp-a",
      globex: "Europe/London from Tenant mssp-a",
    });
    await set("acmeAdmin", "acme", "Europe/Paris");
    await set("acmeEuAdmin", "acme-eu", "Europe/Berlin");
    assert.deepEqual(await matrix(), {
      "mssp-a": "Europe/London here",
      acme: "Europe/Paris here",
      "acme-eu": "Europe/Berlin here",
      "acme-us": "Europe/Paris from Tenant acme",
      globex: "Europe/London from Tenant mssp-a",
    });
    // Clearing an override: it inherits again.
    await as(fx, "acmeAdmin", (tx) => clearSettingValue(tx, { tenantId: fx.tenants.acme, key: KEY }));
    assert.equal(shown(await eff("msspAdmin", "acme-us")), "Europe/London from Tenant mssp-a");
    assert.equal(shown(await eff("msspAdmin", "acme-eu")), "Europe/Berlin here");
  });

  test("a customer's admin sees what comes from the MSSP, and nothing of a sibling", async () => {
    await set("msspAdmin", "mssp-a", "Asia/Tokyo");
    assert.equal(shown(await eff("acmeViewer", "acme")), "Asia/Tokyo from Tenant mssp-a");
    assert.equal(shown(await eff("acmeAdmin", "globex")), "invisible");
    assert.equal(shown(await eff("msspBAdmin", "acme")), "invisible");
  });
});

describe("locks", () => {
  test("locked at the MSSP: every tenant below shows it locked, with who locked it, and cannot set it", async () => {
    await set("msspAdmin", "mssp-a", "UTC");
    const locked = await lock("msspAdmin", "mssp-a");
    assert.equal(locked.locked, true);
    assert.deepEqual(await matrix(), {
      "mssp-a": "UTC here, locked",
      acme: "UTC locked by Tenant mssp-a",
      "acme-eu": "UTC locked by Tenant mssp-a",
      "acme-us": "UTC locked by Tenant mssp-a",
      globex: "UTC locked by Tenant mssp-a",
    });
    assert.equal((await eff("acmeAdmin", "acme"))?.lockedBy?.who, "msspAdmin");
    assert.equal(await refusal(set("acmeAdmin", "acme", "Europe/Paris")), "Time zone is locked by Tenant mssp-a (msspAdmin).");
    assert.equal(await refusal(set("acmeEuAdmin", "acme-eu", "Europe/Paris")), "Time zone is locked by Tenant mssp-a (msspAdmin).");
    assert.equal(await refusal(lock("acmeAdmin", "acme")), "Time zone is locked by Tenant mssp-a (msspAdmin).");
    // Other MSSPs are not affected.
    assert.equal(shown(await eff("otherCoAdmin", "other-co")), "UTC default");
  });

  test("locked at a customer: its sites are bound, the MSSP and siblings are not", async () => {
    await set("acmeAdmin", "acme", "Europe/Paris");
    await lock("acmeAdmin", "acme");
    assert.deepEqual(await matrix(), {
      "mssp-a": "UTC default",
      acme: "Europe/Paris here, locked",
      "acme-eu": "Europe/Paris locked by Tenant acme",
      "acme-us": "Europe/Paris locked by Tenant acme",
      globex: "UTC default",
    });
    assert.match(await refusal(set("acmeEuAdmin", "acme-eu", "UTC")), /locked by Tenant acme \(acmeAdmin\)/);
    // The MSSP may still change the default above it; acme keeps its locked value.
    await set("msspAdmin", "mssp-a", "Asia/Tokyo");
    assert.equal(shown(await eff("msspAdmin", "acme-eu")), "Europe/Paris locked by Tenant acme");
  });

  test("locked at a site (a leaf): binds nothing else", async () => {
    await lock("acmeEuAdmin", "acme-eu");
    assert.equal(shown(await eff("msspAdmin", "acme-eu")), "UTC here, locked");
    assert.equal(shown(await eff("msspAdmin", "acme-us")), "UTC default");
  });

  test("a lock removes the values set below it, so an unlock does not bring them back", async () => {
    await set("acmeAdmin", "acme", "Europe/Paris");
    await set("acmeEuAdmin", "acme-eu", "Europe/Berlin");
    const locked = await lock("msspAdmin", "mssp-a");
    assert.equal(locked.clearedBelow, 2);
    await as(fx, "msspAdmin", (tx) => unlockSettingValue(tx, { tenantId: fx.tenants["mssp-a"], key: KEY }));
    assert.equal(shown(await eff("msspAdmin", "acme-eu")), "UTC from Tenant mssp-a");
    // Unlocking what is not locked here is refused, and so is unlocking the MSSP's lock from below.
    assert.match(await refusal(as(fx, "msspAdmin", (tx) => unlockSettingValue(tx, { tenantId: fx.tenants["mssp-a"], key: KEY }))), /not locked here/);
    await lock("msspAdmin", "mssp-a");
    assert.match(await refusal(as(fx, "acmeAdmin", (tx) => unlockSettingValue(tx, { tenantId: fx.tenants.acme, key: KEY }))), /locked by Tenant mssp-a/);
  });

  test("two locks on one path (written by the owner): the shallowest wins", async () => {
    await withClient(db.url, async (c) => {
      await c.query(`insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, $2, '"Europe/Paris"', true)`, [fx.tenants.acme, KEY]);
      await c.query(`insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, $2, '"Asia/Tokyo"', true)`, [fx.tenants["mssp-a"], KEY]);
    });
    assert.equal(shown(await eff("msspAdmin", "acme-eu")), "Asia/Tokyo locked by Tenant mssp-a");
    assert.equal(shown(await eff("msspAdmin", "acme")), "Asia/Tokyo locked by Tenant mssp-a");
  });

  test("a subtree moved under another parent re-resolves: the old parent's lock goes, the new parent's applies", async () => {
    await set("acmeAdmin", "acme", "Europe/Paris");
    await lock("acmeAdmin", "acme");
    await set("msspAdmin", "globex", "America/New_York");
    assert.equal(shown(await eff("msspAdmin", "acme-us")), "Europe/Paris locked by Tenant acme");
    await withServiceRole("lifecycle.workflow", (sdb) => moveTenant(sdb, fx.tenants["acme-us"], fx.tenants.globex));
    try {
      assert.equal(shown(await eff("msspAdmin", "acme-us")), "America/New_York from Tenant globex");
      // Under a lock after the move: a value the site had set is overruled.
      await set("msspAdmin", "acme-us", "Asia/Tokyo");
      await lock("msspAdmin", "globex");
      await withClient(db.url, (c) => c.query(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.language', '"de-DE"')`, [fx.tenants["acme-us"]]));
      await withServiceRole("lifecycle.workflow", (sdb) => moveTenant(sdb, fx.tenants["acme-us"], fx.tenants.acme));
      assert.equal(shown(await eff("msspAdmin", "acme-us")), "Europe/Paris locked by Tenant acme");
      assert.equal(shown(await eff("msspAdmin", "acme-us", "locale.language")), "de-DE here", "its own unlocked values move with it");
    } finally {
      const at = await withClient(db.url, async (c) => (await c.query("select parent_id from public.tenants where id = $1", [fx.tenants["acme-us"]])).rows[0].parent_id);
      if (at !== fx.tenants.acme) await withServiceRole("lifecycle.workflow", (sdb) => moveTenant(sdb, fx.tenants["acme-us"], fx.tenants.acme));
    }
  });
});

describe("refusals: nothing changes", () => {
  const rows = () => withClient(db.url, async (c) => (await c.query("select tenant_id, key, value, locked from public.tenant_settings order by 1, 2")).rows);

  test("an unknown setting, a wrong type, a value out of bounds", async () => {
    await set("acmeAdmin", "acme", "8", "session.lifetime_hours");
    const before = await rows();
    assert.equal(await refusal(set("acmeAdmin", "acme", "x", "limits.unicorns")), 'There is no setting called "limits.unicorns".');
    assert.equal(await refusal(set("acmeAdmin", "acme", "eight", "session.lifetime_hours")), "Session lifetime: Enter a whole number.");
    assert.equal(await refusal(set("acmeAdmin", "acme", "721", "session.lifetime_hours")), "Session lifetime: At most 720 hours.");
    assert.equal(await refusal(set("acmeAdmin", "acme", "Mars/Olympus_Mons")), "Time zone: Not a known IANA time zone (for example Europe/Paris).");
    assert.equal(await refusal(set("acmeAdmin", "acme", "maybe", "session.mfa_required")), "MFA required: Choose on or off.");
    assert.deepEqual(await rows(), before);
  });

  test("time to acknowledge longer than time to resolve, for the same severity", async () => {
    assert.match(await refusal(set("acmeAdmin", "acme", "300", "sla.critical.ack_minutes")), /cannot be longer than the time to resolve \(240 minutes\) for critical alerts/);
    await set("acmeAdmin", "acme", "300", "sla.critical.resolve_minutes");
    await set("acmeAdmin", "acme", "300", "sla.critical.ack_minutes");
    assert.match(await refusal(set("acmeAdmin", "acme", "120", "sla.critical.resolve_minutes")), /cannot be longer/);
  });

  test("MFA only tightens down the tree: on at a customer, a site cannot turn it off; on removes 'off' below", async () => {
    await set("acmeEuAdmin", "acme-eu", "false", "session.mfa_required");
    await set("acmeAdmin", "acme", "true", "session.mfa_required");
    assert.equal(shown(await eff("msspAdmin", "acme-eu", "session.mfa_required")), "true from Tenant acme", "the site's 'off' was removed");
    assert.equal(await refusal(set("acmeEuAdmin", "acme-eu", "false", "session.mfa_required")), "MFA required is on at Tenant acme: a tenant below it cannot turn it off.");
    // Off at the customer itself is its own choice (nothing above has it on).
    await set("acmeAdmin", "acme", "false", "session.mfa_required");
    assert.equal(shown(await eff("msspAdmin", "acme-eu", "session.mfa_required")), "false from Tenant acme");
  });
});

describe("every setting's bounds", () => {
  for (const d of SETTINGS) {
    test(d.key, () => {
      assert.ok(d.schema.safeParse(d.default).success, "the default passes its own schema");
      assert.ok(d.label && d.description && d.bounds, "label, description, bounds");
      const ok = (raw: string) => assert.doesNotThrow(() => parseSettingValue(d, raw), `${d.key} accepts ${raw}`);
      const no = (raw: string) => assert.throws(() => parseSettingValue(d, raw), SettingRefusal, `${d.key} refuses ${raw.slice(0, 40)}`);
      switch (d.input.kind) {
        case "boolean":
          ["true", "false", "on", "off"].forEach(ok);
          ["", "yes", "1", "maybe"].forEach(no);
          break;
        case "integer":
          [String(d.input.min), String(d.input.max)].forEach(ok);
          [String(d.input.min - 1), String(d.input.max + 1), "1.5", "abc", "", "1e3", "9".repeat(20)].forEach(no);
          break;
        case "select":
          ok(d.input.options[0].value);
          ["", "Mars/Olympus_Mons", "en_US", " ".repeat(3)].forEach(no);
          break;
        case "list": {
          const good = d.input.item === "email" ? (i: number) => `soc${i}@example.test` : (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
          ok("");
          ok(Array.from({ length: d.input.max }, (_, i) => good(i)).join("\n"));
          no(Array.from({ length: d.input.max + 1 }, (_, i) => good(i)).join("\n"));
          no(`${good(1)}\n${good(1)}`);
          no("not-an-item");
          break;
        }
      }
    });
  }

  test("session.mfa_required defaults to off, as the SQL of sessions.mfa_required assumes", () => {
    assert.equal(settingDefinition("session.mfa_required")?.default, false);
  });

  test("docs/configuration.md names every setting with its default", () => {
    const md = readFileSync("docs/configuration.md", "utf8");
    for (const d of SETTINGS) assert.ok(md.includes(`\`${d.key}\``), `docs/configuration.md lists ${d.key}`);
  });
});
