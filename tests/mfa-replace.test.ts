// Replacing the authenticator app, and setting one up only with the password
// (lib/actions/account/mfa.ts, lib/auth/mfa.ts), through the server actions
// with a real session cookie, on the fixture tree with session.mfa_required on
// at acme (so acme's people must keep MFA: they cannot turn it off and start again).
//
//   - a required, enrolled user who lost the app replaces it with a recovery
//     code: the old app's codes fail, the new ones work, the other sessions
//     end, and the audit trail says so;
//   - a wrong current code, or a wrong password, changes nothing (and a wrong
//     password spends no recovery code);
//   - setting up needs the password: without it, or with a wrong one, no key
//     is stored;
//   - a pending key is bound to the session that started it, and to the window.
import { auditMark, auditSince, callAction, inRequest, loadAction, type Person } from "./helpers/actions";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  confirmEnrolment,
  confirmReplacement,
  getMfaStatus,
  getPendingReplacement,
  PENDING_MINUTES,
  startEnrolment,
  verifySecondFactor,
} from "@/lib/auth/mfa";
import { hashPassword } from "@/lib/auth/password";
import { checkSession, openSession } from "@/lib/auth/sessions";
import { base32Decode, totp } from "@/lib/auth/totp";
import { emailOf, insertFixtures, type Fixtures, type UserName } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const PASSWORD = "correct horse battery staple";
const ACME = "acme.localhost:3000";
const ACTIONS = "lib/actions/account/mfa.ts";

let db: TestDatabase;
let fx: Fixtures;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  await owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'session.mfa_required', 'true')", [fx.tenants.acme]);
  const hash = await hashPassword(PASSWORD);
  await owner("update public.users set password_hash = $1", [hash]);
});
after(() => db.drop());

const owner = (sql: string, params: unknown[] = []) => withClient(db.url, (c) => c.query(sql, params));
const person = (u: UserName): Person => ({ id: fx.users[u], email: emailOf(u) });
const mfaRow = async (u: UserName) => (await owner("select * from public.user_mfa where user_id = $1", [fx.users[u]])).rows[0];

type State = { status: string; error?: string; message?: string };
async function act(name: string, u: UserName, form: Record<string, string>): Promise<State> {
  return (await callAction(await loadAction(`${ACTIONS}#${name}`), { person: person(u), host: ACME }, form)) as State;
}

/** The session id of `u`'s cookie (the browser the actions run in). */
async function cookieSession(u: UserName): Promise<string> {
  const { getSessionUserForEnrolment } = await import("@/lib/auth/session");
  return inRequest({ person: person(u), host: ACME }, async () => (await getSessionUserForEnrolment())!.sessionId);
}

/** Enrolled from the cookie's session (as the page does); the recovery codes and the app's secret. */
async function enrol(u: UserName) {
  const sessionId = await cookieSession(u);
  const started = await startEnrolment(person(u), { sessionId });
  assert.ok(started.ok);
  const secret = base32Decode(started.enrolment.secret);
  const now = new Date(Date.now() - 60_000); // a step no later check of this test reuses
  const confirmed = await confirmEnrolment(fx.users[u], totp(secret, now), now, { keepSessionId: sessionId });
  assert.ok(confirmed.ok);
  return { secret, recoveryCodes: confirmed.recoveryCodes, sessionId };
}

