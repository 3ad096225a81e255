// Server-side sessions (issue 9, finding 5), through next-auth's real handler
// with the portal's options (tests/helpers/next-auth-flow.ts) and a real
// Postgres: a cookie taken before sign-out is worthless after it; password,
// MFA and membership changes end the other sessions; the absolute lifetime
// is not extended by reading the session; idle sessions end; the cookies
// carry the __Host- prefix in production; and the sessions table is out of
// reach of every API role.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-session-revocation";

import pg from "pg";
import { authCookies } from "@/lib/auth/cookies";
import { jwtCallback, SessionEndedError } from "@/lib/auth/jwt-callback";
import { confirmEnrolment, disableMfa, startEnrolment } from "@/lib/auth/mfa";
import { hashPassword } from "@/lib/auth/password";
import { checkSession, openSession, revokeUserSessions } from "@/lib/auth/sessions";
import { base32Decode, totp } from "@/lib/auth/totp";
import { withTenant } from "@/lib/db/with-tenant";
import { log } from "@/lib/log";
import { emailOf, insertFixtures, type Fixtures } from "./helpers/fixtures";
import { AuthFlow } from "./helpers/next-auth-flow";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const PASSWORD = "correct horse battery staple";
let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  await owner.query("update public.users set password_hash = $1", [await hashPassword(PASSWORD)]);
});
after(async () => {
  await owner?.end();
  await db?.drop();
});

const row = async (sid: string) =>
  (await owner.query("select * from sessions.user_sessions where id = $1", [sid])).rows[0] as
    | { user_id: string; expires_at: Date; created_at: Date; last_seen_at: Date; revoked_at: Date | null; revoked_reason: string | null }
    | undefined;

async function signedIn(user: keyof Fixtures["users"]): Promise<{ flow: AuthFlow; sid: string }> {
  const flow = await AuthFlow.portal();
  const res = await flow.signIn(emailOf(user), PASSWORD);
  assert.ok(!String(res.redirect ?? "").includes("error="), `signed in: ${res.redirect}`);
  const session = await flow.session();
  assert.ok(session?.user?.sessionId, `a session after sign-in (${res.redirect}, cookies ${[...flow.jar.keys()]}, ${JSON.stringify(res.body)})`);
  return { flow, sid: session.user.sessionId };
}

describe("junk session cookies are turned away quietly", () => {
  test("a forged or tampered cookie is a warning without stack, a failure of our own callback stays an error", async () => {
    const { flow } = await signedIn("acmeAnalyst");
    const lines: { level: "warn" | "error"; obj: Record<string, unknown> }[] = [];
    const real = { warn: log.warn, error: log.error };
    log.warn = ((obj: Record<string, unknown>) => void lines.push({ level: "warn", obj })) as typeof log.warn;
    log.error = ((obj: Record<string, unknown>) => void lines.push({ level: "error", obj })) as typeof log.error;
    try {
      const name = flow.sessionCookieName();
      const good = flow.snapshot().get(name)!;
      for (const junk of ["not-a-jwe", `${good.slice(0, -8)}AAAAAAAA`, good.split(".").reverse().join(".")]) {
        assert.equal(await flow.session(new Map([[name, junk]])), null, "turned away");
      }
      assert.ok(lines.length >= 3, `control: next-auth reported each junk cookie (${JSON.stringify(lines)})`);
      assert.deepEqual([...new Set(lines.map((l) => `${l.level} ${l.obj.event}`))], ["warn auth.unreadable-session-cookie"]);
      assert.ok(!JSON.stringify(lines).includes("at "), "no stack");

      // Our own callback failing (the database gone, here a thrown error) is still an error.
      lines.length = 0;
      const broken = new AuthFlow({ ...flow.options, callbacks: { ...flow.options.callbacks, jwt: () => Promise.reject(new Error("callback failed")) } });
      broken.jar = flow.snapshot();
      assert.equal(await broken.session(), null);
      assert.ok(lines.some((l) => l.level === "error" && l.obj.event === "next-auth.error"), JSON.stringify(lines));
    } finally {
      log.warn = real.warn;
      log.error = real.error;
    }
  });
});

describe("sign-out ends the session, not only the cookie", () => {
  test("a session cookie copied before sign-out is signed out when replayed after it", async () => {
    const { flow, sid } = await signedIn("acmeAnalyst");
    const stolen = flow.snapshot();
    assert.ok(stolen.has(flow.sessionCookieName()), "the session cookie is in the jar");
    // Control: the copy works while the session is on.
    assert.equal((await flow.session(stolen))?.user?.id, fx.users.acmeAnalyst);

    await flow.signOut();
    assert.equal(await flow.session(), null, "the browser that signed out is signed out");
    assert.equal(await flow.session(stolen), null, "the copied cookie no longer works");
    const r = await row(sid);
    assert.equal(r?.revoked_reason, "sign_out");
    // And the jwt callback itself refuses it, so the session read (pages,
    // actions, route handlers: lib/auth/session-read.ts) sees no session.
    await assert.rejects(jwtCallback({ token: { sub: fx.users.acmeAnalyst, sid } }), SessionEndedError);
  });

  test("a token with no session record, another user's session id, or no id at all is refused", async () => {
    const { sid } = await signedIn("acmeViewer");
    await assert.rejects(jwtCallback({ token: { sub: fx.users.acmeViewer, sid: crypto.randomUUID() } }), SessionEndedError);
    await assert.rejects(jwtCallback({ token: { sub: fx.users.acmeAdmin, sid } }), SessionEndedError, "another user's sid");
    await assert.rejects(jwtCallback({ token: { sub: fx.users.acmeViewer } }), SessionEndedError);
    // Control: the right pair is accepted.
    assert.equal((await jwtCallback({ token: { sub: fx.users.acmeViewer, sid } })).sid, sid);
  });
});

