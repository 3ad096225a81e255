// The invitation's code mail (lib/team/accept.ts sendInvitationCode) and the password reset mail to
// the user's own portal (lib/account/password-reset.ts resetMailFor, with the reset action's
// `elsewhere`) read the tenant's brand and custom domain on the transaction they already hold, not on
// a second pooled connection (lib/db/held-connection.ts): with DB_HOLD_AND_WAIT=throw and the brand
// and domain caches cold, a second acquisition fails, and the mail would not be queued (the reset's
// failure is only logged, after the neutral answer) or would lose the custom domain.
// Real Postgres, real PDP.
// First: Next's request storage must be installed before any next/* module loads (helpers/actions).
import { callAction, type ServerAction } from "./helpers/actions";
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { clearAllLocal } from "@/lib/cache";
import { openMailBody } from "@/lib/mail/seal";
import { useFixtureEnv } from "./helpers/fixture-env";
import { routeCustomDomain } from "./helpers/custom-domains";
import { emailOf } from "./helpers/fixtures";

process.env.NEXTAUTH_SECRET ??= "test-only-nextauth-secret-held-mail-0123456789";
const env = useFixtureEnv();
const ACME_DOMAIN = "soc.acme-held.test";
const PRODUCT = "Acme Held SOC";

env.before(async () => {
  await routeCustomDomain(env, env.fx.tenants.acme, ACME_DOMAIN);
  await env.owner(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'branding.product_name', $2::jsonb)`, [
    env.fx.tenants.acme,
    JSON.stringify(PRODUCT),
  ]);
});
afterEach(() => {
  delete process.env.DB_HOLD_AND_WAIT;
});

/** The latest mail of `template` to `email`, opened. */
async function lastMail(template: string, email: string) {
  const [row] = await env.owner<{ id: string; subject: string; body_sealed: Buffer }>(
    "select id, subject, body_sealed from mail.outbox where template = $1 and recipient = $2 order by created_at desc limit 1",
    [template, email],
  );
  assert.ok(row, `a ${template} mail to ${email}`);
  return { subject: row.subject, ...openMailBody(row.id, row.body_sealed) };
}

describe("mail read on the held transaction", () => {
  test("an invitation's code mail, caches cold, under DB_HOLD_AND_WAIT=throw: sent, in the tenant's brand", async () => {
    const [{ sendInvitationCode }, { newInviteToken }] = await Promise.all([import("@/lib/team/accept"), import("@/lib/team/tokens")]);
    const email = "held-code-invitee@example.test";
    const { token, hash } = newInviteToken();
    await env.owner(
      `insert into public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
       values ($1, $2, 'tenant_viewer', $3, $4, now() + interval '7 days')`,
      [env.fx.tenants.acme, email, hash, env.fx.users.acmeAdmin],
    );
    clearAllLocal();
    process.env.DB_HOLD_AND_WAIT = "throw";
    const sent = await sendInvitationCode(token);
    assert.deepEqual(sent, { status: "sent", email });
    const mail = await lastMail("team.invitation-code", email);
    assert.ok(`${mail.subject} ${mail.text} ${mail.fromName ?? ""}`.includes(PRODUCT), `in acme's brand: ${mail.subject} / ${mail.fromName}`);
  });

  test("a password reset to the user's own portal, caches cold, under DB_HOLD_AND_WAIT=throw: queued, its custom domain and brand", async () => {
    const [{ requestPasswordResetAction }, { settleResetRequests }] = await Promise.all([
      import("@/lib/actions/account/reset-password"),
      import("@/lib/account/password-reset"),
    ]);
    clearAllLocal();
    process.env.DB_HOLD_AND_WAIT = "throw";
    // Asked on the console, which none of acme's viewer's memberships covers: the mail goes to acme's portal.
    const r = (await callAction(requestPasswordResetAction as ServerAction, { host: "localhost:3000" }, { email: emailOf("acmeViewer") })) as { ok: boolean };
    assert.ok(r.ok, JSON.stringify(r));
    await settleResetRequests();
    delete process.env.DB_HOLD_AND_WAIT;
    const mail = await lastMail("account.password-reset", emailOf("acmeViewer"));
    const link = new URL(/(https?:\/\/\S+)/.exec(mail.text)![1]);
    assert.equal(link.hostname, ACME_DOMAIN, "the custom domain, read on the reset's transaction");
    assert.equal(link.pathname, "/signin/reset");
    assert.ok(`${mail.subject} ${mail.text} ${mail.fromName ?? ""}`.includes(PRODUCT), `in acme's brand: ${mail.subject} / ${mail.fromName}`);
  });
});