describe("replacing the authenticator app", () => {
  test("a user who must use MFA replaces a lost app with a recovery code: old codes fail, new ones work, other sessions end, audited", async () => {
    const u: UserName = "acmeAdmin";
    assert.equal((await getMfaStatus(fx.users[u])).required, true);
    const { secret: oldSecret, recoveryCodes, sessionId } = await enrol(u);
    const phone = randomUUID(); // the session on the lost phone's browser
    await openSession(phone, fx.users[u]);
    const mark = await auditMark(db.url);

    const started = await act("startReplacementAction", u, { password: PASSWORD, code: recoveryCodes[0] });
    assert.deepEqual(started, { status: "idle" });
    const before = await mfaRow(u);
    assert.ok(before.pending_secret, "the new key is stored beside the confirmed one");
    assert.equal(before.pending_session_id, sessionId);
    assert.equal((await getMfaStatus(fx.users[u])).recoveryCodesLeft, 9, "the recovery code is spent");

    // Only this session is shown the new key, and only it may confirm it.
    assert.equal(await getPendingReplacement(person(u), { sessionId: phone }), null);
    const pending = await getPendingReplacement(person(u), { sessionId });
    assert.ok(pending);
    const newSecret = base32Decode(pending.secret);
    assert.deepEqual(await confirmReplacement(fx.users[u], totp(newSecret), new Date(), { keepSessionId: phone }), { ok: false, reason: "no_pending" });

    // A code of the OLD app does not confirm the new key; nothing changes.
    const wrong = await act("confirmReplacementAction", u, { code: totp(oldSecret) });
    assert.equal(wrong.status, "error");
    assert.match(wrong.error!, /doesn't match the new key/);
    assert.equal((await mfaRow(u)).totp_secret, before.totp_secret);

    const t = Date.now();
    const confirmed = await act("confirmReplacementAction", u, { code: totp(newSecret, t) });
    assert.equal(confirmed.status, "done", JSON.stringify(confirmed));
    const afterRow = await mfaRow(u);
    assert.equal(afterRow.totp_secret, before.pending_secret, "the new key took the old one's place");
    assert.deepEqual([afterRow.pending_secret, afterRow.pending_session_id, afterRow.pending_started_at], [null, null, null]);

    // The old app's codes fail, the new app's work.
    const later = new Date(t + 30_000);
    assert.deepEqual(await verifySecondFactor(fx.users[u], totp(oldSecret, later), later), { ok: false, reason: "invalid" });
    assert.deepEqual(await verifySecondFactor(fx.users[u], totp(newSecret, later), later), { ok: true, method: "totp" });

    // The other sessions ended; this one goes on.
    assert.equal((await checkSession(phone, fx.users[u])).state, "revoked");
    assert.equal((await checkSession(sessionId, fx.users[u])).state, "active");
    const reason = await owner("select revoked_reason from sessions.user_sessions where id = $1", [phone]);
    assert.equal(reason.rows[0].revoked_reason, "mfa_replaced");

    // Audited for the user's tenants.
    const rows = await auditSince(db.url, mark);
    const actions = rows.filter((r) => r.tenant_id === fx.tenants.acme).map((r) => r.action);
    for (const a of ["auth:recovery-code-used", "auth:mfa-replaced", "auth:session-revoked"]) assert.ok(actions.includes(a), `${a} in ${actions.join()}`);
    const replaced = rows.find((r) => r.action === "auth:mfa-replaced")!;
    assert.equal(replaced.outcome, "success");
    assert.equal(replaced.actor_id, fx.users[u]);
  });

  test("a wrong current code is refused and changes nothing; a wrong password spends no recovery code", async () => {
    const u: UserName = "acmeAnalyst";
    const { recoveryCodes } = await enrol(u);
    const before = await mfaRow(u);

    const wrongCode = await act("startReplacementAction", u, { password: PASSWORD, code: "abcd-efgh-jkmn-pqrs" });
    assert.equal(wrongCode.status, "error");
    assert.match(wrongCode.error!, /That code didn't work/);
    const wrongPassword = await act("startReplacementAction", u, { password: "not the password", code: recoveryCodes[0] });
    assert.equal(wrongPassword.status, "error");
    assert.match(wrongPassword.error!, /password is not right/);

    const row = await mfaRow(u);
    assert.equal(row.pending_secret, null, "no new key");
    assert.equal(row.totp_secret, before.totp_secret);
    assert.equal((await getMfaStatus(fx.users[u])).recoveryCodesLeft, 10, "the password was checked first");
    assert.deepEqual(await verifySecondFactor(fx.users[u], recoveryCodes[0]), { ok: true, method: "recovery" });
  });

  test("cancelling drops the new key; the current app keeps working", async () => {
    const u: UserName = "acmeViewer";
    const { recoveryCodes } = await enrol(u);
    assert.deepEqual(await act("startReplacementAction", u, { password: PASSWORD, code: recoveryCodes[0] }), { status: "idle" });
    assert.ok((await mfaRow(u)).pending_secret);
    assert.equal((await act("cancelReplacementAction", u, {})).status, "done");
    assert.equal((await mfaRow(u)).pending_secret, null);
  });
});

describe("setting up an app needs the password", () => {
  test("without it, or with a wrong one, no key is stored; with it, the key is bound to this session", async () => {
    const u: UserName = "acmeEuAdmin";
    const none = await act("startEnrolmentAction", u, {});
    assert.deepEqual(none, { status: "error", error: "Enter your password." });
    const wrong = await act("startEnrolmentAction", u, { password: "not the password" });
    assert.equal(wrong.status, "error");
    assert.match(wrong.error!, /password is not right/);
    assert.equal(await mfaRow(u), undefined, "no pending key");

    assert.deepEqual(await act("startEnrolmentAction", u, { password: PASSWORD }), { status: "idle" });
    const row = await mfaRow(u);
    assert.ok(row && row.confirmed_at === null);
    assert.equal(row.pending_session_id, await cookieSession(u));
  });

  test("a key started by another session, or before the window, or before setups were bound, cannot be confirmed here", async () => {
    const u: UserName = "acmeUsAdmin";
    const other = randomUUID();
    const started = await startEnrolment(person(u), { sessionId: other });
    assert.ok(started.ok);
    const secret = base32Decode(started.enrolment.secret);
    const elsewhere = await act("confirmEnrolmentAction", u, { code: totp(secret) });
    assert.equal(elsewhere.status, "error");
    assert.match(elsewhere.error!, /started in another browser/);
    assert.equal((await getMfaStatus(fx.users[u])).enrolled, false);

    // Started by this session, but longer ago than the window.
    const sessionId = await cookieSession(u);
    await startEnrolment(person(u), { sessionId, now: new Date(Date.now() - (PENDING_MINUTES + 1) * 60_000) });
    assert.equal((await act("confirmEnrolmentAction", u, { code: totp(secret) })).status, "error");
    // A pending key from before setups were bound (no session, no start time).
    await owner("update public.user_mfa set pending_session_id = null, pending_started_at = null where user_id = $1", [fx.users[u]]);
    assert.equal((await act("confirmEnrolmentAction", u, { code: totp(secret) })).status, "error");
    assert.equal((await getMfaStatus(fx.users[u])).enrolled, false);

    // The password again resumes the same key (an app that scanned it still works), and then it confirms.
    assert.deepEqual(await act("startEnrolmentAction", u, { password: PASSWORD }), { status: "idle" });
    const done = await act("confirmEnrolmentAction", u, { code: totp(secret) });
    assert.equal(done.status, "codes", JSON.stringify(done));
  });
});
