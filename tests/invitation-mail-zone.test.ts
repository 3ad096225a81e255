// The invitation email states its link's end on the clock of the portal it
// opens: the invited tenant's locale.time_zone (inherited down the tree), not
// UTC and not the inviter's. Through the real invite action on a tenant host
// and on the console, and through the service-role path a workflow takes (the
// first admin of a provisioned tenant), delivered to a real SMTP server.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { callAction, enrolMfa, loadAction, sessionCookie, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { runJobsUntilIdle } from "@/lib/jobs";
import { formatTime } from "@/lib/locale/time";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { inviteFirstAdmin } from "@/lib/team/invite";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug, UserName } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";

let smtp: TestSmtpServer;
const env = useFixtureEnv({ beforeDrop: () => smtp?.stop() });
const INVITE = "lib/actions/team/invite-member.ts#inviteMember";

env.before(async () => {
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  await enrolMfa(env.person("msspAdmin"));
  for (const user of ["msspAdmin", "acmeAdmin"] as const) await sessionCookie(env.person(user));
  // Three clocks, so a mail on the wrong one shows: the MSSP's, Acme's own, and UTC (the old text).
  await setZone("mssp-a", "America/New_York");
  await setZone("acme", "Asia/Tokyo");
});

async function setZone(tenant: TenantSlug, zone: string) {
  await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', $2::jsonb)", [env.fx.tenants[tenant], JSON.stringify(zone)]);
}
const act = async (user: UserName, host: string, fields: FormFields) =>
  (await callAction(await loadAction(INVITE), { person: env.person(user), host }, fields)) as { ok: boolean; error?: string };

/** The delivered invitation to `email` and its invitation's stored end. */
async function mailedInvitation(email: string) {
  await runJobsUntilIdle({ kinds: [MAIL_TASK] });
  const mail = await smtp.waitFor((m) => m.to === email && /invited/.test(m.subject));
  const [row] = await env.owner<{ expires_at: Date }>("select expires_at from public.invitations where email = $1", [email]);
  return { mail, expiresAt: row.expires_at };
}

function assertUntil(text: string, expiresAt: Date, zone: string) {
  const until = `${formatTime(expiresAt, zone, "full")} ${zone}`;
  assert.ok(text.includes(`it works until ${until}`), `expected "${until}" in:\n${text}`);
  assert.doesNotMatch(text, /GMT|UTC/, "no time left on the UTC clock");
}

describe("the invitation email's link end", () => {
  test("an admin on the tenant's host: the tenant's zone", async () => {
    const r = await act("acmeAdmin", "acme.localhost:3000", { tenantId: env.fx.tenants.acme, email: "zone-host@example.test", role: "tenant_viewer" });
    assert.equal(r.ok, true, r.error);
    const { mail, expiresAt } = await mailedInvitation("zone-host@example.test");
    assertUntil(mail.text, expiresAt, "Asia/Tokyo");
    assert.ok(mail.html.includes("Asia/Tokyo"), "the HTML part says the same");
  });

  test("the MSSP admin on the console: the invited tenant's zone, not the MSSP's", async () => {
    const r = await act("msspAdmin", "localhost:3000", { tenantId: env.fx.tenants.acme, email: "zone-console@example.test", role: "tenant_viewer" });
    assert.equal(r.ok, true, r.error);
    const { mail, expiresAt } = await mailedInvitation("zone-console@example.test");
    assertUntil(mail.text, expiresAt, "Asia/Tokyo");
    assert.doesNotMatch(mail.text, /New_York/);
  });

  test("a site without a zone of its own inherits its customer's", async () => {
    const r = await act("acmeAdmin", "acme.localhost:3000", { tenantId: env.fx.tenants["acme-eu"], email: "zone-site@example.test", role: "tenant_viewer" });
    assert.equal(r.ok, true, r.error);
    const { mail, expiresAt } = await mailedInvitation("zone-site@example.test");
    assertUntil(mail.text, expiresAt, "Asia/Tokyo");
  });

  test("a workflow's invitation (service role): the tenant's zone too", async () => {
    const { invited } = await withServiceRole("lifecycle.workflow", (db) =>
      inviteFirstAdmin(db, { tenantId: env.fx.tenants.globex, email: "zone-first@example.test", invitedBy: null }),
    );
    assert.equal(invited, true);
    const { mail, expiresAt } = await mailedInvitation("zone-first@example.test");
    // Globex sets no zone: the MSSP's, inherited down the tree.
    assertUntil(mail.text, expiresAt, "America/New_York");
  });
});
