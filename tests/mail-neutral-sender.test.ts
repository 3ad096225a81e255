// The sender of mail to a white-labelled tenant (lib/mail/deliver.ts, MAIL_NEUTRAL_FROM),
// through a real SMTP server on a loopback port, on a real Postgres with the
// tenant's real brand (lib/branding brandOfTenant):
//   - with MAIL_NEUTRAL_FROM set, a mail whose brand hides the MSSP's carries no
//     MSSP domain: not in the From address, the envelope sender (MAIL FROM), the
//     Message-ID, nor anywhere else in the message as it reached the server;
//   - every other tenant's mail (and mail in no tenant's brand) is as before:
//     MAIL_FROM's address in From and envelope, Message-ID on its domain;
//   - without MAIL_NEUTRAL_FROM, the hidden brand's mail keeps MAIL_FROM's
//     address (today's behaviour) and a warning says so, once per process;
//   - MAIL_NEUTRAL_FROM takes an address only.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, mock, test } from "node:test";
import { brandOfTenant } from "@/lib/branding/resolve";
import { clearAllLocal } from "@/lib/cache";
import { parseSettings } from "@/lib/config";
import { withServiceRole } from "@/lib/db/service-role";
import { log } from "@/lib/log";
import { enqueueMail, invitationMail, type MailBrand } from "@/lib/mail";
import { deliverOne } from "@/lib/mail/deliver";
import { setSettingValue } from "@/lib/settings";
import { insertFixtures, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type CapturedMail, type TestSmtpServer } from "./helpers/smtp";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const MSSP_DOMAIN = "sentinel-mssp.example";
const MAIL_FROM = `Sentinel MSSP <no-reply@${MSSP_DOMAIN}>`;
const NEUTRAL = "no-reply@notify-portal.example";

let db: TestDatabase;
let fx: Fixtures;
let smtp: TestSmtpServer;
before(async () => {
  process.env.NEXTAUTH_SECRET = "mail-neutral-sender-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  smtp = await startSmtpServer();
  useSmtp(smtp);
  process.env.MAIL_FROM = MAIL_FROM;
  // Acme (and Acme EU below it) hide the MSSP's brand; Globex does not.
  await as(fx, "msspAdmin", (tx) => setSettingValue(tx, { tenantId: fx.tenants.acme, key: "branding.hide_mssp_brand", raw: "true" }));
  clearAllLocal();
});
after(async () => {
  delete process.env.MAIL_NEUTRAL_FROM;
  await smtp.stop();
  await db.drop();
});
beforeEach(() => {
  smtp.clear();
  clearAllLocal();
});

/** Queues an invitation to `to` in `slug`'s brand (none: the MSSP portal's own), delivers it, returns it as the server received it. */
async function send(to: string, slug: TenantSlug | null): Promise<CapturedMail> {
  const brand: MailBrand | undefined = slug ? await brandOfTenant(fx.tenants[slug]) : undefined;
  const message = invitationMail({ timeZone: "UTC", tenantName: "T", role: "tenant_viewer", link: "http://acme.localhost:3000/invite#token=abc", expiresAt: new Date(Date.now() + 86_400_000), brand });
  const { id } = await withServiceRole("mail.outbox", (sdb) => enqueueMail(sdb, { to, tenantId: slug ? fx.tenants[slug] : null, message }));
  assert.equal(await deliverOne(id), "sent");
  const mail = await smtp.waitFor((m) => m.to === to);
  const stored = await withClient(db.url, async (c) => (await c.query<{ message_id: string }>("select message_id from mail.outbox where id = $1", [id])).rows[0]);
  assert.equal(stored.message_id, messageIdOf(mail), "the outbox keeps the Message-ID that was sent");
  return mail;
}

/** The header `name` of the message as it reached the server (unfolded). */
function header(mail: CapturedMail, name: string): string {
  const head = mail.raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  assert.ok(line, `no ${name} header in:\n${head}`);
  return line.slice(name.length + 1).trim();
}
const messageIdOf = (mail: CapturedMail) => header(mail, "Message-ID");

