// Sign-in with a second factor, against the real tables (lib/auth/credentials.ts
// authenticate, lib/auth/mfa.ts). Tries what an attacker would: skipping the
// code, guessing codes, replaying a code, reusing a recovery code, learning
// from a wrong password whether MFA is on, and moving a sealed secret to
// another account.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-mfa-sign-in";

import { authenticate, type AuthenticateResult } from "@/lib/auth/credentials";
import { CODE_LOCKOUT_MINUTES, confirmEnrolment, MAX_FAILED_CODES, startEnrolment } from "@/lib/auth/mfa";
import { jwtCallback } from "@/lib/auth/jwt-callback";
import { openSession } from "@/lib/auth/sessions";
import { hashPassword } from "@/lib/auth/password";
import { signInErrorMessage } from "@/lib/auth/sign-in-messages";
import { base32Decode, hotp, totp, totpStep } from "@/lib/auth/totp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const PASSWORD = "correct horse battery staple";
let db: TestDatabase;
let passwordHash: string;

// Each test moves the clock on by a few steps, so codes of one test are never
// replays of another's.
let clock = Date.now();
const later = (seconds = 120) => new Date((clock += seconds * 1000));

interface Enrolled {
  id: string;
  email: string;
  secret: Buffer;
  recoveryCodes: string[];
}

async function addUser(email: string, membership?: { slug: string; role: string }): Promise<string> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      "insert into public.users (email, name, password_hash) values ($1, 'T', $2) returning id",
      [email, passwordHash],
    );
    if (membership) {
      await c.query(
        "insert into public.memberships (tenant_id, user_id, role) select id, $2, $3 from public.tenants where slug = $1",
        [membership.slug, rows[0].id, membership.role],
      );
    }
    return rows[0].id;
  });
}

async function enrolled(email: string): Promise<Enrolled> {
  const id = await addUser(email);
  const now = later();
  const start = await startEnrolment({ id, email }, { now });
  assert.ok(start.ok);
  const secret = base32Decode(start.enrolment.secret);
  const confirmed = await confirmEnrolment(id, totp(secret, now), now);
  assert.ok(confirmed.ok);
  return { id, email, secret, recoveryCodes: confirmed.recoveryCodes };
}

const mfaRow = (userId: string) =>
  withClient(db.url, async (c) => (await c.query("select * from public.user_mfa where user_id = $1", [userId])).rows[0]);

// The code lockout is per user whatever the source; tests of it send each
// attempt from its own source, so the per-(email, source) password bucket
// (which a right password with a wrong code also spends) stays out of the way.
let sources = 0;
const src = () => ({ source: `192.0.2.${++sources}` });

function reason(r: AuthenticateResult): string {
  return r.ok ? "ok" : r.reason;
}

before(async () => {
  db = await createTestDatabase();
  passwordHash = await hashPassword(PASSWORD);
  await withClient(db.url, async (c) => {
    await c.query("insert into public.tenants (slug, name, kind) values ('mssp-x', 'MSSP X', 'mssp')");
    await c.query(
      "insert into public.tenants (parent_id, slug, name, kind) select id, 'cust-x', 'Customer X', 'customer' from public.tenants where slug = 'mssp-x'",
    );
  });
});
after(() => db.drop());

