// The second factor's lockout (audit findings 3, 4 and 5), against the real
// tables: wrong codes in a row are counted until a right one, each lock lasts
// longer than the last, a hundred in a row leave only recovery codes; a right
// password with a wrong code still spends a password attempt; failed codes
// are audited with their client source and a lock is audited once per source;
// the account page's wrong codes have a counter of their own, and the page
// says when they left only recovery codes. The hard lock's mail is queued in
// the lock's own transaction: with DB_HOLD_AND_WAIT=throw (no second pooled
// connection while one is held, lib/db/held-connection.ts) it is still queued,
// once; a lock that rolls back queues none.
//
// Time is passed in (`at`/`now`), as tests/mfa-sign-in.test.ts does: no clock
// is mocked, each check is told when it happens.
import "./helpers/actions";
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { renderToStaticMarkup } from "react-dom/server";
import { inRequest } from "./helpers/actions";
import { authenticate } from "@/lib/auth/credentials";
import { settleAuthEvents } from "@/lib/auth/events";
import {
  CODE_LOCKOUT_MINUTES,
  HARD_LOCK_AFTER_FAILURES,
  lockoutMinutes,
  MAX_FAILED_CODES,
  regenerateRecoveryCodes,
  verifySecondFactor,
  type CodeCheck,
} from "@/lib/auth/mfa";
import { hashPassword } from "@/lib/auth/password";
import { signInErrorMessage } from "@/lib/auth/sign-in-messages";
import { generateRecoveryCodes, hashRecoveryCode, sealTotpSecret } from "@/lib/auth/mfa-crypto";
import { generateTotpSecret, hotp, totp, totpStep } from "@/lib/auth/totp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const PASSWORD = "correct horse battery staple";
let db: TestDatabase;
let passwordHash: string;

// Each test moves the clock on, so no code of one test replays another's.
let clock = Date.now();
const later = (seconds = 120) => new Date((clock += seconds * 1000));
let sources = 0;
const freshSource = () => `198.51.100.${++sources}`;

interface Enrolled {
  id: string;
  email: string;
  secret: Buffer;
  recoveryCodes: string[];
}

async function enrolled(email: string): Promise<Enrolled> {
  const id = await withClient(db.url, async (c) => {
    const { rows } = await c.query<{ id: string }>("insert into public.users (email, name, password_hash) values ($1, 'T', $2) returning id", [email, passwordHash]);
    await c.query("insert into public.memberships (tenant_id, user_id, role) select id, $1, 'tenant_analyst' from public.tenants where slug = 'acme'", [rows[0].id]);
    return rows[0].id;
  });
  // A confirmed factor as enrolment leaves it (written directly: enrolment has its own tests).
  const secret = generateTotpSecret();
  const recoveryCodes = generateRecoveryCodes();
  await withClient(db.url, async (c) => {
    await c.query("insert into public.user_mfa (user_id, totp_secret, confirmed_at) values ($1, $2, now())", [id, sealTotpSecret(id, secret)]);
    for (const code of recoveryCodes) await c.query("insert into public.user_recovery_codes (user_id, code_hash) values ($1, $2)", [id, hashRecoveryCode(id, code)]);
  });
  return { id, email, secret: Buffer.from(secret), recoveryCodes };
}

/** A 6-digit code that is none of the three accepted at `at` (the step and its neighbours). */
function wrongCode(u: Enrolled, at: Date): string {
  const step = totpStep(at);
  const valid = new Set([step - 1, step, step + 1].map((s) => hotp(u.secret, s)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!valid.has(code)) return code;
  }
}

const mfaRow = (userId: string) =>
  withClient(db.url, async (c) => (await c.query("select * from public.user_mfa where user_id = $1", [userId])).rows[0]);

const reason = (r: { ok: true } | { ok: false; reason: string }): string => (r.ok ? "ok" : r.reason);

