// Plain links that land a person where they type their password, when the tenant has a verified custom
// domain: the tenant switcher's (lib/tenancy/switcher.ts), an invitation's (lib/team/links.ts) and a
// password reset's link to the user's own portal (lib/actions/account/reset-password.ts). A verified
// TXT record proves the tenant controls the domain's DNS, not that it still points at the portal, so a
// person with access beyond that tenant (MSSP staff, someone of another customer) must get
// <slug>.<domain>, never the custom domain; a person only within the tenant (or a new address) gets the
// custom domain. One rule for all (lib/tenancy/origin.ts portalOriginForMember, as the handoff's and
// the accepted invitation's: tests/handoff-custom-domain.test.ts, tests/invitation-custom-domain.test.ts).
// On a real Postgres and the real PDP.
// First: Next's request storage must be installed before any next/* module loads (helpers/actions).
import { callAction, inRequest, type ServerAction } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CUSTOM_DOMAIN_TENANT_HEADER } from "@/lib/tenancy/host";
import { useFixtureEnv } from "./helpers/fixture-env";
import { routeCustomDomain } from "./helpers/custom-domains";
import { emailOf, type UserName } from "./helpers/fixtures";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-member-links-0123456789";
const env = useFixtureEnv();
const ACME_DOMAIN = "soc.acme.test";
const GLOBEX_DOMAIN = "portal.globex.test";

env.before(async () => {
  await routeCustomDomain(env, env.fx.tenants.acme, ACME_DOMAIN);
  await routeCustomDomain(env, env.fx.tenants.globex, GLOBEX_DOMAIN);
});

/** The text of the latest mail of `template` queued for `email` (the outbox keeps bodies sealed). */
async function mailText(template: string, email: string): Promise<string> {
  const { openMailBody } = await import("@/lib/mail/seal");
  const [row] = await env.owner<{ id: string; body_sealed: Buffer }>(
    `select id, body_sealed from mail.outbox where template = $1 and recipient = $2 order by created_at desc limit 1`,
    [template, email],
  );
  assert.ok(row, `a ${template} mail to ${email}`);
  return openMailBody(row.id, row.body_sealed).text;
}
const firstLink = (text: string) => new URL(/(https?:\/\/\S+)/.exec(text)![1]);

describe("the tenant switcher's plain links", () => {
  async function links(who: UserName, host: string, customDomainOf?: string): Promise<Record<string, URL>> {
    const { switcherLinks } = await import("@/lib/tenancy/switcher");
    const { callerClaims } = await import("@/lib/db/with-tenant");
    const claims = await callerClaims({ userId: env.fx.users[who], email: emailOf(who) });
    const headers = customDomainOf ? { [CUSTOM_DOMAIN_TENANT_HEADER]: customDomainOf } : undefined;
    const entries = await inRequest({ host, headers }, () => switcherLinks(claims, "acme"));
    return Object.fromEntries(entries.map((l) => [l.slug, new URL(l.href, `http://${host}`)]));
  }

  test("the current tenant's entry: its custom domain only for a person only within it", async () => {
    const wider = await links("twoCustomers", "acme.localhost:3000");
    assert.equal(wider.acme.host, "acme.localhost:3000", "a person of another customer too: <slug>.<domain>");
    assert.equal(wider.acme.pathname, "/alerts");
    const own = await links("acmeAdmin", "acme.localhost:3000");
    assert.equal(own.acme.hostname, ACME_DOMAIN, "acme's own admin: its custom domain");
  });

  test("another tenant's entry on a custom domain (a plain link): never that tenant's custom domain for a person beyond it", async () => {
    const onDomain = await links("twoCustomers", ACME_DOMAIN, "acme");
    assert.doesNotMatch(onDomain.globex.href, /handoff/, "a plain link from a custom domain");
    assert.equal(onDomain.globex.hostname, "globex.localhost");
    assert.equal(onDomain.acme.hostname, "acme.localhost", "the current entry too");
  });
});

describe("an invitation's link", () => {
  async function inviteLink(email: string): Promise<URL> {
    const { inviteByEmail } = await import("@/lib/team/invite");
    await env.as("acmeAdmin", (tx) => inviteByEmail(tx.db, { tenantId: env.fx.tenants.acme, email, role: "tenant_viewer", invitedBy: env.fx.users.acmeAdmin, timeZone: "UTC" }));
    const link = firstLink(await mailText("team.invitation", email));
    assert.equal(link.pathname, "/invite");
    assert.match(link.hash, /^#token=/);
    return link;
  }

  test("an existing person with access beyond the tenant: <slug>.<domain>", async () => {
    assert.equal((await inviteLink(emailOf("msspAnalyst"))).hostname, "acme.localhost", "MSSP staff");
    assert.equal((await inviteLink(emailOf("globexAdmin"))).hostname, "acme.localhost", "another customer's admin");
  });

  test("a person only within the tenant, or a new address: its custom domain", async () => {
    assert.equal((await inviteLink(emailOf("acmeEuAdmin"))).hostname, ACME_DOMAIN, "a site's admin below acme");
    assert.equal((await inviteLink("member-links-new@example.test")).hostname, ACME_DOMAIN, "no account yet");
  });

  test("the same in a workflow's service-role transaction (issueInvitation)", async () => {
    const [{ issueInvitation }, { withServiceRole }] = await Promise.all([import("@/lib/team/invite"), import("@/lib/db/service-role")]);
    await withServiceRole("lifecycle.workflow", (db) => issueInvitation(db, { tenantId: env.fx.tenants.acme, email: emailOf("msspBAdmin"), role: "tenant_admin", invitedBy: null, via: "import" }));
    assert.equal(firstLink(await mailText("team.invitation", emailOf("msspBAdmin"))).hostname, "acme.localhost", "another MSSP's staff");
  });
});

describe("a password reset's link to the user's own portal", () => {
  async function resetLink(who: UserName): Promise<URL> {
    const [{ requestPasswordResetAction }, { settleResetRequests }] = await Promise.all([import("@/lib/actions/account/reset-password"), import("@/lib/account/password-reset")]);
    // Asked on the console, which none of their memberships covers: the mail links to their own portal (acme).
    const r = (await callAction(requestPasswordResetAction as ServerAction, { host: "localhost:3000" }, { email: emailOf(who) })) as { ok: boolean };
    assert.ok(r.ok, JSON.stringify(r));
    await settleResetRequests();
    const link = firstLink(await mailText("account.password-reset", emailOf(who)));
    assert.equal(link.pathname, "/signin/reset");
    return link;
  }

  test("a person of acme and of another customer: acme's <slug>.<domain>", async () => {
    assert.equal((await resetLink("twoCustomers")).host, "acme.localhost:3000");
  });

  test("a person only within acme: its custom domain", async () => {
    assert.equal((await resetLink("acmeViewer")).hostname, ACME_DOMAIN);
  });
});
