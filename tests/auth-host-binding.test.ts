// A tenant controls its custom domain's DNS and may point it at a server of its own that relays the
// traffic with its own certificate (docs/white-label.md). So:
//   - on a verified custom domain only the tenant's own people sign in (a membership, all at or below
//     that tenant: lib/auth/host-rule.ts); anyone else, MSSP staff above all, is refused after the
//     right password and before any second factor, and told where to sign in instead; a wrong
//     password or an unknown email answers as on any host;
//   - a session is bound to the host it was opened on (sessions.user_sessions.host): its cookie,
//     copied to the console, another tenant's host or the tenant's own <slug>.<domain>, opens nothing
//     there (lib/auth/jwt-callback.ts, the one check every session read goes through);
//   - handoffs open a session of their own on the target host, bound to it, and keep working.
// Through next-auth's real handler (tests/helpers/next-auth-flow.ts) inside a Next request scope with
// the Host (and the proxy's custom-domain header) of each host, a real Postgres and the real PDP.
// First: Next's request storage must be installed before any next/* module loads (helpers/actions).
import { enrolMfa, inRequest, type RequestAs } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hashPassword } from "@/lib/auth/password";
import { totp, base32Decode } from "@/lib/auth/totp";
import { CUSTOM_DOMAIN_TENANT_HEADER } from "@/lib/tenancy/host";
import { useFixtureEnv } from "./helpers/fixture-env";
import { routeCustomDomain } from "./helpers/custom-domains";
import { emailOf, type UserName } from "./helpers/fixtures";
import { AuthFlow } from "./helpers/next-auth-flow";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-host-binding-0123456789";
const env = useFixtureEnv();
const PASSWORD = "correct horse battery staple";
const ACME_DOMAIN = "soc.acme.test";

const DOMAIN: RequestAs = { host: ACME_DOMAIN, headers: { [CUSTOM_DOMAIN_TENANT_HEADER]: "acme" } };
const CONSOLE: RequestAs = { host: "localhost:3000" };
const ACME: RequestAs = { host: "acme.localhost:3000" };
const GLOBEX: RequestAs = { host: "globex.localhost:3000" };

env.before(async () => {
  await routeCustomDomain(env, env.fx.tenants.acme, ACME_DOMAIN);
  await env.owner("update public.users set password_hash = $1", [await hashPassword(PASSWORD)]);
});

interface SignedIn {
  flow: AuthFlow;
  /** The failure code next-auth hands the sign-in form, or null when signed in. */
  error: string | null;
}

/** The sign-in form's post to next-auth on `at`. */
async function signInAt(at: RequestAs, who: UserName | string, opts: { password?: string; code?: string } = {}): Promise<SignedIn> {
  const flow = await AuthFlow.portal(`http://${at.host}`);
  const email = who.includes("@") ? who : emailOf(who as UserName);
  const res = await inRequest(at, () => flow.signIn(email, opts.password ?? PASSWORD, opts.code ?? ""));
  const error = new URL(res.redirect ?? "http://x/", "http://x/").searchParams.get("error");
  return { flow, error };
}

/**
 * The session next-auth answers on `at` with a copy of `flow`'s cookies (a refusal clears the cookie on
 * the host that refused it, in that host's jar: not in the one `flow` keeps for its own host).
 */
const sessionAt = (at: RequestAs, flow: AuthFlow) => inRequest(at, () => flow.session(flow.snapshot()));

/** The App Router's read (lib/auth/session-read.ts) of `flow`'s session cookie presented on `at`. */
async function readAt(at: RequestAs, flow: AuthFlow): Promise<string | null> {
  const name = flow.sessionCookieName();
  const cookie = `${name}=${flow.jar.get(name)}`;
  const { readSession } = await import("@/lib/auth/session-read");
  return (await inRequest({ ...at, cookie }, () => readSession()))?.user?.id ?? null;
}