describe("the sender of mail to a tenant that hides the MSSP's brand", () => {
  // First: the warning is logged once per process, at the first such mail.
  test("without MAIL_NEUTRAL_FROM: MAIL_FROM's address as before, and a warning, once", async () => {
    delete process.env.MAIL_NEUTRAL_FROM;
    const warn = mock.method(log, "warn");
    try {
      const first = await send("unset-1@example.test", "acme");
      assert.equal(first.from, `no-reply@${MSSP_DOMAIN}`, "envelope sender");
      assert.match(header(first, "From"), new RegExp(`<no-reply@${MSSP_DOMAIN.replace(/\./g, "\\.")}>$`));
      assert.ok(messageIdOf(first).endsWith(`@${MSSP_DOMAIN}>`));
      await send("unset-2@example.test", "acme-eu");
      const warnings = warn.mock.calls.filter((c) => (c.arguments[0] as { event?: string } | undefined)?.event === "mail.neutral-from-unset");
      assert.equal(warnings.length, 1, "one warning per process, at the first such mail");
      assert.match(String(warnings[0].arguments[1]), /MAIL_NEUTRAL_FROM/);
    } finally {
      warn.mock.restore();
    }
  });

  test("with MAIL_NEUTRAL_FROM: From, envelope sender and Message-ID carry no MSSP domain", async () => {
    process.env.MAIL_NEUTRAL_FROM = NEUTRAL;
    for (const [to, slug] of [["hidden@example.test", "acme"], ["hidden-below@example.test", "acme-eu"]] as const) {
      const mail = await send(to, slug);
      assert.equal(mail.from, NEUTRAL, `${slug}: envelope sender (MAIL FROM)`);
      assert.equal(header(mail, "From"), `Tenant acme <${NEUTRAL}>`, `${slug}: From, under the brand's sender name (the reseller's)`);
      assert.match(messageIdOf(mail), /^<[0-9a-f-]{36}@notify-portal\.example>$/, `${slug}: Message-ID`);
      assert.ok(!mail.raw.toLowerCase().includes(MSSP_DOMAIN), `${slug}: the MSSP's domain is nowhere in the message:\n${mail.raw.split(/\r?\n\r?\n/)[0]}`);
      assert.ok(!/sentinel|mssp-a/i.test(mail.raw), `${slug}: nor its name`);
    }
  });

  test("with MAIL_NEUTRAL_FROM: other tenants' mail, and mail in no tenant's brand, is unchanged", async () => {
    process.env.MAIL_NEUTRAL_FROM = NEUTRAL;
    const globex = await send("globex@example.test", "globex");
    assert.equal(globex.from, `no-reply@${MSSP_DOMAIN}`, "envelope sender");
    assert.equal(header(globex, "From"), `${(await brandOfTenant(fx.tenants.globex)).emailSenderName} <no-reply@${MSSP_DOMAIN}>`, "the brand's sender name on MAIL_FROM's address");
    assert.ok(messageIdOf(globex).endsWith(`@${MSSP_DOMAIN}>`), messageIdOf(globex));
    const own = await send("console@example.test", null);
    assert.equal(own.from, `no-reply@${MSSP_DOMAIN}`);
    assert.equal(header(own, "From"), MAIL_FROM);
    assert.ok(messageIdOf(own).endsWith(`@${MSSP_DOMAIN}>`));
    assert.ok(!globex.raw.includes("notify-portal.example") && !own.raw.includes("notify-portal.example"));
  });

  test("MAIL_NEUTRAL_FROM takes an address only", () => {
    assert.equal(parseSettings({ MAIL_NEUTRAL_FROM: " No-Reply@Notify-Portal.Example " }).MAIL_NEUTRAL_FROM, "No-Reply@notify-portal.example");
    for (const bad of ["Acme <no-reply@notify.example>", "no-reply", "@notify.example", "no-reply@localhost", "a b@notify.example", "x@notify.example\r\nBcc: y@z.example"]) {
      assert.throws(() => parseSettings({ MAIL_NEUTRAL_FROM: bad }), /MAIL_NEUTRAL_FROM must be an address only/, bad);
    }
  });
});
