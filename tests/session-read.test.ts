// lib/auth/session-read.ts answers what next-auth's getServerSession answers
// in the App Router, case by case, on a real request scope and a real
// Postgres (the jwt callback checks the session's record): signed out, signed
// in, a forged cookie, a token past its expiry, a revoked session, a user who
// must set up MFA, a chunked cookie. Each case asks both and compares; a
// signed-out answer must be null from both, never a half session.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encode } from "next-auth/jwt";
import { getServerSession } from "next-auth";
import { inRequest, sessionCookie } from "./helpers/actions";
import { emailOf, insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const ACME = "acme.localhost:3000";

before(async () => {
  process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-session-read-0123456789";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

/** Both readers' answers for one request with `cookie` (signed out when absent). */
async function bothAnswers(cookie: string | undefined) {
  const { authOptions } = await import("@/lib/auth/options");
  const { readSession } = await import("@/lib/auth/session-read");
  const ours = await inRequest({ host: ACME, cookie: cookie ?? "" }, () => readSession());
  const theirs = await inRequest({ host: ACME, cookie: cookie ?? "" }, () => getServerSession(authOptions));
  return { ours, theirs };
}

async function cookieName(): Promise<string> {
  const { authOptions } = await import("@/lib/auth/options");
  return authOptions.cookies!.sessionToken!.name;
}

describe("the session read for pages and actions", () => {
  test("signed out: no cookie, null from both", async () => {
    const { ours, theirs } = await bothAnswers(undefined);
    assert.equal(ours, null);
    assert.equal(theirs, null);
  });

  test("signed in: the same user, session id and methods as getServerSession", async () => {
    const cookie = await sessionCookie({ id: fx.users.acmeAdmin, email: emailOf("acmeAdmin"), name: "acmeAdmin" });
    const { ours, theirs } = await bothAnswers(cookie);
    assert.ok(ours?.user?.id, "a session");
    assert.deepEqual(ours, theirs);
    assert.equal(ours.user.id, fx.users.acmeAdmin);
    assert.equal(ours.user.mfaEnrollmentRequired, false);
    assert.equal("expires" in ours, false, "getServerSession drops expires in the App Router; so does the read");
  });

  test("a forged or garbled cookie is signed out for both", async () => {
    const name = await cookieName();
    for (const value of ["not-a-jwe", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC"]) {
      const { ours, theirs } = await bothAnswers(`${name}=${value}`);
      assert.equal(ours, null, value);
      assert.equal(theirs, null, value);
    }
    // Sealed under another secret: decrypts for neither.
    const other = await encode({ token: { sub: fx.users.acmeAdmin }, secret: "another-secret-another-secret-0123456789", maxAge: 3600 });
    const { ours, theirs } = await bothAnswers(`${name}=${other}`);
    assert.equal(ours, null);
    assert.equal(theirs, null);
  });

  test("a token past its expiry is signed out for both", async () => {
    const name = await cookieName();
    const expired = await encode({ token: { sub: fx.users.acmeAdmin, sid: "x" }, secret: process.env.NEXTAUTH_SECRET!, maxAge: -3600 });
    const { ours, theirs } = await bothAnswers(`${name}=${expired}`);
    assert.equal(ours, null);
    assert.equal(theirs, null);
  });

  test("a revoked session is signed out for both, although its cookie decrypts", async () => {
    const person = { id: fx.users.acmeAnalyst, email: emailOf("acmeAnalyst"), name: "acmeAnalyst" };
    const cookie = await sessionCookie(person);
    assert.ok((await bothAnswers(cookie)).ours, "signed in before the revocation");
    const { revokeUserSessions } = await import("@/lib/auth/sessions");
    await revokeUserSessions(person.id, "password_changed");
    const { ours, theirs } = await bothAnswers(cookie);
    assert.equal(ours, null);
    assert.equal(theirs, null);
  });

  test("the MFA flag comes from the database for both, not from the token", async () => {
    const person = { id: fx.users.msspAdmin, email: emailOf("msspAdmin"), name: "msspAdmin" };
    const cookie = await sessionCookie(person);
    const { ours, theirs } = await bothAnswers(cookie);
    assert.deepEqual(ours, theirs);
    // An MSSP role without a confirmed second factor must enrol (sessions.check_session), whatever the token says.
    const confirmed = await withClient(db.url, async (c) => (await c.query("select count(*)::int as n from public.user_mfa where user_id = $1 and confirmed_at is not null", [person.id])).rows[0].n);
    assert.equal(confirmed, 0, "the fixture's MSSP admin has no confirmed factor");
    assert.equal(ours?.user.mfaEnrollmentRequired, true);
  });

  test("a cookie in chunks (name.0, name.1) reads as the whole cookie", async () => {
    const name = await cookieName();
    const cookie = await sessionCookie({ id: fx.users.globexAdmin, email: emailOf("globexAdmin"), name: "globexAdmin" });
    const value = cookie.slice(cookie.indexOf("=") + 1);
    const half = Math.floor(value.length / 2);
    const chunked = `${name}.0=${value.slice(0, half)}; ${name}.1=${value.slice(half)}`;
    const { ours, theirs } = await bothAnswers(chunked);
    assert.equal(ours?.user.id, fx.users.globexAdmin);
    assert.deepEqual(ours, theirs);
  });
});