describe("signing in on a tenant's custom domain", () => {
  test("MSSP staff, people of other tenants and people of none are refused there, told to sign in on <slug>.<domain>; no session", async () => {
    for (const who of ["msspAdmin", "twoCustomers", "noMemberships"] as const) {
      const { flow, error } = await signInAt(DOMAIN, who);
      assert.match(error ?? "", /^wrong_host:http:\/\/acme\.localhost$/, `${who}: refused, with where to go`);
      assert.equal(await sessionAt(DOMAIN, flow), null, `${who}: no session`);
      const { signInErrorMessage, wrongHostOrigin } = await import("@/lib/auth/sign-in-messages");
      assert.match(signInErrorMessage(error)!, /portal's own address/);
      assert.equal(wrongHostOrigin(error), "http://acme.localhost");
    }
    // The same account on the portal's own host of that tenant (control).
    const control = await signInAt(ACME, "msspAdmin");
    assert.equal(control.error, null);
    assert.ok((await sessionAt(ACME, control.flow))?.user?.id, "control: signed in on acme.localhost");
  });

  test("the tenant's own people sign in there: its admin, and a member of a site below it", async () => {
    for (const who of ["acmeAdmin", "acmeEuAdmin"] as const) {
      const { flow, error } = await signInAt(DOMAIN, who);
      assert.equal(error, null, `${who}: signed in`);
      assert.equal((await sessionAt(DOMAIN, flow))?.user?.id, env.fx.users[who]);
    }
  });

  test("without the right password the answer is the same as anywhere: nothing says whether the account exists or is refused there", async () => {
    const wrong = await signInAt(DOMAIN, "msspAnalyst", { password: "not the password" });
    const unknown = await signInAt(DOMAIN, "nobody-at-all@example.test", { password: "not the password" });
    const ownWrong = await signInAt(DOMAIN, "acmeAnalyst", { password: "not the password" });
    assert.deepEqual([wrong.error, unknown.error, ownWrong.error], ["invalid", "invalid", "invalid"]);
    // A link carrying ?error=wrong_host:<anything> shows the message, never its origin as a link.
    const { wrongHostOrigin } = await import("@/lib/auth/sign-in-messages");
    assert.equal(wrongHostOrigin("wrong_host:https://evil.example/x"), null);
    assert.equal(wrongHostOrigin("wrong_host:javascript:alert(1)"), null);
  });

  test("with two-step verification the refusal comes before the code: none is asked for, none is spent", async () => {
    const secret = base32Decode(await enrolMfa(env.person("msspAnalyst")));
    // The next step's code: enrolment spent the current one.
    const code = totp(secret, Date.now() + 30_000);
    assert.match((await signInAt(DOMAIN, "msspAnalyst")).error ?? "", /^wrong_host:/, "no code step");
    assert.match((await signInAt(DOMAIN, "msspAnalyst", { code })).error ?? "", /^wrong_host:/, "a right code changes nothing");
    const { flow, error } = await signInAt(ACME, "msspAnalyst", { code });
    assert.equal(error, null, "the same code still signs in on acme.localhost: it was not spent");
    assert.ok((await sessionAt(ACME, flow))?.user?.id);
  });
});

describe("a session is bound to the host it was opened on", () => {
  test("a session from the custom domain opens nothing on <slug>.<domain>, the console or another tenant's host", async () => {
    const { flow, error } = await signInAt(DOMAIN, "acmeAdmin");
    assert.equal(error, null);
    assert.equal((await sessionAt(DOMAIN, flow))?.user?.id, env.fx.users.acmeAdmin);
    for (const at of [ACME, CONSOLE, GLOBEX]) {
      assert.equal(await sessionAt(at, flow), null, `next-auth on ${at.host}`);
      assert.equal(await readAt(at, flow), null, `the App Router's read on ${at.host}`);
    }
    // Refused there, not ended: still the session of its own host.
    assert.equal(await readAt(DOMAIN, flow), env.fx.users.acmeAdmin);
  });

  test("a console session opens no tenant host, and the other way round; the port does not matter (cookies ignore it)", async () => {
    const staff = await signInAt(CONSOLE, "msspAdmin");
    assert.equal(staff.error, null);
    assert.equal(await readAt(CONSOLE, staff.flow), env.fx.users.msspAdmin);
    assert.equal(await readAt({ host: "localhost:4000" }, staff.flow), env.fx.users.msspAdmin, "same host, another port");
    for (const at of [ACME, GLOBEX, DOMAIN]) assert.equal(await readAt(at, staff.flow), null, `console session on ${at.host}`);
    const tenant = await signInAt(GLOBEX, "globexAdmin");
    assert.equal(await readAt(GLOBEX, tenant.flow), env.fx.users.globexAdmin);
    for (const at of [CONSOLE, ACME]) assert.equal(await readAt(at, tenant.flow), null, `globex session on ${at.host}`);
  });

  test("a custom-domain session ends when its person stops being one of the tenant's own (made MSSP staff later): revoked, reason host_rule", async () => {
    const { flow, error } = await signInAt(DOMAIN, "acmeAnalyst");
    assert.equal(error, null);
    const sid = (await sessionAt(DOMAIN, flow))!.user!.sessionId;
    assert.equal(await readAt(DOMAIN, flow), env.fx.users.acmeAnalyst);
    // A membership above the tenant: the MSSP's analyst too.
    await env.owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'mssp_analyst')", [env.fx.tenants["mssp-a"], env.fx.users.acmeAnalyst]);
    try {
      assert.equal(await readAt(DOMAIN, flow), null, "signed out on the custom domain");
      const [row] = await env.owner<{ revoked_reason: string | null }>("select revoked_reason from sessions.user_sessions where id = $1", [sid]);
      assert.equal(row.revoked_reason, "host_rule");
      // Taking the membership back does not bring the ended session back.
      await env.owner("delete from public.memberships where tenant_id = $1 and user_id = $2", [env.fx.tenants["mssp-a"], env.fx.users.acmeAnalyst]);
      assert.equal(await readAt(DOMAIN, flow), null);
    } finally {
      await env.owner("delete from public.memberships where tenant_id = $1 and user_id = $2", [env.fx.tenants["mssp-a"], env.fx.users.acmeAnalyst]);
    }
    // Sessions on the portal's own hosts are not the custom domain's business: an MSSP session stays.
    const staff = await signInAt(CONSOLE, "msspAdmin");
    assert.equal(await readAt(CONSOLE, staff.flow), env.fx.users.msspAdmin);
  });

  test("the record keeps the host name; a check without a host refuses a bound session", async () => {
    const { flow } = await signInAt(ACME, "acmeAnalyst");
    const sid = (await sessionAt(ACME, flow))!.user!.sessionId;
    const [row] = await env.owner<{ host: string }>("select host from sessions.user_sessions where id = $1", [sid]);
    assert.equal(row.host, "acme.localhost");
    const { checkSession } = await import("@/lib/auth/sessions");
    assert.equal((await checkSession(sid, env.fx.users.acmeAnalyst, "ACME.localhost:3000")).state, "active");
    assert.equal((await checkSession(sid, env.fx.users.acmeAnalyst, "localhost:3000")).state, "wrong_host");
    assert.equal((await checkSession(sid, env.fx.users.acmeAnalyst)).state, "wrong_host");
  });
});