/** Wrong codes at sign-in (the code check alone, no password bucket) until the next lock; returns it. */
async function failUntilLocked(u: Enrolled, at: Date): Promise<CodeCheck> {
  for (let i = 0; i < MAX_FAILED_CODES; i++) {
    const check = await verifySecondFactor(u.id, wrongCode(u, at), at);
    if (!check.ok && check.reason !== "invalid") return check;
  }
  assert.fail(`${MAX_FAILED_CODES} wrong codes in a row did not lock`);
}

const auditRows = (userId: string, action: string) =>
  withClient(db.url, async (c) =>
    (await c.query<{ details: Record<string, unknown> }>("select details from public.audit_log where actor_id = $1 and action = $2 order by seq", [userId, action])).rows,
  );

before(async () => {
  db = await createTestDatabase();
  passwordHash = await hashPassword(PASSWORD);
  await withClient(db.url, async (c) => {
    await c.query("insert into public.tenants (slug, name, kind) values ('mssp-l', 'MSSP L', 'mssp')");
    await c.query("insert into public.tenants (parent_id, slug, name, kind) select id, 'acme', 'Acme', 'customer' from public.tenants where slug = 'mssp-l'");
  });
});
after(() => db.drop());

describe("locks grow, and a hundred wrong codes in a row leave only recovery codes", () => {
  test("each lock in a row lasts longer: 15 minutes, 1 hour, 4 hours; the count survives a lock", async () => {
    const u = await enrolled("growing@test.example");
    let at = later();
    const lengths: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const check = await failUntilLocked(u, at);
      assert.ok(!check.ok && check.reason === "locked" && check.lockedNow, `lock ${n}`);
      lengths.push(check.retryAfterSeconds / 60);
      assert.equal((await mfaRow(u.id)).failed_count, n * MAX_FAILED_CODES, "a lock does not reset the count");
      // During the lock even the right code is refused, uncounted.
      assert.equal(reason(await verifySecondFactor(u.id, totp(u.secret, at), at)), "locked");
      at = new Date(at.getTime() + (check.retryAfterSeconds + 5) * 1000);
    }
    assert.deepEqual(lengths, [CODE_LOCKOUT_MINUTES, 60, 240]);
    assert.deepEqual([4, 5, 6, 20].map(lockoutMinutes), [960, 1440, 1440, 1440]);
    clock = at.getTime();
  });

  test("a right code clears the count: the next lock is the first one again", async () => {
    const u = await enrolled("cleared@test.example");
    let at = later();
    const first = await failUntilLocked(u, at);
    assert.ok(!first.ok && first.reason === "locked");
    at = new Date(at.getTime() + (first.retryAfterSeconds + 5) * 1000);
    await verifySecondFactor(u.id, wrongCode(u, at), at);
    assert.equal(reason(await verifySecondFactor(u.id, totp(u.secret, at), at)), "ok");
    assert.equal((await mfaRow(u.id)).failed_count, 0);
    at = new Date(at.getTime() + 60_000);
    const again = await failUntilLocked(u, at);
    assert.ok(!again.ok && again.reason === "locked" && again.retryAfterSeconds === CODE_LOCKOUT_MINUTES * 60);
    // A recovery code gets through a timed lock, and clears it.
    assert.equal(reason(await verifySecondFactor(u.id, u.recoveryCodes[0], at)), "ok");
    const row = await mfaRow(u.id);
    assert.equal(row.failed_count, 0);
    assert.equal(row.locked_until, null);
    clock = at.getTime() + 60_000;
  });

  test(`after ${HARD_LOCK_AFTER_FAILURES} wrong codes in a row a right app code is refused until a recovery code is used; the user is emailed`, async () => {
    const u = await enrolled("hard-lock@test.example");
    let at = later();
    let last: CodeCheck | undefined;
    for (let cycles = 0; (await mfaRow(u.id)).failed_count < HARD_LOCK_AFTER_FAILURES; cycles++) {
      assert.ok(cycles < HARD_LOCK_AFTER_FAILURES / MAX_FAILED_CODES, "the count keeps growing through the locks");
      last = await failUntilLocked(u, at);
      if (!last.ok && last.reason === "locked") at = new Date(at.getTime() + (last.retryAfterSeconds + 5) * 1000);
    }
    assert.ok(last && !last.ok && last.reason === "recovery_required" && last.lockedNow);
    // Days later, the right app code is still refused, at the code check and at sign-in, with or without a code.
    at = new Date(at.getTime() + 7 * 24 * 3600_000);
    clock = at.getTime();
    assert.equal(reason(await verifySecondFactor(u.id, totp(u.secret, at), at)), "recovery_required");
    assert.equal((await mfaRow(u.id)).failed_count, HARD_LOCK_AFTER_FAILURES, "refused codes are not counted on");
    const source = freshSource();
    const signIn = await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, at) }, at, { source });
    assert.equal(reason(signIn), "mfa_recovery_required");
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD }, at, { source })), "mfa_recovery_required");
    assert.match(signInErrorMessage("mfa_recovery_required")!, /recovery codes/);
    // A wrong recovery code does not get through; a right one does, and clears the lock.
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: "aaaa-bbbb-cccc-dddd" }, at, { source })), "mfa_recovery_required");
    const recovered = await authenticate({ email: u.email, password: PASSWORD, code: u.recoveryCodes[2] }, at, { source });
    assert.ok(recovered.ok && recovered.mfaMethod === "recovery");
    assert.equal((await mfaRow(u.id)).failed_count, 0);
    const next = later();
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, next) }, next, { source: freshSource() })), "ok");

    // The user was told, once (queued with the lock, in its transaction).
    const mails = await withClient(db.url, async (c) => (await c.query("select recipient, template from mail.outbox where recipient = $1", [u.email])).rows);
    assert.deepEqual(mails, [{ recipient: u.email, template: "account.mfa-locked" }]);
  });
});