describe("changes that end the user's other sessions", () => {
  test("a password change (revokeUserSessions) ends every other session and keeps the caller's", async () => {
    const a = await signedIn("acmeAdmin");
    const b = await signedIn("acmeAdmin");
    const other = await signedIn("globexAdmin");
    const n = await revokeUserSessions(fx.users.acmeAdmin, "password_changed", a.sid);
    assert.equal(n, 1);
    assert.ok(await a.flow.session(), "the session that changed the password stays");
    assert.equal(await b.flow.session(), null, "the other one is signed out");
    assert.equal((await row(b.sid))?.revoked_reason, "password_changed");
    assert.ok(await other.flow.session(), "another user's session is untouched");
    // Without an exception, all of them.
    assert.equal(await revokeUserSessions(fx.users.acmeAdmin, "password_changed"), 1);
    assert.equal(await a.flow.session(), null);
  });

  test("turning MFA on and off ends the other sessions", async () => {
    const keep = await signedIn("acmeEuAdmin");
    const elsewhere = await signedIn("acmeEuAdmin");
    const start = await startEnrolment({ id: fx.users.acmeEuAdmin, email: emailOf("acmeEuAdmin") }, { sessionId: keep.sid });
    assert.ok(start.ok);
    const secret = base32Decode(start.enrolment.secret);
    const t0 = Date.now();
    assert.ok((await confirmEnrolment(fx.users.acmeEuAdmin, totp(secret, t0), new Date(t0), { keepSessionId: keep.sid })).ok);
    assert.ok(await keep.flow.session());
    assert.equal(await elsewhere.flow.session(), null);
    assert.equal((await row(elsewhere.sid))?.revoked_reason, "mfa_enrolled");

    // A new session (password + code), then MFA off from the first one.
    const again = await AuthFlow.portal();
    await again.signIn(emailOf("acmeEuAdmin"), PASSWORD, totp(secret, t0 + 30_000));
    const againSid = (await again.session())?.user?.sessionId;
    assert.ok(againSid, "signed in with a code");
    const off = await disableMfa(fx.users.acmeEuAdmin, totp(secret, t0 + 60_000), new Date(t0 + 60_000), { keepSessionId: keep.sid });
    assert.ok(off.ok);
    assert.equal(await again.session(), null);
    assert.equal((await row(againSid))?.revoked_reason, "mfa_disabled");
    assert.ok(await keep.flow.session());
  });

  test("a removed membership ends the user's sessions in the same transaction (database trigger), whoever deletes it", async () => {
    const victim = await signedIn("twoCustomers");
    const bystander = await signedIn("acmeEuAdmin");
    // The globex admin removes the user's globex membership under RLS, as the
    // Team page does (the acme one stays: one removal is enough).
    await withTenant({ userId: fx.users.globexAdmin, activeTenantId: fx.tenants.globex }, async (tx) => {
      const { rowCount } = await tx.client.query("delete from public.memberships where user_id = $1 and tenant_id = $2", [
        fx.users.twoCustomers,
        fx.tenants.globex,
      ]);
      assert.equal(rowCount, 1);
    });
    assert.equal(await victim.flow.session(), null);
    assert.equal((await row(victim.sid))?.revoked_reason, "membership_removed");
    assert.ok(await bystander.flow.session(), "other users keep theirs");

    // A removal that rolls back leaves the session alone.
    const kept = await signedIn("acmeAnalyst");
    await withClient(db.url, async (c) => {
      await c.query("begin");
      await c.query("delete from public.memberships where user_id = $1", [fx.users.acmeAnalyst]);
      await c.query("rollback");
    });
    assert.ok(await kept.flow.session());
  });
});

