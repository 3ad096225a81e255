// A tenant's custom domain is its admins' to point anywhere: a verified TXT record proves they control
// its DNS, not that it still points at the portal. So (lib/auth/handoff-start.ts, lib/tenancy/switcher.ts,
// lib/account/password-reset.ts):
//   - a sign-in token goes to a custom domain only for a person all of whose memberships are at or below
//     that tenant; MSSP staff, and people of other tenants too, land on <slug>.<domain>;
//   - a session on a custom domain hands off only within that tenant's subtree (never the console), and
//     only while its person is still one of the tenant's own: a membership outside it, added after the
//     session was opened there, turns the next handoff from there into a refusal (audited);
//   - the switcher there offers other portals as plain links, not handoffs;
//   - a reset code asked on a custom domain reaches only that tenant's own people in its brand and link.
// On a real Postgres and the real PDP.
// First: Next's request storage must be installed before any next/* module loads (helpers/actions).
import { inRequest } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { requestPasswordReset, settleResetRequests } from "@/lib/account/password-reset";
import type { SessionUser } from "@/lib/auth/session";
import { CUSTOM_DOMAIN_TENANT_HEADER } from "@/lib/tenancy/host";
import { useFixtureEnv } from "./helpers/fixture-env";
import { routeCustomDomain } from "./helpers/custom-domains";
import { emailOf, type UserName } from "./helpers/fixtures";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-handoff-custom-0123456789";
const env = useFixtureEnv();
const CONSOLE = "localhost:3000";
const ACME_DOMAIN = "soc.acme.test";

env.before(() => routeCustomDomain(env, env.fx.tenants.acme, ACME_DOMAIN));

async function signIn(who: UserName): Promise<SessionUser> {
  const { jwtCallback } = await import("@/lib/auth/jwt-callback");
  const user = { id: env.fx.users[who], email: emailOf(who), name: who, amr: ["pwd", "otp"], mfaEnrollmentRequired: false };
  const token = await jwtCallback({ token: { sub: user.id, email: user.email }, user: user as never, trigger: "signIn" });
  return { id: user.id, email: user.email, name: who, sessionId: String(token.sid), mfaEnrollmentRequired: false, amr: user.amr };
}

async function mint(who: UserName, to: string, from: { host: string; customDomainOf?: string } = { host: CONSOLE }) {
  const { startHandoff } = await import("@/lib/auth/handoff-start");
  const user = await signIn(who);
  const headers = from.customDomainOf ? { [CUSTOM_DOMAIN_TENANT_HEADER]: from.customDomainOf } : undefined;
  return inRequest({ host: from.host, headers }, () => startHandoff(user, { to }, from.customDomainOf ?? null));
}
const hostOf = (r: Awaited<ReturnType<typeof mint>>) => (r.ok ? new URL(r.url).hostname : `refused ${r.status}`);

