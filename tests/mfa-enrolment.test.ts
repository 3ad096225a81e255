// Who must use MFA, and the enrolment lifecycle (lib/auth/mfa.ts), on the
// fixture tree:
//
//   mssp-a ─┬─ acme ─┬─ acme-eu
//           │        └─ acme-us
//           └─ globex
//   mssp-b ─── other-co
//
// Plus: the MFA tables are out of reach of `authenticated` and `anon`, even
// for an MSSP admin's own row.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-mfa-enrolment";

import {
  confirmEnrolment,
  disableMfa,
  getMfaStatus,
  getPendingEnrolment,
  MAX_FAILED_CODES,
  mfaEnrollmentRequired,
  regenerateRecoveryCodes,
  startEnrolment,
  verifySecondFactor,
} from "@/lib/auth/mfa";
import { base32Decode, hotp, totp, totpStep } from "@/lib/auth/totp";
import { inTransaction } from "@/lib/db/with-tenant";
import { accessTokenHookEvent } from "@/lib/db/claims";
import { emailOf, insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as, assertRefused, attempt } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let clock = Date.now();
const later = (seconds = 120) => new Date((clock += seconds * 1000));
/** Enrolment started at the test's clock (a setup waits PENDING_MINUTES for its code, measured on the same clock). */
const startAtClock = (u: { id: string; email: string }) => startEnrolment(u, { now: new Date(clock) });

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const user = (name: UserName) => ({ id: fx.users[name], email: emailOf(name) });

/** session.mfa_required on at exactly these tenants (lib/settings; was tenants.require_mfa). */
async function setRequire(slugs: TenantSlug[], off: TenantSlug[] = []) {
  await withClient(db.url, async (c) => {
    await c.query("delete from public.tenant_settings where key = 'session.mfa_required'");
    await c.query(
      `insert into public.tenant_settings (tenant_id, key, value)
       select id, 'session.mfa_required', to_jsonb(id = any ($1::uuid[])) from public.tenants where id = any ($1::uuid[] || $2::uuid[])`,
      [slugs.map((s) => fx.tenants[s]), off.map((s) => fx.tenants[s])],
    );
  });
}

async function required(): Promise<UserName[]> {
  const out: UserName[] = [];
  for (const name of Object.keys(fx.users) as UserName[]) if ((await getMfaStatus(fx.users[name])).required) out.push(name);
  return out.sort();
}

