// Moving between portals without signing in again (issue 14 point 4;
// lib/auth/handoff.ts, handoff-start.ts, the "handoff" next-auth provider),
// on a real Postgres and the real PDP:
//   - the console mints a token for a customer's host; that host consumes it
//     once, for itself only, within 60 s, while the source session lives, for a
//     user with a membership there;
//   - the target host spends the token only once the person confirmed whose account it opens
//     (login CSRF): signed out, "Continue as <email>?"; over another account, "Switch accounts?";
//   - the target session carries the source's MFA level and never more;
//   - the target session joins the source's family: signing out anywhere ends both.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inRequest } from "./helpers/actions";
import { useFixtureEnv } from "./helpers/fixture-env";
import { emailOf, type UserName } from "./helpers/fixtures";
import type { SessionUser } from "@/lib/auth/session";

// Set before the database is created (useFixtureEnv's before hook).
process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-handoff-0123456789";
const env = useFixtureEnv();
const CONSOLE = "localhost:3000";
const ACME = "acme.localhost:3000";
const GLOBEX = "globex.localhost:3000";

/** Signs `who` in as at the sign-in page (the jwt callback opens the session record). */
async function signIn(who: UserName, amr: string[]): Promise<SessionUser> {
  const { jwtCallback } = await import("@/lib/auth/jwt-callback");
  const user = { id: env.fx.users[who], email: emailOf(who), name: who, amr, mfaEnrollmentRequired: false };
  const token = await jwtCallback({ token: { sub: user.id, email: user.email }, user: user as never, trigger: "signIn" });
  return { id: user.id, email: user.email, name: who, sessionId: String(token.sid), mfaEnrollmentRequired: false, amr };
}

async function mint(user: SessionUser, to: string, host = CONSOLE) {
  const { startHandoff } = await import("@/lib/auth/handoff-start");
  return inRequest({ host }, () => startHandoff(user, { to }));
}
const tokenOf = (url: string) => new URLSearchParams(new URL(url).hash.slice(1)).get("token")!;