describe("the password bucket and the audit trail", () => {
  test("a right password with a wrong (or no) code still spends a password attempt; a full sign-in refills it", async () => {
    const u = await enrolled("bucket@test.example");
    const source = freshSource();
    const at = later();
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD }, at, { source })), "mfa_required");
    for (let i = 0; i < MAX_FAILED_CODES - 1; i++) {
      assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: wrongCode(u, at) }, at, { source })), "mfa_invalid");
    }
    // Five attempts from this source: the sixth is refused before any code is looked at, right code or not.
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, at) }, at, { source })), "locked");
    assert.equal((await mfaRow(u.id)).failed_count, MAX_FAILED_CODES - 1);
    // One attempt comes back per 15 minutes; a whole sign-in refills the bucket.
    const refilled = new Date(at.getTime() + 15 * 60_000 + 5_000);
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, refilled) }, refilled, { source })), "ok");
    const after = new Date(refilled.getTime() + 60_000);
    clock = after.getTime();
    for (let i = 0; i < MAX_FAILED_CODES - 1; i++) {
      assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: wrongCode(u, after) }, after, { source })), "mfa_invalid", `attempt ${i}`);
    }
  });

  test("a failed code's audit row carries the client source", async () => {
    const u = await enrolled("source@test.example");
    const at = later();
    const result = await inRequest({ host: "acme.localhost:3000" }, () =>
      authenticate({ email: u.email, password: PASSWORD, code: wrongCode(u, at) }, at, { source: "203.0.113.44" }),
    );
    assert.equal(reason(result), "mfa_invalid");
    await settleAuthEvents();
    const rows = await auditRows(u.id, "auth:sign-in-failed");
    assert.equal(rows.length, 1);
    assert.equal(rows[0].details.reason, "mfa_invalid");
    assert.equal(rows[0].details.source, "203.0.113.44");
  });

  test("ten attempts while the factor is locked write one lock row (every one is still refused)", async () => {
    const u = await enrolled("locked-rows@test.example");
    const at = later();
    // Locked from elsewhere (the code check alone).
    const lock = await failUntilLocked(u, at);
    assert.ok(!lock.ok && lock.reason === "locked");
    const source = freshSource();
    const results: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await inRequest({ host: "acme.localhost:3000" }, () =>
        authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, at) }, at, { source }),
      );
      results.push(reason(r));
    }
    await settleAuthEvents();
    // The first five reach the code check; then this source has spent its password attempts.
    assert.deepEqual(results, [...Array(5).fill("mfa_locked"), ...Array(5).fill("locked")]);
    const locked = await auditRows(u.id, "auth:sign-in-locked");
    const mfa = locked.filter((r) => r.details.reason === "mfa");
    assert.equal(mfa.length, 1, JSON.stringify(locked));
    assert.equal(mfa[0].details.source, source);
    assert.equal(locked.filter((r) => r.details.reason === "password").length, 1);
  });
});