describe("sign-in with TOTP enrolled", () => {
  test("the right password alone is not enough: the answer is mfa_required, and no sign-in is recorded", async () => {
    const u = await enrolled("needs-code@test.example");
    const result = await authenticate({ email: u.email, password: PASSWORD }, later());
    assert.deepEqual(result, { ok: false, reason: "mfa_required" });
    assert.deepEqual(await authenticate({ email: u.email, password: PASSWORD, code: "" }, later()), { ok: false, reason: "mfa_required" });
    const row = await withClient(db.url, async (c) => (await c.query("select last_login_at from public.users where id = $1", [u.id])).rows[0]);
    assert.equal(row.last_login_at, null);
  });

  test("password + current code signs in", async () => {
    const u = await enrolled("ok@test.example");
    const now = later();
    const result = await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, now) }, now);
    assert.equal(result.ok, true);
    assert.ok(result.ok && result.mfaMethod === "totp" && result.mfaEnrollmentRequired === false);
    assert.equal(Number((await mfaRow(u.id)).last_used_step), totpStep(now));
  });

  test("a code from the previous or next step is accepted (clock drift), two steps away is not", async () => {
    const u = await enrolled("drift@test.example");
    const now = later();
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: hotp(u.secret, totpStep(now) - 2) }, now)), "mfa_invalid");
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: hotp(u.secret, totpStep(now) - 1) }, now)), "ok");
    const next = later();
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: hotp(u.secret, totpStep(next) + 1) }, next)), "ok");
  });

  test("a wrong password says nothing about MFA, with or without a code", async () => {
    const u = await enrolled("quiet@test.example");
    const stepBefore = (await mfaRow(u.id)).last_used_step;
    const now = later();
    const wrong = await authenticate({ email: u.email, password: "nope", code: totp(u.secret, now) }, now);
    const unknown = await authenticate({ email: "ghost@test.example", password: "nope", code: "123456" }, now);
    const noCode = await authenticate({ email: u.email, password: "nope" }, now);
    assert.deepEqual(wrong, { ok: false, reason: "invalid" });
    assert.deepEqual(unknown, wrong);
    assert.deepEqual(noCode, wrong);
    assert.equal(signInErrorMessage("invalid"), "Wrong email or password.");
    // ...and that failed password did not burn the code's step.
    assert.equal((await mfaRow(u.id)).last_used_step, stepBefore);
    assert.equal((await mfaRow(u.id)).failed_count, 0);
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, now) }, now)), "ok");
  });

  test("replay: a code that signed in once is refused the second time, even within its window", async () => {
    const u = await enrolled("replay@test.example");
    const now = later();
    const code = totp(u.secret, now);
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code }, now)), "ok");
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code }, now)), "mfa_invalid");
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code }, new Date(now.getTime() + 25_000))), "mfa_invalid");
    // And the previous step's code, still inside the window, is refused too.
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: hotp(u.secret, totpStep(now) - 1) }, now)), "mfa_invalid");
  });

  test("the confirmation code of the enrolment cannot be replayed at sign-in", async () => {
    const id = await addUser("confirm-replay@test.example");
    const now = later();
    const start = await startEnrolment({ id, email: "confirm-replay@test.example" }, { now });
    assert.ok(start.ok);
    const secret = base32Decode(start.enrolment.secret);
    const code = totp(secret, now);
    assert.ok((await confirmEnrolment(id, code, now)).ok);
    assert.equal(reason(await authenticate({ email: "confirm-replay@test.example", password: PASSWORD, code }, now)), "mfa_invalid");
  });

  test(`${MAX_FAILED_CODES} wrong codes lock the second factor for ${CODE_LOCKOUT_MINUTES} minutes, even against the right code`, async () => {
    const u = await enrolled("guesser@test.example");
    const now = later();
    const right = totp(u.secret, now);
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 1; i < MAX_FAILED_CODES; i++) {
      assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: wrong }, now, src())), "mfa_invalid", `attempt ${i}`);
    }
    const locking = await authenticate({ email: u.email, password: PASSWORD, code: wrong }, now, src());
    assert.equal(reason(locking), "mfa_locked");
    assert.ok(!locking.ok && locking.reason === "mfa_locked" && locking.retryAfterSeconds === CODE_LOCKOUT_MINUTES * 60);

    const withRightCode = await authenticate({ email: u.email, password: PASSWORD, code: right }, now, src());
    assert.equal(reason(withRightCode), "mfa_locked");
    // A wrong recovery code does not get through either (nor counts).
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: "aaaa-bbbb-cccc-dddd" }, now, src())), "mfa_locked");
    // Without a code, the form learns it is locked (the password was right).
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD }, now, src())), "mfa_locked");
    assert.match(signInErrorMessage(`mfa_locked:${CODE_LOCKOUT_MINUTES * 60}`)!, /locked for 15 minutes/);
    // The right code was never accepted, so its step is still unused.
    assert.equal((await mfaRow(u.id)).last_used_step === null || Number((await mfaRow(u.id)).last_used_step) < totpStep(now), true);

    // The lock expires; then the right code works and the counter is reset.
    const afterLock = new Date(now.getTime() + (CODE_LOCKOUT_MINUTES * 60 + 5) * 1000);
    clock = afterLock.getTime();
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, afterLock) }, afterLock, src())), "ok");
    const row = await mfaRow(u.id);
    assert.equal(row.failed_count, 0);
    assert.equal(row.locked_until, null);
    // A right recovery code is the way through a lock (tests/mfa-lockout.test.ts: and through the hard one).
    const relock = later();
    for (let i = 0; i < MAX_FAILED_CODES; i++) await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, relock) === wrong ? "222222" : wrong }, relock, src());
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, relock) }, relock, src())), "mfa_locked");
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: u.recoveryCodes[0] }, relock, src())), "ok");
  });

  test("wrong codes are counted per user: one user's lock does not touch another's", async () => {
    const a = await enrolled("lock-a@test.example");
    const b = await enrolled("lock-b@test.example");
    const now = later();
    for (let i = 0; i < MAX_FAILED_CODES; i++) await authenticate({ email: a.email, password: PASSWORD, code: "999999" === totp(a.secret, now) ? "999998" : "999999" }, now, src());
    assert.equal(reason(await authenticate({ email: a.email, password: PASSWORD, code: totp(a.secret, now) }, now, src())), "mfa_locked");
    assert.equal(reason(await authenticate({ email: b.email, password: PASSWORD, code: totp(b.secret, now) }, now)), "ok");
  });

  test("input that cannot be a code is refused without counting towards the lock", async () => {
    const u = await enrolled("junk@test.example");
    const now = later();
    for (let i = 0; i < MAX_FAILED_CODES + 2; i++) {
      assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: "not a code" }, now, src())), "mfa_invalid");
    }
    assert.equal((await mfaRow(u.id)).failed_count, 0);
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, now) }, now)), "ok");
  });

  test("a recovery code signs in once (in any case, with or without hyphens); the second use is refused", async () => {
    const u = await enrolled("recovery@test.example");
    const code = u.recoveryCodes[3];
    const typed = code.toUpperCase().replace(/-/g, " ");
    const first = await authenticate({ email: u.email, password: PASSWORD, code: typed }, later());
    assert.ok(first.ok && first.mfaMethod === "recovery");
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code }, later())), "mfa_invalid");
    const used = await withClient(db.url, (c) =>
      c.query("select count(*) filter (where used_at is not null)::int as used, count(*)::int as total from public.user_recovery_codes where user_id = $1", [u.id]),
    );
    assert.deepEqual(used.rows[0], { used: 1, total: 10 });
    // Another user's recovery code is not this user's.
    const other = await enrolled("recovery-other@test.example");
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: other.recoveryCodes[0] }, later())), "mfa_invalid");
  });

  test("the password lockout still holds for a user with MFA, code or not", async () => {
    const u = await enrolled("pw-lock@test.example");
    const now = later();
    for (let i = 0; i < 5; i++) await authenticate({ email: u.email, password: `wrong-${i}` }, now);
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, now) }, now)), "locked");
  });

  test("a sealed secret copied onto another user's row does not open there", async () => {
    const victim = await enrolled("victim@test.example");
    const attacker = await enrolled("attacker@test.example");
    await withClient(db.url, (c) =>
      c.query("update public.user_mfa set totp_secret = (select totp_secret from public.user_mfa where user_id = $1) where user_id = $2", [
        victim.id,
        attacker.id,
      ]),
    );
    const now = later();
    // The victim's codes do not work on the attacker's account...
    assert.equal(reason(await authenticate({ email: attacker.email, password: PASSWORD, code: totp(victim.secret, now) }, now)), "mfa_invalid");
    // ...and the victim's own sign-in is unaffected.
    assert.equal(reason(await authenticate({ email: victim.email, password: PASSWORD, code: totp(victim.secret, now) }, now)), "ok");
  });

  test("no TOTP secret or recovery code is stored in plaintext", async () => {
    const u = await enrolled("at-rest@test.example");
    const dump = await withClient(db.url, async (c) =>
      JSON.stringify([
        (await c.query("select * from public.user_mfa where user_id = $1", [u.id])).rows,
        (await c.query("select * from public.user_recovery_codes where user_id = $1", [u.id])).rows,
      ]),
    );
    const { base32Encode } = await import("@/lib/auth/totp");
    assert.ok(!dump.includes(base32Encode(u.secret)));
    assert.ok(!dump.includes(u.secret.toString("hex")));
    for (const code of u.recoveryCodes) {
      assert.ok(!dump.includes(code));
      assert.ok(!dump.includes(code.replace(/-/g, "")));
    }
  });
});