describe("lifetime", () => {
  test("reading the session does not extend its absolute expiry; past it, the session is over", async () => {
    const { flow, sid } = await signedIn("acmeViewer");
    const first = await row(sid);
    assert.ok(first);
    const hours = (first.expires_at.getTime() - first.created_at.getTime()) / 3_600_000;
    assert.equal(hours, 12, "SESSION_MAX_AGE_HOURS defaults to 12");
    for (let i = 0; i < 5; i++) assert.ok(await flow.session());
    // Reading re-issues next-auth's cookie, but the record's end never moves.
    assert.deepEqual((await row(sid))?.expires_at, first.expires_at);
    const s = await flow.session();
    assert.equal(s?.expires, new Date(Math.floor(first.expires_at.getTime() / 1000) * 1000).toISOString(), "the session says its real end");

    // The clock reaches the end (moved in the row): signed out.
    await owner.query("update sessions.user_sessions set created_at = now() - interval '13 hours', expires_at = now() - interval '1 second' where id = $1", [sid]);
    assert.equal(await flow.session(), null);
    assert.equal((await checkSession(sid, fx.users.acmeViewer)).state, "expired");
  });

  test("an idle session ends (SESSION_IDLE_MINUTES, default 60) and stays ended; use moves last_seen_at at most once a minute", async () => {
    const { flow, sid } = await signedIn("acmeViewer");
    await owner.query("update sessions.user_sessions set last_seen_at = now() - interval '10 minutes' where id = $1", [sid]);
    assert.ok(await flow.session());
    const seen = (await row(sid))!.last_seen_at;
    assert.ok(Date.now() - seen.getTime() < 60_000, "touched");
    assert.ok(await flow.session());
    assert.deepEqual((await row(sid))!.last_seen_at, seen, "not again within the minute");

    await owner.query("update sessions.user_sessions set last_seen_at = now() - interval '61 minutes' where id = $1", [sid]);
    assert.equal(await flow.session(), null);
    assert.equal((await row(sid))?.revoked_reason, "idle");
    await owner.query("update sessions.user_sessions set last_seen_at = now() where id = $1", [sid]);
    assert.equal(await flow.session(), null, "coming back does not revive it");
  });

  test("a session opened with a lifetime in the past is refused at once (openSession honours the clock)", async () => {
    const sid = crypto.randomUUID();
    await openSession(sid, fx.users.acmeViewer, {}, new Date(Date.now() - 13 * 3_600_000));
    assert.equal((await checkSession(sid, fx.users.acmeViewer)).state, "expired");
  });
});

describe("cookies", () => {
  test("production: __Host- names, Secure, Path=/, no Domain, httpOnly, SameSite=Lax", () => {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "-e", `import("@/lib/auth/options").then(({ authOptions }) => console.log(JSON.stringify({ cookies: authOptions.cookies, secure: authOptions.useSecureCookies })))`],
      { env: { ...process.env, NODE_ENV: "production", NEXTAUTH_SECRET: "x".repeat(40) }, encoding: "utf8" },
    );
    const { cookies, secure } = JSON.parse(out.trim().split("\n").pop()!);
    assert.equal(secure, true);
    for (const key of ["sessionToken", "csrfToken", "callbackUrl"]) {
      const c = cookies[key];
      assert.match(c.name, /^__Host-/, key);
      assert.equal(c.options.secure, true, key);
      assert.equal(c.options.path, "/", key);
      assert.equal(c.options.domain, undefined, key);
      assert.equal(c.options.httpOnly, true, key);
      assert.equal(c.options.sameSite, "lax", key);
    }
  });

  test("production: the session cookie next-auth sets at sign-in is __Host- and Secure", async () => {
    const flow = await AuthFlow.portal("https://acme.portal.example", { useSecureCookies: true, cookies: authCookies({ secure: true }) });
    const res = await flow.signIn(emailOf("acmeAnalyst"), PASSWORD);
    const set = res.cookies.find((c) => c.name.includes("session-token"));
    assert.ok(set, "a session cookie is set");
    assert.equal(set.name, "__Host-mssp.session-token");
    assert.equal(set.options.secure, true);
    assert.equal(set.options.path, "/");
    assert.equal(set.options.domain, undefined);
    assert.ok(await flow.session(), "and it works");
  });

  test("development (not production): plain names without Secure, so http on a LAN address still signs in", () => {
    const c = authCookies({ secure: false });
    assert.equal(c.sessionToken?.name, "mssp.session-token");
    assert.equal(c.sessionToken?.options.secure, false);
  });
});

describe("who can reach the sessions table", () => {
  test("authenticated and anon reach nothing; portal_app may only run sessions.check_session", async () => {
    for (const role of ["authenticated", "anon"]) {
      await withClient(db.url, async (c) => {
        await c.query(`set role ${role}`);
        await assert.rejects(c.query("select * from sessions.user_sessions"), /permission denied/, role);
        await assert.rejects(c.query("select * from sessions.check_session($1, $2, 0)", [crypto.randomUUID(), crypto.randomUUID()]), /permission denied/, role);
        await assert.rejects(c.query("select sessions.revoke_user($1, 'admin')", [fx.users.acmeAdmin]), /permission denied/, role);
      });
    }
    await withClient(db.url, async (c) => {
      await c.query("set role portal_app");
      await assert.rejects(c.query("select * from sessions.user_sessions"), /permission denied/);
      await assert.rejects(c.query("update sessions.user_sessions set revoked_at = null"), /permission denied/);
      await assert.rejects(c.query("select sessions.revoke_user($1, 'admin')", [fx.users.acmeAdmin]), /permission denied/);
      const { rows } = await c.query("select state from sessions.check_session($1, $2, 0)", [crypto.randomUUID(), fx.users.acmeAdmin]);
      assert.equal(rows[0].state, "unknown");
    });
  });
});