describe("MFA is required for", () => {
  beforeEach(() => setRequire([]));

  test("every MSSP role, and nobody else while no tenant requires it", async () => {
    assert.deepEqual(await required(), ["msspAdmin", "msspAnalyst", "msspBAdmin"]);
  });

  test("members of a tenant with require_mfa, and of its sites (inherited down the tree)", async () => {
    await setRequire(["acme"]);
    assert.deepEqual(await required(), [
      "acmeAdmin",
      "acmeAnalyst",
      "acmeEuAdmin", // a site of acme: the ancestor's setting applies
      "acmeUsAdmin",
      "acmeViewer",
      "msspAdmin",
      "msspAnalyst",
      "msspBAdmin",
      "twoCustomers", // one of its memberships is on acme
    ]);
  });

  test("a site's setting binds the site's members and the members above it (who can read its data), not its siblings", async () => {
    await setRequire(["acme-eu"]);
    const names = await required();
    assert.ok(names.includes("acmeEuAdmin"));
    assert.ok(names.includes("acmeAdmin"), "acme's members can read acme-eu, so they must use MFA");
    assert.ok(!names.includes("acmeUsAdmin"), "a sibling site is not affected");
    assert.ok(!names.includes("globexAdmin"));
    assert.ok(!names.includes("noMemberships"));
  });

  test("another MSSP's tenants are unaffected", async () => {
    await setRequire(["other-co"]);
    const names = await required();
    assert.ok(names.includes("otherCoAdmin"));
    for (const n of ["acmeAdmin", "globexAdmin", "acmeEuAdmin", "twoCustomers"] as UserName[]) assert.ok(!names.includes(n), n);
  });

  test("a lock above decides: locked off at the MSSP, a customer's own 'on' does not stand", async () => {
    await setRequire(["acme"]);
    await withClient(db.url, (c) =>
      c.query("insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, 'session.mfa_required', 'false', true)", [fx.tenants["mssp-a"]]),
    );
    const names = await required();
    assert.ok(!names.includes("acmeAdmin") && !names.includes("acmeEuAdmin"), names.join());
  });

  test("locked on at the MSSP: every member below it, whatever they set", async () => {
    await setRequire([], ["acme"]);
    await withClient(db.url, (c) =>
      c.query("insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, 'session.mfa_required', 'true', true)", [fx.tenants["mssp-a"]]),
    );
    const names = await required();
    for (const n of ["acmeAdmin", "acmeEuAdmin", "globexAdmin", "twoCustomers"] as UserName[]) assert.ok(names.includes(n), n);
    assert.ok(!names.includes("otherCoAdmin"), "another MSSP's tenants are unaffected");
  });

  test("enrolment required = required and not confirmed; confirming clears it", async () => {
    await setRequire(["globex"]);
    const g = user("globexAdmin");
    assert.equal(await mfaEnrollmentRequired(g.id), true);
    assert.equal(await mfaEnrollmentRequired(fx.users.acmeAdmin), false);
    const start = await startAtClock(g);
    assert.ok(start.ok);
    assert.equal(await mfaEnrollmentRequired(g.id), true, "a pending secret is not enough");
    const now = later();
    assert.ok((await confirmEnrolment(g.id, totp(base32Decode(start.enrolment.secret), now), now)).ok);
    assert.equal(await mfaEnrollmentRequired(g.id), false);
  });
});