describe("sign-in without a confirmed factor", () => {
  test("a user who is not required and not enrolled signs in with the password alone", async () => {
    await addUser("plain@test.example", { slug: "cust-x", role: "tenant_analyst" });
    const result = await authenticate({ email: "plain@test.example", password: PASSWORD }, later());
    assert.ok(result.ok && result.mfaMethod === null && result.mfaEnrollmentRequired === false);
  });

  test("a pending (unconfirmed) enrolment does not ask for a code", async () => {
    const id = await addUser("pending@test.example");
    assert.ok((await startEnrolment({ id, email: "pending@test.example" })).ok);
    assert.equal(reason(await authenticate({ email: "pending@test.example", password: PASSWORD }, later())), "ok");
  });

  test("an MSSP user without MFA signs in flagged mfaEnrollmentRequired", async () => {
    await addUser("operator@test.example", { slug: "mssp-x", role: "mssp_analyst" });
    const result = await authenticate({ email: "operator@test.example", password: PASSWORD }, later());
    assert.ok(result.ok && result.mfaEnrollmentRequired === true);
  });

  test("the session flag is re-read from the database on update(), whatever the token or the client says", async () => {
    const id = await addUser("flag@test.example", { slug: "mssp-x", role: "mssp_admin" });
    // The token names a live server-side session (lib/auth/sessions.ts); the
    // callback checks it, and takes the flag from the same statement.
    const sid = randomUUID();
    await openSession(sid, id);
    // (next-auth also passes the client's update() payload; the callback never reads it.)
    const call = (token: Record<string, unknown>) => jwtCallback({ token: { sub: id, sid, ...token }, trigger: "update" });
    // Not enrolled yet: a token claiming otherwise is corrected.
    assert.equal((await call({ mfaEnrollmentRequired: false })).mfaEnrollmentRequired, true);
    // After confirming, the update clears it.
    const now = later();
    // Started by that session (after its password): only it may confirm.
    const start = await startEnrolment({ id, email: "flag@test.example" }, { sessionId: sid, now });
    assert.ok(start.ok);
    // The account page keeps the session that confirmed (every other one ends).
    assert.ok((await confirmEnrolment(id, totp(base32Decode(start.enrolment.secret), now), now, { keepSessionId: sid })).ok);
    assert.equal((await call({ mfaEnrollmentRequired: true })).mfaEnrollmentRequired, false);
  });
});