describe("handoffs keep working, each session bound to its own host", () => {
  async function handOff(from: RequestAs, flow: AuthFlow, to: string): Promise<{ target: AuthFlow; at: RequestAs }> {
    const { startHandoff } = await import("@/lib/auth/handoff-start");
    const { customDomainTenant } = await import("@/lib/tenancy/host");
    const user = (await sessionAt(from, flow))!.user! as never as import("@/lib/auth/session").SessionUser;
    const started = await inRequest(from, async () => {
      const { headers } = await import("next/headers");
      return startHandoff({ ...user, amr: ["pwd"] }, { to }, customDomainTenant(await headers()));
    });
    assert.ok(started.ok, `handoff to ${to} minted`);
    const url = new URL(started.url);
    const token = new URLSearchParams(url.hash.slice(1)).get("token")!;
    const at: RequestAs = url.hostname === ACME_DOMAIN ? { ...DOMAIN, host: url.host } : { host: url.host };
    const target = await AuthFlow.portal(url.origin);
    const csrfToken = await inRequest(at, () => target.csrf());
    const res = await inRequest(at, () => target.call("callback", { method: "POST", providerId: "handoff", body: { csrfToken, token, confirmed: "yes", json: "true" } }));
    assert.ok(!String(res.redirect ?? "").includes("error="), `handoff consumed: ${res.redirect}`);
    return { target, at };
  }

  test("console to a tenant: the new session works there and nowhere else; the console's still works", async () => {
    const staff = await signInAt(CONSOLE, "msspAdmin");
    const { target, at } = await handOff(CONSOLE, staff.flow, "acme");
    assert.equal(at.host, ACME.host);
    assert.equal(await readAt(at, target), env.fx.users.msspAdmin);
    assert.equal(await readAt(CONSOLE, target), null, "the handed-off cookie on the console");
    assert.equal(await readAt(CONSOLE, staff.flow), env.fx.users.msspAdmin, "the console's own session");
  });

  test("the tenant's own admin, from <slug>.<domain> to its custom domain: a session bound to the domain", async () => {
    const admin = await signInAt(ACME, "acmeAdmin");
    const { target, at } = await handOff(ACME, admin.flow, "acme");
    assert.equal(new URL(`http://${at.host}`).hostname, ACME_DOMAIN, "acme's own admin goes to its domain");
    assert.equal(await readAt(at, target), env.fx.users.acmeAdmin);
    assert.equal(await readAt(ACME, target), null);
  });
});
