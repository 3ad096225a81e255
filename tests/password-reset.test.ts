// Password reset by emailed code (issue 9, finding 3), against a real
// Postgres and a real SMTP server: the same answer for every address, the
// code works once and expires, tries are limited, and afterwards the new
// password signs in and the old one does not. Before this there was no reset
// at all (these tests fail to import lib/account/password-reset on the old tree).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { RESET_REFUSED, RESET_TOO_MANY, requestPasswordReset, resetPassword, PasswordResetRefused, settleResetRequests } from "@/lib/account/password-reset";
import { settleAuthEvents } from "@/lib/auth/events";
import { verifyCredentials } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { checkSession, openSession } from "@/lib/auth/sessions";
import { randomUUID } from "node:crypto";
import { runJobsUntilIdle } from "@/lib/jobs";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { codeIn, startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let smtp: TestSmtpServer;
const OLD = "the-old-password-2026";
const NEW = "a-brand-new-password-2026";
// The console; these users hold no membership, so their mail goes to the "elsewhere" link (the console's here too).
const opts = (source = "203.0.113.7") => ({
  source,
  host: { slug: null, mail: { resetUrl: "http://localhost:3000/signin/reset" } },
  elsewhere: async () => ({ resetUrl: "http://localhost:3000/signin/reset" }),
});

before(async () => {
  process.env.NEXTAUTH_SECRET = "password-reset-test-secret";
  db = await createTestDatabase();
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
});
after(async () => {
  await settleAuthEvents();
  await smtp.stop();
  await db.drop();
});
beforeEach(() => smtp.clear());

// A known address's code is made after the answer (lib/account/password-reset.ts): settle it, then deliver.
const deliver = async () => (await settleResetRequests(), await runJobsUntilIdle({ kinds: [MAIL_TASK] }));
async function addUser(email: string, password = OLD): Promise<string> {
  const hash = await hashPassword(password);
  return withClient(db.url, async (c) => (await c.query("insert into public.users (email, name, password_hash) values ($1, 'R', $2) returning id", [email, hash])).rows[0].id);
}
async function codeFor(email: string): Promise<string> {
  await requestPasswordReset(email, opts());
  await deliver();
  return codeIn(await smtp.waitFor((m) => m.to === email));
}
const refusedWith = (message: string) => (e: Error) => e instanceof PasswordResetRefused && e.message === message;

describe("asking for a reset", () => {
  test("known and unknown addresses get the same answer; only the known one gets an email, with a code and no secret in its subject", async () => {
    await addUser("known@example.test");
    const known = await requestPasswordReset("known@example.test", opts());
    const unknown = await requestPasswordReset("nobody@example.test", opts());
    assert.deepEqual(known, unknown);
    await deliver();
    const mail = await smtp.waitFor((m) => m.to === "known@example.test");
    assert.equal(mail.subject, "Your password reset code");
    assert.match(codeIn(mail), /^\d{6}$/);
    assert.match(mail.text, /http:\/\/localhost:3000\/signin\/reset/);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(smtp.messages.map((m) => m.to), ["known@example.test"]);
  });

  test("similar timing: the median answer for a known address is within 50 ms of an unknown one's", async () => {
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 7; i++) {
      await addUser(`timing-${i}@example.test`);
      for (const [kind, email] of [["known", `timing-${i}@example.test`], ["unknown", `ghost-${i}@example.test`]] as const) {
        const t = performance.now();
        await requestPasswordReset(email, opts(`198.51.100.${i}`));
        times[kind].push(performance.now() - t);
      }
    }
    const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
    assert.ok(Math.abs(median(times.known) - median(times.unknown)) < 50, JSON.stringify({ known: median(times.known), unknown: median(times.unknown) }));
  });

  test("reset emails per address are limited, silently (same answer, no mail)", async () => {
    await addUser("flooded@example.test");
    for (let i = 0; i < 5; i++) await requestPasswordReset("flooded@example.test", opts(`192.0.2.${i}`));
    await deliver();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(smtp.messages.filter((m) => m.to === "flooded@example.test").length, 3);
  });
});