describe("enrolment", () => {
  test("start creates a pending secret; resuming returns the same one; restart replaces it", async () => {
    const u = user("acmeViewer");
    const first = await startEnrolment(u);
    assert.ok(first.ok);
    assert.match(first.enrolment.secret, /^[A-Z2-7]{32}$/);
    assert.match(first.enrolment.otpauthUri, /^otpauth:\/\/totp\/MSSP%20Portal:acme-viewer%40example\.test\?secret=[A-Z2-7]{32}&issuer=MSSP\+Portal/);
    const status = await getMfaStatus(u.id);
    assert.deepEqual([status.pending, status.enrolled], [true, false]);
    const again = await startEnrolment(u);
    assert.ok(again.ok && again.enrolment.secret === first.enrolment.secret);
    assert.equal((await getPendingEnrolment(u))?.secret, first.enrolment.secret);
    const restarted = await startEnrolment(u, { restart: true });
    assert.ok(restarted.ok && restarted.enrolment.secret !== first.enrolment.secret);
  });

  test("a wrong confirmation code loses nothing: the pending secret stays, and the right code then works", async () => {
    const u = user("acmeAnalyst");
    const start = await startAtClock(u);
    assert.ok(start.ok);
    const secret = base32Decode(start.enrolment.secret);
    const now = later();
    const wrong = hotp(secret, totpStep(now) + 5);
    assert.deepEqual(await confirmEnrolment(u.id, wrong, now), { ok: false, reason: "invalid" });
    assert.deepEqual(await confirmEnrolment(u.id, "12345", now), { ok: false, reason: "invalid" });
    assert.equal((await getPendingEnrolment(u))?.secret, start.enrolment.secret);
    assert.equal((await getMfaStatus(u.id)).enrolled, false);

    const confirmed = await confirmEnrolment(u.id, totp(secret, now), now);
    assert.ok(confirmed.ok);
    assert.equal(confirmed.recoveryCodes.length, 10);
    const status = await getMfaStatus(u.id);
    assert.deepEqual([status.enrolled, status.pending, status.recoveryCodesLeft], [true, false, 10]);
    assert.equal(await getPendingEnrolment(u), null, "a confirmed secret is never shown again");
    assert.deepEqual(await startEnrolment(u), { ok: false, reason: "already_enrolled" });
    assert.deepEqual(await confirmEnrolment(u.id, totp(secret, later()), later()), { ok: false, reason: "already_enrolled" });
  });

  test("confirming without a pending secret is refused", async () => {
    assert.deepEqual(await confirmEnrolment(fx.users.noMemberships, "123456"), { ok: false, reason: "no_pending" });
  });

  test("new recovery codes need a current code; the old codes stop working", async () => {
    const u = user("acmeUsAdmin");
    const start = await startAtClock(u);
    assert.ok(start.ok);
    const secret = base32Decode(start.enrolment.secret);
    let now = later();
    const confirmed = await confirmEnrolment(u.id, totp(secret, now), now);
    assert.ok(confirmed.ok);

    now = later();
    assert.deepEqual(await regenerateRecoveryCodes(u.id, "000000" === totp(secret, now) ? "111111" : "000000", now), { ok: false, reason: "invalid" });
    const regenerated = await regenerateRecoveryCodes(u.id, totp(secret, now), now);
    assert.ok(regenerated.ok);
    assert.equal(regenerated.recoveryCodes.length, 10);
    assert.equal(regenerated.recoveryCodes.filter((c) => confirmed.recoveryCodes.includes(c)).length, 0);
    assert.deepEqual(await verifySecondFactor(u.id, confirmed.recoveryCodes[0], later()), { ok: false, reason: "invalid" });
    assert.deepEqual(await verifySecondFactor(u.id, regenerated.recoveryCodes[0], later()), { ok: true, method: "recovery" });
    assert.equal((await getMfaStatus(u.id)).recoveryCodesLeft, 9);
  });

  test("the account page's code checks lock that page, not sign-in (they are counted apart)", async () => {
    const u = user("globexAdmin"); // enrolled in the "required" tests above
    const status = await getMfaStatus(u.id);
    assert.ok(status.enrolled);
    const now = later();
    for (let i = 0; i < MAX_FAILED_CODES; i++) await regenerateRecoveryCodes(u.id, "abcd-efgh-jkmn-pqrs", now);
    const locked = await regenerateRecoveryCodes(u.id, "abcd-efgh-jkmn-pqrs", now);
    assert.equal(!locked.ok && locked.reason, "locked");
    assert.ok((await getMfaStatus(u.id)).accountLockedUntil, "the page shows its lock");
    // Someone holding a session cannot lock the user's sign-in this way (tests/mfa-lockout.test.ts has more).
    const signIn = await verifySecondFactor(u.id, "abcd-efgh-jkmn-pqrs", now);
    assert.equal(!signIn.ok && signIn.reason, "invalid");
  });

  test("turning MFA off needs a current code, and is refused while MFA is required", async () => {
    await setRequire([]);
    const viewer = user("acmeEuAdmin");
    const start = await startAtClock(viewer);
    assert.ok(start.ok);
    const secret = base32Decode(start.enrolment.secret);
    let now = later();
    assert.ok((await confirmEnrolment(viewer.id, totp(secret, now), now)).ok);

    now = later();
    assert.deepEqual(await disableMfa(viewer.id, "not-a-code", now), { ok: false, reason: "invalid" });
    await setRequire(["acme"]);
    assert.deepEqual(await disableMfa(viewer.id, totp(secret, now), now), { ok: false, reason: "required" });
    await setRequire([]);
    assert.deepEqual(await disableMfa(viewer.id, totp(secret, now), now), { ok: true });
    const status = await getMfaStatus(viewer.id);
    assert.deepEqual([status.enrolled, status.pending, status.recoveryCodesLeft], [false, false, 0]);

    // An MSSP admin can never turn it off.
    const admin = user("msspAdmin");
    const s2 = await startAtClock(admin);
    assert.ok(s2.ok);
    now = later();
    assert.ok((await confirmEnrolment(admin.id, totp(base32Decode(s2.enrolment.secret), now), now)).ok);
    now = later();
    assert.deepEqual(await disableMfa(admin.id, totp(base32Decode(s2.enrolment.secret), now), now), { ok: false, reason: "required" });
  });
});

