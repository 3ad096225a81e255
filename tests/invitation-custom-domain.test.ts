// Where accepting an invitation sends the person, when the tenant has a verified custom domain
// (lib/actions/team/accept-invitation.ts). The page sends them there to work, and to sign in: a
// person with access beyond that tenant (MSSP staff, someone of another customer) must not be sent
// to a host the tenant controls, where their password (or a later session) would reach a server of
// the tenant's choosing. The same rule as the handoff's (lib/tenancy/origin.ts portalOriginForMember,
// tests/handoff-custom-domain.test.ts): the custom domain only for someone all of whose memberships
// are at or below the tenant, else <slug>.<domain>. On a real Postgres, the real PDP and a real SMTP
// server (the emailed code).
// First: Next's request storage must be installed before any next/* module loads (helpers/actions).
import { callAction, enrolMfa, type ServerAction } from "./helpers/actions";
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { CUSTOM_DOMAIN_TENANT_HEADER } from "@/lib/tenancy/host";
import { useFixtureEnv } from "./helpers/fixture-env";
import { routeCustomDomain } from "./helpers/custom-domains";
import { emailOf, type UserName } from "./helpers/fixtures";
import { codeIn, linkIn, startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-invite-custom-0123456789";
const env = useFixtureEnv();
const ACME_DOMAIN = "soc.acme.test";
let smtp: TestSmtpServer;

env.before(async () => {
  await routeCustomDomain(env, env.fx.tenants.acme, ACME_DOMAIN);
  smtp = await startSmtpServer();
  useSmtp(smtp);
  const { registerMailDelivery } = await import("@/lib/mail/deliver");
  registerMailDelivery();
  // MSSP staff must have a second factor to act at all (their session would be enrolment-only).
  await enrolMfa(env.person("msspAdmin"));
});
after(() => smtp?.stop());

const deliver = async () => {
  const [{ runJobsUntilIdle }, { MAIL_TASK }] = await Promise.all([import("@/lib/jobs"), import("@/lib/mail/deliver")]);
  await runJobsUntilIdle({ kinds: [MAIL_TASK] });
};

/** Acme's admin invites `email` to acme; the token from the mailed link and the mailed code. */
async function invited(email: string): Promise<{ token: string; code: string }> {
  const { inviteByEmail } = await import("@/lib/team/invite");
  const { sendInvitationCode } = await import("@/lib/team/accept");
  await env.as("acmeAdmin", (tx) => inviteByEmail(tx.db, { tenantId: env.fx.tenants.acme, email, role: "tenant_viewer", invitedBy: env.fx.users.acmeAdmin, timeZone: "UTC" }));
  await deliver();
  const link = new URL(linkIn(await smtp.waitFor((m) => m.to === email && /invited/.test(m.subject))));
  const token = new URLSearchParams(link.hash.slice(1)).get("token")!;
  smtp.clear();
  assert.equal((await sendInvitationCode(token)).status, "sent");
  await deliver();
  return { token, code: codeIn(await smtp.waitFor((m) => m.to === email && /code/i.test(m.subject))) };
}

/** The page of the invitation on acme's custom domain (where the link points), as the form posts it. */
const ON_DOMAIN = { host: ACME_DOMAIN, headers: { [CUSTOM_DOMAIN_TENANT_HEADER]: "acme" } };

async function acceptAs(who: UserName): Promise<string> {
  const { acceptInvitationAction } = await import("@/lib/actions/team/accept-invitation");
  const { token, code } = await invited(emailOf(who));
  const r = (await callAction(acceptInvitationAction as ServerAction, { ...ON_DOMAIN, person: env.person(who) }, { token, code })) as { ok: boolean; data?: { destination: string } };
  assert.ok(r.ok, JSON.stringify(r));
  return r.data!.destination;
}

describe("accepting an invitation to a tenant with a custom domain", () => {
  test("MSSP staff, and a person of another customer, go to <slug>.<domain>, never the custom domain", async () => {
    assert.equal(await acceptAs("msspAdmin"), "http://acme.localhost/alerts");
    assert.equal(await acceptAs("globexAdmin"), "http://acme.localhost/alerts");
  });

  test("a person only within that tenant goes to its custom domain", async () => {
    // acme-eu's admin: a site below acme.
    assert.equal(await acceptAs("acmeEuAdmin"), `http://${ACME_DOMAIN}/alerts`);
    // A new account: the invitation is all it has.
    const { createInvitedAccountAction } = await import("@/lib/actions/team/accept-invitation");
    const email = "invite-custom-new@example.test";
    const { token, code } = await invited(email);
    const r = (await callAction(createInvitedAccountAction as ServerAction, ON_DOMAIN, { token, code, name: "New Person", password: "a-long-invitee-password-2026" })) as { ok: boolean; data?: { destination: string } };
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.data!.destination, `http://${ACME_DOMAIN}/alerts`);
  });
});