describe("the account page counts its own wrong codes", () => {
  test("wrong codes on the account page lock that page, not sign-in, and never escalate sign-in's lock", async () => {
    const u = await enrolled("account-page@test.example");
    let at = later();
    for (let i = 1; i < MAX_FAILED_CODES; i++) assert.equal(reason(await regenerateRecoveryCodes(u.id, wrongCode(u, at), at)), "invalid");
    const locking = await regenerateRecoveryCodes(u.id, wrongCode(u, at), at);
    assert.ok(!locking.ok && locking.reason === "locked" && locking.retryAfterSeconds === CODE_LOCKOUT_MINUTES * 60);
    assert.equal(reason(await regenerateRecoveryCodes(u.id, totp(u.secret, at), at)), "locked", "the page is locked");
    // Sign-in is not.
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, at) }, at, { source: freshSource() })), "ok");
    let row = await mfaRow(u.id);
    assert.equal(row.failed_count, 0);
    assert.equal(row.locked_until, null);
    assert.equal(row.account_failed_count, MAX_FAILED_CODES, "a sign-in does not clear the page's count");

    // Even a hundred wrong codes there leave sign-in as it was.
    for (let tries = 0; (await mfaRow(u.id)).account_failed_count < HARD_LOCK_AFTER_FAILURES; tries++) {
      assert.ok(tries < HARD_LOCK_AFTER_FAILURES, "the page's count keeps growing through its locks");
      at = new Date(at.getTime() + 25 * 3600_000);
      const check = await regenerateRecoveryCodes(u.id, wrongCode(u, at), at);
      assert.notEqual(reason(check), "ok");
    }
    at = new Date(at.getTime() + 25 * 3600_000);
    clock = at.getTime();
    assert.equal(reason(await regenerateRecoveryCodes(u.id, totp(u.secret, at), at)), "recovery_required");
    row = await mfaRow(u.id);
    assert.equal(row.failed_count, 0);
    assert.equal(row.locked_until, null);
    const t = later();
    assert.equal(reason(await authenticate({ email: u.email, password: PASSWORD, code: totp(u.secret, t) }, t, { source: freshSource() })), "ok");
    // A recovery code opens the page again.
    const regenerated = await regenerateRecoveryCodes(u.id, u.recoveryCodes[0], later());
    assert.ok(regenerated.ok);
    assert.equal((await mfaRow(u.id)).account_failed_count, 0);
  });
});