describe("the MFA tables are out of reach of the API roles", () => {
  test("authenticated, even an MSSP admin on its own row, reads and writes nothing (42501)", async () => {
    await as(fx, "msspAdmin", async ({ client }) => {
      for (const table of ["user_mfa", "user_recovery_codes"]) {
        assertRefused(await attempt(client, `select * from public.${table}`));
        assertRefused(await attempt(client, `select count(*) from public.${table} where user_id = $1`, [fx.users.msspAdmin]));
        assertRefused(await attempt(client, `delete from public.${table} where user_id = $1`, [fx.users.msspAdmin]));
        assertRefused(await attempt(client, `update public.${table} set user_id = user_id`));
      }
      assertRefused(
        await attempt(client, "insert into public.user_mfa (user_id, totp_secret, confirmed_at) values ($1, 'v1.AAAA', now())", [
          fx.users.acmeAdmin,
        ]),
      );
    });
  });

  test("anon reads and writes nothing", async () => {
    await inTransaction(async (client) => {
      await client.query("select set_config('request.jwt.claims', $1, true)", [
        JSON.stringify(accessTokenHookEvent({ userId: fx.users.msspAdmin }).claims),
      ]);
      await client.query("set local role anon");
      for (const table of ["user_mfa", "user_recovery_codes"]) {
        assertRefused(await attempt(client, `select * from public.${table}`));
        assertRefused(await attempt(client, `delete from public.${table}`));
      }
    });
  });

  test("session.mfa_required applies to an analyst, who reads its effective value but not the row; only admins of the tenant may change it (tests/tenant-settings.test.ts)", async () => {
    await setRequire(["acme"]);
    await as(fx, "acmeAnalyst", async ({ client }) => {
      // The rows are the configuration, read by the settings:view roles only (20261201032400); the requirement itself is
      // decided by sessions.mfa_required and shown through settings.effective, both as their owner.
      const read = await attempt(client, "select value from public.tenant_settings where tenant_id = $1 and key = 'session.mfa_required'", [fx.tenants.acme]);
      assert.ok(read.ok && read.rowCount === 0, "an analyst does not read the setting's row");
      const effective = await attempt(client, "select value from settings.effective(array[$1::uuid]) where tenant_id = $1::uuid and key = 'session.mfa_required'", [fx.tenants.acme]);
      assert.ok(effective.ok && effective.rowCount === 1 && effective.rows[0].value === true, `an analyst reads its effective value: ${JSON.stringify(effective)}`);
      const write = await attempt(client, "update public.tenant_settings set value = 'false' where tenant_id = $1", [fx.tenants.acme]);
      assert.equal(write.ok ? write.rowCount : 0, 0, "an analyst cannot change it");
    });
    await as(fx, "acmeAdmin", async ({ client }) => {
      const other = await attempt(client, "insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.mfa_required', 'true')", [fx.tenants.globex]);
      assert.ok(!other.ok, "not on a sibling tenant");
    });
  });

  test("RLS is enabled and forced on both tables, with no grant to anon or authenticated", async () => {
    const rows = await withClient(db.url, (c) =>
      c.query(`
        select c.relname, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
               has_table_privilege('authenticated', c.oid, 'select,insert,update,delete') as auth_any,
               has_table_privilege('anon', c.oid, 'select,insert,update,delete') as anon_any
          from pg_class c where c.oid in ('public.user_mfa'::regclass, 'public.user_recovery_codes'::regclass) order by 1`),
    );
    assert.deepEqual(rows.rows, [
      { relname: "user_mfa", rls: true, forced: true, auth_any: false, anon_any: false },
      { relname: "user_recovery_codes", rls: true, forced: true, auth_any: false, anon_any: false },
    ]);
  });
});