/** The target host's side: next-auth's "handoff" provider, as the landing page's signIn("handoff") calls it. */
async function authorizeOn(
  host: string,
  token: string,
  opts: { signedInAs?: UserName; confirmed?: "yes" | "no" } = {},
): Promise<{ id: string; amr: string[]; handoff: { familyId: string } } | { error: string }> {
  const { authOptions } = await import("@/lib/auth/options");
  const provider = authOptions.providers.find((p) => (p as unknown as { options?: { id?: string } }).options?.id === "handoff") as unknown as { options: { authorize(c: unknown, r: unknown): Promise<unknown> } };
  return inRequest({ host, person: opts.signedInAs ? env.person(opts.signedInAs) : null }, async () => {
    try {
      return (await provider.options.authorize({ token, ...(opts.confirmed ? { confirmed: opts.confirmed } : {}) }, {})) as never;
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
}

describe("handoff between portals", () => {
  test("/handoff/go for a signed-in user who must set up MFA first goes to set it up (the sign-in page sent them back: a loop)", async () => {
    const { GET } = await import("@/app/handoff/go/route");
    // The MSSP admin of these fixtures has no second factor yet, and MSSP staff must have one.
    const res = await inRequest({ host: CONSOLE, person: env.person("msspAdmin") }, () => GET(new Request(`http://${CONSOLE}/handoff/go?to=acme`)));
    assert.equal(res.status, 303);
    assert.match(res.headers.get("location") ?? "", /^http:\/\/localhost:3000\/account\/mfa$/);
    const signedOut = await inRequest({ host: CONSOLE }, () => GET(new Request(`http://${CONSOLE}/handoff/go?to=acme`)));
    assert.match(signedOut.headers.get("location") ?? "", /\/signin\?callbackUrl=/);
  });

  test("console → customer portal: one use, for that host only; MFA level carried over", async () => {
    const staff = await signIn("msspAdmin", ["pwd", "otp"]);
    const r = await mint(staff, "acme");
    assert.equal(r.ok, true);
    const url = r.ok ? r.url : "";
    assert.match(url, /^http:\/\/acme\.localhost:3000\/handoff#token=[A-Za-z0-9_-]{43}&next=%2Falerts$/);
    // Stored hashed only.
    const rows = await env.owner<{ n: number }>("select count(*)::int as n from sessions.handoff_tokens where encode(token_hash, 'hex') like '%' || $1 || '%'", [tokenOf(url)]);
    assert.equal(rows[0].n, 0);

    const granted = await authorizeOn(ACME, tokenOf(url), { confirmed: "yes" });
    assert.ok(!("error" in granted), JSON.stringify(granted));
    assert.equal(granted.id, env.fx.users.msspAdmin);
    assert.deepEqual(granted.amr, ["pwd", "otp"], "no TOTP again on the target");
    assert.equal(granted.handoff.familyId, staff.sessionId);

    assert.deepEqual(await authorizeOn(ACME, tokenOf(url)), { error: "handoff_replayed" });
  });

  test("signed out on the target, the link asks \"continue as <its owner>?\" first, spending nothing; confirmed, it signs in once", async () => {
    // Login CSRF: anyone can make a link for their own account and send it to someone signed out,
    // who would otherwise be signed in to the sender's account without a word.
    const staff = await signIn("msspAdmin", ["pwd", "otp"]);
    const r = await mint(staff, "acme");
    const token = r.ok ? tokenOf(r.url) : "";
    const consumed = async () =>
      (await env.owner<{ consumed: boolean }>("select consumed_at is not null as consumed from sessions.handoff_tokens where token_hash = sha256(convert_to($1, 'UTF8'))", [token]))[0]?.consumed;
    assert.equal(await consumed(), false);
    for (const confirmed of [undefined, "no"] as const) {
      assert.deepEqual(await authorizeOn(ACME, token, confirmed ? { confirmed } : {}), { error: `handoff_confirm:${emailOf("msspAdmin")}` });
      assert.equal(await consumed(), false, "asking spends nothing");
    }
    const { parseHandoffQuestion } = await import("@/lib/auth/handoff-messages");
    assert.deepEqual(parseHandoffQuestion(`handoff_confirm:${emailOf("msspAdmin")}`), { kind: "confirm", email: emailOf("msspAdmin") });
    // Confirmed: signed in, and the token is spent.
    const granted = await authorizeOn(ACME, token, { confirmed: "yes" });
    assert.ok(!("error" in granted) && granted.id === env.fx.users.msspAdmin, JSON.stringify(granted));
    assert.equal(await consumed(), true);
    assert.deepEqual(await authorizeOn(ACME, token, { confirmed: "yes" }), { error: "handoff_replayed" });
    // A spent, forged or dead link is not asked about: it is refused as such.
    assert.deepEqual(await authorizeOn(ACME, token), { error: "handoff_replayed" });
    assert.deepEqual(await authorizeOn(ACME, "A".repeat(43)), { error: "handoff_unknown" });
  });

  test("over another account's session the link asks first, spending nothing; the same account or a confirmed switch goes on", async () => {
    const staff = await signIn("msspAdmin", ["pwd", "otp"]);
    const r = await mint(staff, "acme");
    const token = r.ok ? tokenOf(r.url) : "";
    // Acme's admin is signed in on acme's host: a link the MSSP admin made does not swap the account silently.
    assert.deepEqual(await authorizeOn(ACME, token, { signedInAs: "acmeAdmin" }), { error: `handoff_switch:${emailOf("msspAdmin")}` });
    const spent = await env.owner<{ consumed: boolean }>("select consumed_at is not null as consumed from sessions.handoff_tokens where user_id = $1 order by created_at desc limit 1", [env.fx.users.msspAdmin]);
    assert.equal(spent[0].consumed, false, "asking spends nothing");
    // Confirmed: the switch happens, once.
    const switched = await authorizeOn(ACME, token, { signedInAs: "acmeAdmin", confirmed: "yes" });
    assert.ok(!("error" in switched) && switched.id === env.fx.users.msspAdmin, JSON.stringify(switched));
    assert.deepEqual(await authorizeOn(ACME, token, { signedInAs: "acmeAdmin", confirmed: "yes" }), { error: "handoff_replayed" });
    // The same account signed in already: no question.
    const again = await mint(staff, "acme");
    const same = await authorizeOn(ACME, again.ok ? tokenOf(again.url) : "", { signedInAs: "msspAdmin" });
    assert.ok(!("error" in same) && same.id === env.fx.users.msspAdmin, JSON.stringify(same));
    // A spent or forged token over another session is refused as such (nothing to switch to).
    assert.deepEqual(await authorizeOn(ACME, token, { signedInAs: "acmeAdmin" }), { error: "handoff_replayed" });
  });

  test("wrong host: refused, and the token is spent", async () => {
    const staff = await signIn("msspAdmin", ["pwd", "otp"]);
    const r = await mint(staff, "acme");
    const token = tokenOf(r.ok ? r.url : "");
    assert.deepEqual(await authorizeOn(GLOBEX, token), { error: "handoff_wrong_host" });
    assert.deepEqual(await authorizeOn(ACME, token), { error: "handoff_replayed" });
  });

  test("expired after 60 s; the table refuses a longer life", async () => {
    const staff = await signIn("msspAdmin", ["pwd", "otp"]);
    const { createHandoff, consumeHandoff } = await import("@/lib/auth/handoff");
    const t0 = new Date(Date.now() - 61_000);
    const token = await createHandoff({ userId: staff.id, sessionId: staff.sessionId, amr: staff.amr!, targetHost: ACME, targetTenantId: env.fx.tenants.acme }, t0);
    assert.deepEqual(await consumeHandoff(token, ACME), { ok: false, reason: "expired" });
    await assert.rejects(
      env.owner("insert into sessions.handoff_tokens (token_hash, user_id, source_session_id, target_host, amr, expires_at) values (sha256('x'), $1, $2, 'a', '{pwd}', now() + interval '61 seconds')", [staff.id, staff.sessionId]),
      /check constraint/,
    );
  });

  test("no membership on the target: refused when minting (PDP) and when consuming", async () => {
    const acmeAdmin = await signIn("acmeAdmin", ["pwd"]);
    assert.deepEqual(await mint(acmeAdmin, "globex", ACME), { ok: false, status: 403 });
    assert.deepEqual(await mint(acmeAdmin, "console", ACME), { ok: false, status: 403 });
    assert.deepEqual(await mint(acmeAdmin, "no-such-tenant", ACME), { ok: false, status: 404 });
    // A token made without the PDP (as if forged into the table) still fails at the target.
    const { createHandoff, consumeHandoff } = await import("@/lib/auth/handoff");
    const token = await createHandoff({ userId: acmeAdmin.id, sessionId: acmeAdmin.sessionId, amr: ["pwd"], targetHost: GLOBEX, targetTenantId: env.fx.tenants.globex });
    assert.deepEqual(await consumeHandoff(token, GLOBEX), { ok: false, reason: "no_membership" });
    // Down the tree is fine: acme's admin into its site acme-eu.
    const down = await mint(acmeAdmin, "acme-eu", ACME);
    assert.equal(down.ok, true);
    const granted = await authorizeOn("acme-eu.localhost:3000", tokenOf(down.ok ? down.url : ""), { confirmed: "yes" });
    assert.ok(!("error" in granted));
    assert.deepEqual(granted.amr, ["pwd"], "a password-only session stays password-only");
  });

  test("a token from a signed-out session is refused", async () => {
    const staff = await signIn("msspAdmin", ["pwd", "otp"]);
    const r = await mint(staff, "acme");
    const { revokeSession } = await import("@/lib/auth/sessions");
    assert.equal(await revokeSession(staff.sessionId, staff.id, "sign_out"), true);
    assert.deepEqual(await authorizeOn(ACME, tokenOf(r.ok ? r.url : "")), { error: "handoff_session_ended" });
  });

  test("a handoff can never raise the MFA level, and garbage is refused", async () => {
    const staff = await signIn("msspAnalyst", ["pwd"]);
    const { createHandoff, consumeHandoff } = await import("@/lib/auth/handoff");
    const token = await createHandoff({ userId: staff.id, sessionId: staff.sessionId, amr: ["pwd", "admin", "mfa"], targetHost: ACME, targetTenantId: env.fx.tenants.acme });
    const r = await consumeHandoff(token, ACME);
    assert.ok(r.ok);
    assert.deepEqual(r.grant.amr, ["pwd"]);
    for (const bad of ["", "x", "a".repeat(43), "../../etc", null, 42]) assert.equal((await consumeHandoff(bad, ACME)).ok, false);
  });

  test("the target session joins the family: signing out on either host ends both", async () => {
    const staff = await signIn("msspAdmin", ["pwd", "otp"]);
    const r = await mint(staff, "acme");
    const granted = await authorizeOn(ACME, tokenOf(r.ok ? r.url : ""), { confirmed: "yes" });
    assert.ok(!("error" in granted));
    // The target's jwt callback opens its own session in the family.
    const { jwtCallback } = await import("@/lib/auth/jwt-callback");
    const target = await jwtCallback({ token: { sub: granted.id }, user: granted as never, trigger: "signIn" });
    assert.notEqual(target.sid, staff.sessionId);
    const { checkSession, revokeSession } = await import("@/lib/auth/sessions");
    assert.equal((await checkSession(String(target.sid), staff.id)).state, "active");
    // Sign out on the customer's host: the console session ends too.
    await revokeSession(String(target.sid), staff.id, "sign_out");
    assert.equal((await checkSession(staff.sessionId, staff.id)).state, "revoked");
    assert.equal((await checkSession(String(target.sid), staff.id)).state, "revoked");
    // Another sign-in of the same user (another browser) is not in the family and stays.
    const other = await signIn("msspAdmin", ["pwd", "otp"]);
    assert.equal((await checkSession(other.sessionId, other.id)).state, "active");
  });
});