describe("the hard lock's mail is queued with the lock, on its connection", () => {
  afterEach(() => {
    delete process.env.DB_HOLD_AND_WAIT;
  });

  const mailsTo = (email: string) =>
    withClient(db.url, async (c) => (await c.query<{ template: string }>("select template from mail.outbox where recipient = $1", [email])).rows.map((r) => r.template));

  test("with DB_HOLD_AND_WAIT=throw the hundredth wrong code (at sign-in, or on the account page) queues one mail", async () => {
    const u = await enrolled("held-lock@test.example");
    await withClient(db.url, (c) =>
      c.query("update public.user_mfa set failed_count = $2, account_failed_count = $2 where user_id = $1", [u.id, HARD_LOCK_AFTER_FAILURES - 1]),
    );
    process.env.DB_HOLD_AND_WAIT = "throw";
    const at = later();
    const check = await verifySecondFactor(u.id, wrongCode(u, at), at);
    assert.ok(!check.ok && check.reason === "recovery_required" && check.lockedNow);
    // Refused codes after it neither count nor mail again.
    assert.equal(reason(await verifySecondFactor(u.id, wrongCode(u, at), at)), "recovery_required");
    assert.deepEqual(await mailsTo(u.email), ["account.mfa-locked"], "queued once, by the check that locked");
    const page = await regenerateRecoveryCodes(u.id, wrongCode(u, at), at);
    assert.ok(!page.ok && page.reason === "recovery_required" && page.lockedNow);
    assert.deepEqual(await mailsTo(u.email), ["account.mfa-locked", "account.mfa-locked"], "and once for the account page's own lock");
  });

  test("a lock whose transaction rolls back queues no mail", async () => {
    const u = await enrolled("rolled-back-lock@test.example");
    // The commit of this user's hard lock fails (a deferred check, run at commit), so the whole check rolls back.
    await withClient(db.url, async (c) => {
      await c.query("update public.user_mfa set failed_count = $2 where user_id = $1", [u.id, HARD_LOCK_AFTER_FAILURES - 1]);
      await c.query(`create function public.test_refuse_hard_lock() returns trigger language plpgsql set search_path = pg_catalog, pg_temp as $$
                     begin
                       if new.user_id = '${u.id}'::uuid and new.failed_count >= ${HARD_LOCK_AFTER_FAILURES} then raise exception 'hard lock refused at commit (test)'; end if;
                       return null;
                     end $$`);
      await c.query(`create constraint trigger test_refuse_hard_lock after update on public.user_mfa
                       deferrable initially deferred for each row execute function public.test_refuse_hard_lock()`);
    });
    try {
      const at = later();
      await assert.rejects(verifySecondFactor(u.id, wrongCode(u, at), at), /refused at commit/);
      assert.equal((await mfaRow(u.id)).failed_count, HARD_LOCK_AFTER_FAILURES - 1, "the lock rolled back");
      assert.deepEqual(await mailsTo(u.email), [], "and its mail with it");
    } finally {
      await withClient(db.url, async (c) => {
        await c.query("drop trigger test_refuse_hard_lock on public.user_mfa");
        await c.query("drop function public.test_refuse_hard_lock()");
      });
    }
    // Once the lock commits, so does its mail.
    const at = later();
    assert.equal(reason(await verifySecondFactor(u.id, wrongCode(u, at), at)), "recovery_required");
    assert.deepEqual(await mailsTo(u.email), ["account.mfa-locked"]);
  });
});

describe("the account page says when only a recovery code is accepted there", () => {
  /** The two-step verification page as `u` sees it on acme's host, rendered to HTML. */
  async function mfaPage(u: Enrolled): Promise<string> {
    const { default: MfaPage } = await import("@/app/account/mfa/page");
    return inRequest({ person: { id: u.id, email: u.email }, host: "acme.localhost:3000" }, async () => renderToStaticMarkup(await MfaPage()));
  }

  test("after a hundred wrong codes on the page: the recovery-only banner, until a recovery code is used", async () => {
    const u = await enrolled("page-banner@test.example");
    assert.doesNotMatch(await mfaPage(u), /mfa-recovery-only/, "no banner before");
    await withClient(db.url, (c) => c.query("update public.user_mfa set account_failed_count = $2 where user_id = $1", [u.id, HARD_LOCK_AFTER_FAILURES - 1]));
    const at = later();
    assert.equal(reason(await regenerateRecoveryCodes(u.id, wrongCode(u, at), at)), "recovery_required");
    const html = await mfaPage(u);
    assert.match(html, /data-testid="mfa-recovery-only"/);
    assert.match(html, /app codes are no longer accepted here\. Use one of your recovery codes/);
    assert.ok((await regenerateRecoveryCodes(u.id, u.recoveryCodes[0], later())).ok);
    assert.doesNotMatch(await mfaPage(u), /mfa-recovery-only/, "gone once a recovery code was used");
  });
});