describe("handoffs and a tenant's custom domain", () => {
  test("the token goes to the custom domain only for the tenant's own people", async () => {
    assert.equal(hostOf(await mint("acmeAdmin", "acme")), ACME_DOMAIN, "acme's own admin: its domain");
    assert.equal(hostOf(await mint("msspAdmin", "acme")), "acme.localhost", "MSSP staff: the portal's own host");
    assert.equal(hostOf(await mint("twoCustomers", "acme")), "acme.localhost", "a person of another customer too");
    assert.equal(hostOf(await mint("msspAdmin", "globex")), "globex.localhost", "control: no custom domain");
  });

  test("a session on the custom domain hands off only within that tenant", async () => {
    const from = { host: ACME_DOMAIN, customDomainOf: "acme" };
    assert.equal(hostOf(await mint("msspAdmin", "console", from)), "refused 403", "never to the console");
    assert.equal(hostOf(await mint("twoCustomers", "globex", from)), "refused 403", "never to another customer");
    assert.equal(hostOf(await mint("acmeAdmin", "acme-eu", from)), "acme-eu.localhost", "a site below it: yes");
    assert.equal(hostOf(await mint("msspAdmin", "console")), "localhost", "control: from the console's own host");
  });

  test("a person given a membership outside the tenant after signing in on its domain hands off from there no more", async () => {
    const from = { host: ACME_DOMAIN, customDomainOf: "acme" };
    assert.equal(hostOf(await mint("acmeUsAdmin", "acme-us", from)), "acme-us.localhost", "control: one of acme's own people");
    assert.equal(hostOf(await mint("msspAdmin", "acme-eu", from)), "refused 403", "MSSP staff: never signed in there, never handed off from there");
    // The MSSP later gives the same person a role on another customer: their session on acme's domain (which
    // acme may relay through a server of its own, reading the cookie) must not start a handoff whose token
    // opens a session with that whole reach on acme-us.<domain>.
    await env.owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_analyst')", [env.fx.tenants.globex, env.fx.users.acmeUsAdmin]);
    try {
      const r = await mint("acmeUsAdmin", "acme-us", from);
      assert.deepEqual(r, { ok: false, status: 403, reason: "wrong_host", signInAt: "http://acme.localhost" });
      const audited = await env.owner<{ tenant: string; outcome: string; reason: string }>(
        `select t.slug as tenant, a.outcome, a.details->>'reason' as reason
           from public.audit_log a join public.tenants t on t.id = a.tenant_id
          where a.action = 'auth:handoff-refused' and a.actor_id = $1 order by t.slug`,
        [env.fx.users.acmeUsAdmin],
      );
      assert.deepEqual(audited, [
        { tenant: "acme-us", outcome: "denied", reason: "wrong_host" },
        { tenant: "globex", outcome: "denied", reason: "wrong_host" },
      ]);
      assert.equal(hostOf(await mint("acmeUsAdmin", "acme-us")), "acme-us.localhost", "control: from the portal's own host, as before");
    } finally {
      await env.owner("delete from public.memberships where tenant_id = $1 and user_id = $2", [env.fx.tenants.globex, env.fx.users.acmeUsAdmin]);
    }
  });

  test("the switcher on the custom domain links other portals plainly, not through a handoff", async () => {
    const { switcherLinks } = await import("@/lib/tenancy/switcher");
    const { callerClaims } = await import("@/lib/db/with-tenant");
    const claims = await callerClaims({ userId: env.fx.users.twoCustomers, email: emailOf("twoCustomers") });
    const links = async (host: string, customDomainOf?: string) =>
      Object.fromEntries(
        (await inRequest({ host, headers: customDomainOf ? { [CUSTOM_DOMAIN_TENANT_HEADER]: customDomainOf } : undefined }, () => switcherLinks(claims, "acme"))).map((l) => [l.slug, l.href]),
      );
    const onDomain = await links(ACME_DOMAIN, "acme");
    assert.doesNotMatch(onDomain.globex, /handoff/, "globex: a plain link");
    assert.match(onDomain.globex, /^http:\/\/globex\.localhost(:\d+)?\/alerts$/);
    const onPortal = await links("acme.localhost:3000");
    assert.match(onPortal.globex, /\/handoff\/go\?to=globex/, "control: on the portal's own host, a handoff");
  });

  test("a reset code asked on the custom domain reaches only the tenant's own people in its brand", async () => {
    const asked: string[] = [];
    const ask = async (who: UserName) => {
      let used = "host";
      await requestPasswordReset(emailOf(who), {
        source: `custom-domain-${who}`,
        host: { slug: "acme", customDomain: true, mail: { resetUrl: `http://${ACME_DOMAIN}/signin/reset` } },
        elsewhere: async (tenant) => ((used = `elsewhere:${tenant?.slug ?? "console"}`), { resetUrl: "http://localhost:3000/signin/reset" }),
      });
      await settleResetRequests();
      asked.push(`${who}=${used}`);
    };
    await ask("acmeAdmin");
    await ask("msspAdmin");
    await ask("twoCustomers");
    assert.deepEqual(asked, ["acmeAdmin=host", "msspAdmin=elsewhere:mssp-a", "twoCustomers=elsewhere:acme"]);
  });
});
