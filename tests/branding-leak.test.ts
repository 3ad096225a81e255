// No brand leak on a white-labelled tenant (issue 14 point 5), on a real
// Postgres under RLS with the real PDP: every mail the outbox sends carries
// the recipient tenant's brand (product name, button colour and its derived
// text colour, support address, From name) and nothing of the MSSP's; the
// TOTP issuer is the product name of the host where enrolment happens; the
// settings and brand pages of a tenant host with "hide the MSSP's brand" say
// "your provider" for what comes from the MSSP, show none of its brand values
// ("Provider default") and name its staff "Provider staff"; the console keeps
// every name.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { requestPasswordReset, settleResetRequests } from "@/lib/account/password-reset";
import { listAuditEvents, parseAuditFilters } from "@/lib/audit/list";
import { recordAudit } from "@/lib/audit/record";
import { getPendingEnrolment, startEnrolment } from "@/lib/auth/mfa";
import { clearAllLocal } from "@/lib/cache";
import { loadBrandPageFor, publishDraft, saveDraft } from "@/lib/branding/draft";
import { allProviderStaff, maskProviderActors, PROVIDER_DEFAULT, PROVIDER_NAME, PROVIDER_STAFF, providerMask } from "@/lib/branding/mask";
import { brandForTarget, brandOfConsoleFor, brandOfTenant } from "@/lib/branding/resolve";
import { withServiceRole } from "@/lib/db/service-role";
import { notifyTransition } from "@/lib/health/notify";
import { healthChangeMail, invitationCodeMail, invitationMail, passwordResetMail, reportReadyMail, workflowAlertMail, type RenderedMail } from "@/lib/mail";
import { openMailBody } from "@/lib/mail/seal";
import { setSettingValue } from "@/lib/settings";
import { loadSettingsPage, type SettingsPageData } from "@/lib/settings/page-data";
import { loadTeamPage } from "@/lib/team/page-data";
import { emailOf, insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

/** What the MSSP's brand is here: its name, its own brand values, and the registry's (the MSSP Portal's). */
const MSSP_LEAKS = ["Tenant mssp-a", "Sentinel Portal", "Sentinel Alerts", "Operated by Sentinel", "MSSP portal", "MSSP Portal", "#4f46e5", "#4338ca", "help@sentinel.example"];
/** Sets a value and audits it as the settings action does (the settings page's history reads the audit trail). */
const set = (user: UserName, slug: TenantSlug, key: string, raw: string) =>
  as(fx, user, async (tx) => {
    const change = await setSettingValue(tx, { tenantId: fx.tenants[slug], key, raw });
    await recordAudit(tx, { tenantId: fx.tenants[slug], action: "setting.set", targetType: "setting", targetId: key, outcome: "success", details: { from: change.from, to: change.to } });
  });

beforeEach(async () => {
  await withClient(db.url, (c) => c.query("delete from public.tenant_settings; delete from public.brand_drafts; delete from mail.outbox; delete from mail.codes"));
  // The MSSP's own brand, then Acme white-labelled with its own.
  await set("msspAdmin", "mssp-a", "branding.product_name", "Sentinel Portal");
  await set("msspAdmin", "mssp-a", "branding.primary_color", "#4338ca");
  await set("msspAdmin", "mssp-a", "branding.support_email", "help@sentinel.example");
  await set("msspAdmin", "mssp-a", "branding.email_sender_name", "Sentinel Alerts");
  await set("msspAdmin", "acme", "branding.hide_mssp_brand", "true");
  await as(fx, "acmeAdmin", (tx) => saveDraft(tx, fx.tenants.acme, { productName: "Acme SOC", supportEmail: "soc@acme.example", emailSenderName: "Acme Security" }));
  await as(fx, "acmeAdmin", (tx) => publishDraft(tx, fx.tenants.acme));
  // The colour through the settings page (audited: its "from" is the MSSP's colour).
  await set("acmeAdmin", "acme", "branding.primary_color", "#b91c1c");
  clearAllLocal();
});

function assertAcmeBranded(mail: RenderedMail, what: string) {
  assert.equal(mail.fromName, "Acme Security", `${what}: From name`);
  assert.ok(mail.html.includes("Sent by Acme SOC.") && mail.text.includes("Sent by Acme SOC."), `${what}: product name in the footer`);
  assert.ok(mail.html.includes("soc@acme.example") && mail.text.includes("soc@acme.example"), `${what}: support email`);
  if (mail.html.includes("<a href")) assert.match(mail.html, /background:#b91c1c;color:#ffffff/, `${what}: button in Acme's colour, derived text colour`);
  for (const leak of MSSP_LEAKS) {
    for (const [part, text] of [["subject", mail.subject], ["text", mail.text], ["html", mail.html], ["from", mail.fromName ?? ""]] as const) {
      assert.ok(!text.includes(leak), `${what}: ${part} shows "${leak}"`);
    }
  }
}

describe("emails on a white-labelled tenant", () => {
  test("every composer in the recipient tenant's brand (loaded from the database), escaped", async () => {
    const brand = await brandOfTenant(fx.tenants["acme-eu"]);
    assert.equal(brand.productName, "Acme SOC");
    const alert = { title: "<b>Ransomware</b>", severity: "high", source: "edr", hostname: "h1", detectedAt: "2026-12-01T00:00:00Z" };
    const mails: [string, RenderedMail][] = [
      ["invitation", invitationMail({ timeZone: "UTC", tenantName: "Tenant acme-eu", role: "tenant_admin", link: "http://acme-eu.localhost:3000/invite#token=t", expiresAt: new Date(), brand })],
      ["invitation code", invitationCodeMail({ tenantName: "Tenant acme-eu", code: "123456", minutes: 15, brand })],
      ["password reset", passwordResetMail({ code: "123456", minutes: 15, resetUrl: "http://acme.localhost:3000/signin/reset", brand })],
      ["rule", workflowAlertMail({ reason: "rule", tenantName: "Tenant acme-eu", ruleName: "r", alert, link: "http://acme-eu.localhost:3000/alerts/1", brand })],
      ["escalation", workflowAlertMail({ reason: "escalation", tenantName: "Tenant acme-eu", ruleName: "r", alert, link: null, brand })],
      ["channel test", workflowAlertMail({ reason: "test", tenantName: "Tenant acme-eu", ruleName: null, alert: null, link: null, brand })],
      ["health", healthChangeMail({ tenantName: "Tenant acme-eu", from: "ok", to: "degraded", reasons: ["no data"], at: "now", link: "http://acme-eu.localhost:3000/status", brand })],
      ["report ready", reportReadyMail({ tenantName: "Tenant acme-eu", reportName: "Monthly", period: "November", link: "http://acme-eu.localhost:3000/reports/1/download", brand })],
    ];
    for (const [what, mail] of mails) assertAcmeBranded(mail, what);
    assert.ok(mails[3][1].html.includes("&lt;b&gt;Ransomware&lt;/b&gt;"), "alert title escaped");
    // The console's people (the MSSP, no flag) get the MSSP's brand.
    const mssp = await brandOfTenant(fx.tenants["mssp-a"]);
    const own = reportReadyMail({ tenantName: "Tenant mssp-a", reportName: "Monthly", period: "November", link: "http://localhost:3000/r", brand: mssp });
    assert.equal(own.fromName, "Sentinel Alerts");
    assert.match(own.html, /background:#4338ca/);
  });

  test("queued by the real flows (health change, password reset on the tenant host): the sealed bodies are Acme's", async () => {
    await set("acmeAdmin", "acme", "notifications.emails", "soc-team@acme.example");
    const queued = await withServiceRole("health.evaluate", (sdb) =>
      notifyTransition(sdb, { tenantId: fx.tenants["acme-eu"], id: "00000000-0000-4000-8000-0000000000aa", from: "healthy", to: "degraded", reasons: [], at: new Date() }),
    );
    assert.ok(queued >= 1);
    await requestPasswordReset(emailOf("acmeAdmin"), {
      source: "test",
      host: { slug: "acme", mail: { resetUrl: "http://acme.localhost:3000/signin/reset", brand: (await brandForTarget({ area: "tenant", slug: "acme" }))! } },
      elsewhere: () => Promise.reject(new Error("acme's host is acmeAdmin's own: its brand and link")),
    });
    await settleResetRequests();
    const rows = await withClient(db.url, (c) => c.query<{ id: string; template: string; subject: string; body_sealed: Buffer }>("select id, template, subject, body_sealed from mail.outbox order by created_at"));
    assert.deepEqual(rows.rows.map((r) => r.template).sort(), ["account.password-reset", "health.changed"]);
    for (const r of rows.rows) {
      const body = openMailBody(r.id, r.body_sealed);
      assertAcmeBranded({ template: r.template, subject: r.subject, text: body.text, html: body.html, fromName: body.fromName }, r.template);
    }
  });
});

describe("a password reset asked on another tenant's host", () => {
  test("reaches the user in their own tenant's brand, linking to their own portal, not the asking host's", async () => {
    await withClient(db.url, (c) => c.query("delete from mail.outbox"));
    await set("msspAdmin", "globex", "branding.product_name", "Globex Lookalike");
    clearAllLocal();
    const globexBrand = (await brandForTarget({ area: "tenant", slug: "globex" }))!;
    assert.equal(globexBrand.productName, "Globex Lookalike");
    const asked: (string | null)[] = [];
    await requestPasswordReset(emailOf("acmeViewer"), {
      source: "test",
      host: { slug: "globex", mail: { resetUrl: "http://globex.localhost:3000/signin/reset", brand: globexBrand } },
      elsewhere: async (tenant) => {
        asked.push(tenant?.slug ?? null);
        return { resetUrl: `http://${tenant!.slug}.localhost:3000/signin/reset`, brand: await brandOfTenant(tenant!.id) };
      },
    });
    await settleResetRequests();
    assert.deepEqual(asked, ["acme"], "the user's own tenant");
    const rows = await withClient(db.url, (c) => c.query<{ id: string; template: string; subject: string; body_sealed: Buffer }>("select id, template, subject, body_sealed from mail.outbox"));
    assert.equal(rows.rows.length, 1);
    const body = openMailBody(rows.rows[0].id, rows.rows[0].body_sealed);
    for (const text of [rows.rows[0].subject, body.text, body.html, body.fromName ?? ""]) {
      assert.ok(!/globex/i.test(text), `nothing of globex's: ${text.slice(0, 200)}`);
    }
    assert.match(body.text, /acme\.localhost:3000\/signin\/reset/);
    assertAcmeBranded({ template: rows.rows[0].template, subject: rows.rows[0].subject, text: body.text, html: body.html, fromName: body.fromName }, "reset asked on globex");
  });
});

describe("TOTP issuer", () => {
  test("the product name of the host where enrolment happens; the console keeps the MSSP's", async () => {
    const u = { id: fx.users.acmeViewer, email: emailOf("acmeViewer") };
    const acme = (await brandForTarget({ area: "tenant", slug: "acme" }))!;
    const start = await startEnrolment(u, { restart: true, issuer: acme.productName });
    assert.ok(start.ok);
    assert.match(start.enrolment.otpauthUri, /^otpauth:\/\/totp\/Acme%20SOC:acme-viewer%40example\.test\?secret=[A-Z2-7]{32}&issuer=Acme\+SOC/);
    for (const leak of ["MSSP", "Sentinel"]) assert.ok(!start.enrolment.otpauthUri.includes(leak), leak);
    const console = await brandOfConsoleFor(fx.users.msspAdmin);
    assert.match((await getPendingEnrolment(u, { issuer: console.productName }))!.otpauthUri, /issuer=Sentinel\+Portal/);
    // No issuer given: the registry's product name; a name with a colon (the label's separator) is cleaned.
    assert.match((await getPendingEnrolment(u))!.otpauthUri, /issuer=MSSP\+Portal/);
    assert.match((await getPendingEnrolment(u, { issuer: "Acme: SOC" }))!.otpauthUri, /issuer=Acme\+SOC/);
  });
});

describe("settings pages on a white-labelled tenant host", () => {
  const onHost = async (user: UserName) => {
    const mask = providerMask((await brandForTarget({ area: "tenant", slug: "acme" }))!);
    assert.ok(mask, "Acme's host hides the MSSP's brand");
    return as(fx, user, (tx) => loadSettingsPage(tx, { scopeId: fx.tenants.acme, mask }), "acme");
  };
  const row = (d: SettingsPageData, key: string) => {
    assert.ok(d.allowed);
    return d.groups.flatMap((g) => g.settings).find((s) => s.key === key)!;
  };

  test("what comes from the MSSP is 'your provider', its brand values are not shown, its staff are 'Provider staff'", async () => {
    await set("msspAdmin", "mssp-a", "locale.time_zone", "Europe/Paris");
    await withClient(db.url, (c) =>
      c.query("insert into public.tenant_settings (tenant_id, key, value, locked, changed_by) values ($1, 'session.mfa_required', 'true', true, $2)", [fx.tenants["mssp-a"], fx.users.msspAdmin]),
    );
    await set("acmeAdmin", "acme", "notifications.emails", "soc-team@acme.example");
    const d = await onHost("acmeAdmin");
    assert.ok(d.allowed);
    const tz = row(d, "locale.time_zone");
    assert.deepEqual([tz.display, tz.source, tz.sourceName, tz.changedByName], ["Europe/Paris", "inherited", PROVIDER_NAME, PROVIDER_STAFF]);
    const mfa = row(d, "session.mfa_required");
    assert.deepEqual(mfa.lockedBy, { tenantName: PROVIDER_NAME, who: "" });
    for (const key of ["branding.primary_color", "branding.accent_color", "branding.logo_light"]) {
      assert.deepEqual([row(d, key).display, row(d, key).text], [key === "branding.primary_color" ? "#b91c1c" : PROVIDER_DEFAULT, key === "branding.primary_color" ? "#b91c1c" : ""], key);
      // The view drops the "Default" badge where the value already reads "Provider default".
      assert.equal(row(d, key).valueHidden, key !== "branding.primary_color", key);
    }
    assert.equal(d.providerLabel, PROVIDER_NAME);
    // The history: the MSSP admin who set the flag is "Provider staff"; Acme's admin is named; no value the brand replaced.
    const flag = d.history.find((h) => h.setting === "branding.hide_mssp_brand")!;
    assert.equal(flag.actor, PROVIDER_STAFF);
    assert.ok(d.history.some((h) => h.actor === emailOf("acmeAdmin")));
    assert.equal(d.history.find((h) => h.setting === "branding.primary_color")!.summary, "Set to #b91c1c");
    const json = JSON.stringify(d);
    for (const leak of [...MSSP_LEAKS, emailOf("msspAdmin"), "msspAdmin"]) assert.ok(!json.includes(leak), `the settings page shows "${leak}": ${json.slice(Math.max(0, json.indexOf(leak) - 300), json.indexOf(leak) + 60)}`);

    // The team page's MFA switch: locked by "your provider" (the console names the MSSP and who).
    const mask = providerMask((await brandForTarget({ area: "tenant", slug: "acme" }))!);
    const team = await as(fx, "acmeAdmin", (tx) => loadTeamPage(tx, undefined, fx.tenants.acme, mask), "acme");
    assert.equal(team.requireMfaLockedBy, PROVIDER_NAME);
    assert.equal((await as(fx, "msspAdmin", (tx) => loadTeamPage(tx, "acme", null))).requireMfaLockedBy, "Tenant mssp-a (msspAdmin)");
    // The audit trail's rows on the host: the MSSP's staff are "Provider staff", Acme's people keep their email.
    const rows = [
      { actorId: fx.users.msspAdmin, actorEmail: emailOf("msspAdmin") },
      { actorId: fx.users.acmeAdmin, actorEmail: emailOf("acmeAdmin") },
      { actorId: null, actorEmail: null },
    ];
    assert.deepEqual((await maskProviderActors(mask, rows)).map((r) => r.actorEmail), [PROVIDER_STAFF, emailOf("acmeAdmin"), null]);
    assert.deepEqual(await maskProviderActors(null, rows), rows, "the console: unchanged");
    // With the staff already read (the page's actor filter did), the same answer without reading them again.
    assert.deepEqual((await maskProviderActors(mask, rows, await allProviderStaff(mask))).map((r) => r.actorEmail), [PROVIDER_STAFF, emailOf("acmeAdmin"), null]);
    // The console's page for Acme names everything.
    const c = await as(fx, "msspAdmin", (tx) => loadSettingsPage(tx, { slug: "acme" }));
    assert.equal(row(c, "locale.time_zone").sourceName, "Tenant mssp-a");
    assert.equal(row(c, "branding.accent_color").display, "#0e7490");
    assert.ok(c.allowed && c.history.some((h) => h.actor === emailOf("msspAdmin")));
  });

  test("the audit trail's actor filter on the host finds the provider's staff by 'Provider staff' only, never by the email it hides", async () => {
    await as(fx, "msspAdmin", (tx) => recordAudit(tx, { tenantId: fx.tenants.acme, action: "setting.set", targetType: "setting", targetId: "locale.time_zone", outcome: "success", details: {} }));
    await as(fx, "acmeAdmin", (tx) => recordAudit(tx, { tenantId: fx.tenants.acme, action: "setting.set", targetType: "setting", targetId: "locale.time_zone", outcome: "success", details: {} }), "acme");
    const mask = providerMask((await brandForTarget({ area: "tenant", slug: "acme" }))!);
    const hidden = { ids: await allProviderStaff(mask), shownAs: PROVIDER_STAFF };
    assert.ok(hidden.ids.includes(fx.users.msspAdmin));
    const actors = (actor: string, h?: typeof hidden) =>
      as(fx, "acmeAdmin", async (tx) => (await listAuditEvents(tx.db, parseAuditFilters({ actor }).filters, 50, h)).rows.map((r) => r.actorId), "acme");
    // Without the mask (the console's view of the same rows) the email finds the MSSP admin: that is what must not work on the host.
    assert.ok((await actors("mssp-admin")).includes(fx.users.msspAdmin));
    assert.deepEqual(await actors("mssp-admin", hidden), []);
    assert.deepEqual(await actors("example.test", hidden).then((ids) => ids.includes(fx.users.msspAdmin)), false);
    assert.ok((await actors("example.test", hidden)).includes(fx.users.acmeAdmin));
    const byLabel = await actors("provider", hidden);
    assert.ok(byLabel.includes(fx.users.msspAdmin) && !byLabel.includes(fx.users.acmeAdmin));
  });

  test("the brand page: provider values blank ('Provider default'), no MSSP name; saving them blank changes nothing", async () => {
    await set("msspAdmin", "mssp-a", "branding.signin_text", "Operated by Sentinel");
    const mask = providerMask((await brandForTarget({ area: "tenant", slug: "acme" }))!);
    const page = (await as(fx, "acmeAdmin", (tx) => loadBrandPageFor(tx, "acme", mask), "acme"))!;
    assert.deepEqual([page.fields.accentColor.value, page.fields.accentColor.source], ["", PROVIDER_DEFAULT]);
    assert.deepEqual([page.fields.signinText.value, page.fields.signinText.source], ["", PROVIDER_DEFAULT]);
    assert.deepEqual([page.fields.productName.value, page.fields.productName.source], ["Acme SOC", "set here"]);
    const json = JSON.stringify(page);
    for (const leak of MSSP_LEAKS) assert.ok(!json.includes(leak), `the brand page shows "${leak}"`);
    // The form as shown (blank provider fields) saves as "keep inheriting": no refusal, no draft change for them.
    const fields = Object.fromEntries(Object.entries(page.fields).map(([k, f]) => [k, f.value]));
    const draft = await as(fx, "acmeAdmin", (tx) => saveDraft(tx, fx.tenants.acme, fields), "acme");
    assert.deepEqual(draft, {});
    // The console's brand page shows the MSSP's values and name.
    const consolePage = (await as(fx, "msspAdmin", (tx) => loadBrandPageFor(tx, "acme")))!;
    assert.equal(consolePage.fields.signinText.source, "from Tenant mssp-a");
  });
});