describe("using the code", () => {
  test("the new password signs in and the old one does not; every session is revoked; the code works once", async () => {
    const user = await addUser("changer@example.test");
    const [a, b] = [randomUUID(), randomUUID()];
    await openSession(a, user);
    await openSession(b, user);
    assert.equal((await checkSession(a, user)).state, "active");
    const code = await codeFor("changer@example.test");
    assert.equal((await resetPassword("changer@example.test", code, NEW)).sessionsRevoked, 2);
    assert.deepEqual([(await checkSession(a, user)).state, (await checkSession(b, user)).state], ["revoked", "revoked"]);
    assert.equal((await verifyCredentials({ email: "changer@example.test", password: NEW }, undefined, { source: "t1" })).ok, true);
    assert.deepEqual(await verifyCredentials({ email: "changer@example.test", password: OLD }, undefined, { source: "t2" }), { ok: false, reason: "invalid" });
    await assert.rejects(resetPassword("changer@example.test", code, "yet-another-password-99"), refusedWith(RESET_REFUSED));
    assert.equal((await verifyCredentials({ email: "changer@example.test", password: NEW }, undefined, { source: "t3" })).ok, true);
  });

  test("a code expires", async () => {
    await addUser("late@example.test");
    const code = await codeFor("late@example.test");
    await withClient(db.url, (c) => c.query("update mail.codes set created_at = now() - interval '20 minutes', expires_at = now() - interval '5 minutes' where email = 'late@example.test'"));
    await assert.rejects(resetPassword("late@example.test", code, NEW), refusedWith(RESET_REFUSED));
    assert.equal((await verifyCredentials({ email: "late@example.test", password: OLD }, undefined, { source: "t4" })).ok, true);
  });

  test("a code is bound to its address, an unknown address gets the same refusal, and tries are limited", async () => {
    await addUser("victim@example.test");
    await addUser("attacker@example.test");
    const attackerCode = await codeFor("attacker@example.test");
    await assert.rejects(resetPassword("victim@example.test", attackerCode, NEW), refusedWith(RESET_REFUSED));
    await assert.rejects(resetPassword("ghost@example.test", attackerCode, NEW), refusedWith(RESET_REFUSED));
    const code = await codeFor("victim@example.test");
    const wrong = code === "000000" ? "000001" : "000000";
    for (let i = 0; i < 4; i++) await assert.rejects(resetPassword("victim@example.test", wrong, NEW), refusedWith(RESET_REFUSED));
    // The sixth try of this address (one was the attacker's code), right code or not, is refused.
    await assert.rejects(resetPassword("victim@example.test", code, NEW), refusedWith(RESET_TOO_MANY));
    assert.equal((await verifyCredentials({ email: "victim@example.test", password: OLD }, undefined, { source: "t5" })).ok, true);
  });

  test("one client's tries are limited across addresses too (guessing a code for each of many)", async () => {
    const source = "ip:198.51.100.7";
    // Twenty tries spread over twenty addresses (one each: no address reaches its own limit)…
    for (let i = 0; i < 20; i++) await assert.rejects(resetPassword(`spread-${i}@example.test`, "000000", NEW, source), refusedWith(RESET_REFUSED));
    // …and the next, on a fresh address, is refused for the source; another client is not.
    await assert.rejects(resetPassword("spread-fresh@example.test", "000000", NEW, source), refusedWith(RESET_TOO_MANY));
    await assert.rejects(resetPassword("spread-fresh@example.test", "000000", NEW, "ip:198.51.100.8"), refusedWith(RESET_REFUSED));
  });

  test("a successful reset leaves no reset code of the user open", async () => {
    await addUser("events@example.test");
    const code = await codeFor("events@example.test");
    await resetPassword("events@example.test", code, NEW);
    const open = await withClient(db.url, async (c) => (await c.query("select count(*)::int as n from mail.codes where email = 'events@example.test' and used_at is null")).rows[0].n);
    assert.equal(open, 0);
  });
});
