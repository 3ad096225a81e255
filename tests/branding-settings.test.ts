// Branding on a real Postgres under RLS (lib/branding): the brand settings
// inherit down the tree with override and lock; colours are refused without
// WCAG AA contrast (the message names the failing pair); "hide the MSSP's
// brand" is the MSSP's to set and then nothing of the MSSP's shows; uploads
// are checked (bad input: a clear message, nothing stored); brand assets are
// isolated per tenant; the asset route serves only the host's own brand; and
// the brand-per-host cache is evicted by the database's notification.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { ActionRefusal } from "@/lib/actions/refusal";
import { clearAllLocal } from "@/lib/cache";
import { startCacheListener, type CacheListener } from "@/lib/cache/listener";
import { brandFrom } from "@/lib/branding/brand";
import { colorProblems, contrast, derivePalette, NEAR_BLACK, textOn, WHITE } from "@/lib/branding/color";
import { publishDraft, readDraft, saveDraft, uploadAsset } from "@/lib/branding/draft";
import { brandCache, brandForTarget, brandOfConsoleFor, brandOfTenant } from "@/lib/branding/resolve";
import { brandAssetFor } from "@/lib/branding/serve";
import { effectiveConfig, lockSettingValue, parseSettingValue, setSettingValue, settingDefinition, SettingRefusal } from "@/lib/settings";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let listener: CacheListener;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  listener = startCacheListener({ url: db.url, retryMs: 100 });
  await listener.ready;
});
after(async () => {
  await listener.stop();
  await db.drop();
});
beforeEach(async () => {
  await withClient(db.url, (c) => c.query("delete from public.tenant_settings where key like 'branding.%'; delete from public.brand_drafts; delete from public.brand_assets"));
  clearAllLocal();
});

const SVG = (fill: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="${fill}"/></svg>`);
const set = (user: Parameters<typeof as>[1], slug: keyof Fixtures["tenants"], key: string, raw: string) =>
  as(fx, user, (tx) => setSettingValue(tx, { tenantId: fx.tenants[slug], key, raw }));
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof ActionRefusal, `a refusal, not ${(error as Error).stack}`);
    return error.message;
  }
  assert.fail("not refused");
}
async function eventually(check: () => Promise<boolean>, ms = 3000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

describe("contrast", () => {
  test("text on a brand colour is derived: white on dark, near-black on light", () => {
    assert.equal(textOn("#1d4ed8"), WHITE);
    assert.equal(textOn("#fde047"), NEAR_BLACK);
    const p = derivePalette("#1d4ed8", "#0e7490");
    assert.ok(contrast(p.onPrimary, p.primary) >= 4.5 && contrast(p.onPrimary, p.primaryStrong) >= 4.5, "hover keeps AA");
    assert.ok(contrast(p.textStrong, p.tint50) >= 4.5, "text on the tint keeps AA");
  });
  test("a colour failing AA is refused with the failing pair named; a non-colour is refused", () => {
    const primary = settingDefinition("branding.primary_color")!;
    assert.throws(() => parseSettingValue(primary, "#ffff00"), (e) => e instanceof SettingRefusal && /Primary colour #ffff00 as link and heading text on the white page background: 1\.07:1, needs 4\.5:1/.test(e.message));
    assert.throws(() => parseSettingValue(primary, "#777777"), (e) => e instanceof SettingRefusal && /white page background: 4\.4\d:1/.test(e.message));
    assert.throws(() => parseSettingValue(primary, "red;x:url(y)"), (e) => e instanceof SettingRefusal && /Not a colour/.test(e.message));
    assert.equal(parseSettingValue(primary, "#1D4ED8"), "#1d4ed8");
    assert.equal(parseSettingValue(settingDefinition("branding.accent_color")!, "#0e7490"), "#0e7490");
    assert.deepEqual(colorProblems("accent", "#0e7490"), []);
    // Every colour between passes or fails for a named reason: a mid grey on its derived text.
    assert.match(colorProblems("primary", "#808080").join(), /on the white page background/);
  });
  test("text fields refuse markup and control characters (shown in emails, PDFs, headers)", () => {
    const name = settingDefinition("branding.product_name")!;
    assert.throws(() => parseSettingValue(name, "<b>Acme</b>"), SettingRefusal);
    assert.throws(() => parseSettingValue(settingDefinition("branding.email_sender_name")!, 'Acme" <evil@x>'), SettingRefusal);
    assert.throws(() => parseSettingValue(settingDefinition("branding.support_url")!, "javascript:alert(1)"), SettingRefusal);
    assert.equal(parseSettingValue(name, "  Acme   SOC "), "Acme SOC");
  });
});

describe("inheritance, override and lock", () => {
  test("the MSSP's brand reaches customers and sites; a customer overrides; a lock above wins", async () => {
    await set("msspAdmin", "mssp-a", "branding.primary_color", "#1d4ed8");
    await set("msspAdmin", "mssp-a", "branding.product_name", "Sentinel Portal");
    const eu = await as(fx, "acmeEuAdmin", (tx) => effectiveConfig(tx, fx.tenants["acme-eu"]));
    assert.equal(eu!.get("branding.primary_color").value, "#1d4ed8");
    assert.equal(eu!.get("branding.primary_color").source, "inherited");
    await set("acmeAdmin", "acme", "branding.primary_color", "#b91c1c");
    assert.equal((await brandOfTenant(fx.tenants["acme-eu"])).primaryColor, "#b91c1c", "the nearest value wins");
    assert.equal((await brandOfTenant(fx.tenants.globex)).primaryColor, "#1d4ed8");
    await as(fx, "msspAdmin", (tx) => lockSettingValue(tx, { tenantId: fx.tenants["mssp-a"], key: "branding.product_name" }));
    const msg = await refusal(as(fx, "acmeAdmin", (tx) => saveDraft(tx, fx.tenants.acme, { productName: "Acme SOC" })));
    assert.match(msg, /Product name is locked by/);
  });
});

describe("hide the MSSP's brand", () => {
  test("only the MSSP's admins may set it: the database refuses a customer admin", async () => {
    await assert.rejects(set("acmeAdmin", "acme", "branding.hide_mssp_brand", "true"), (e) => e instanceof SettingRefusal && /MSSP only/.test(e.message));
    await set("msspAdmin", "acme", "branding.hide_mssp_brand", "true");
  });
  test("with it on, nothing of the MSSP's brand shows on the reseller and below; the console keeps it", async () => {
    await set("msspAdmin", "mssp-a", "branding.product_name", "Sentinel Portal");
    await set("msspAdmin", "mssp-a", "branding.support_email", "help@sentinel.test");
    const msspLogo = await as(fx, "msspAdmin", (tx) => uploadAsset(tx, fx.tenants["mssp-a"], "logoLight", SVG("#4f46e5")));
    await as(fx, "msspAdmin", (tx) => publishDraft(tx, fx.tenants["mssp-a"]));
    const before = await brandOfTenant(fx.tenants["acme-eu"]);
    assert.equal(before.productName, "Sentinel Portal");
    assert.equal(before.logoLight?.sha256, msspLogo.sha256);
    await set("msspAdmin", "acme", "branding.hide_mssp_brand", "true");
    clearAllLocal();
    for (const slug of ["acme", "acme-eu"] as const) {
      const b = await brandOfTenant(fx.tenants[slug]);
      assert.notEqual(b.productName, "Sentinel Portal");
      assert.notEqual(b.primaryColor, "#4f46e5");
      assert.equal(b.logoLight, null, "the MSSP's logo is not inherited");
      assert.equal(b.supportEmail, "");
      assert.ok(!b.faviconUrl.includes(msspLogo.sha256));
      assert.equal(await brandAssetFor({ area: "tenant", slug }, msspLogo.sha256), null, "the MSSP's logo is not served on the hidden host");
    }
    assert.equal((await brandOfTenant(fx.tenants.globex)).productName, "Sentinel Portal", "a customer without the flag keeps it");
    assert.equal((await brandOfConsoleFor(fx.users.msspAdmin)).productName, "Sentinel Portal", "the console keeps the MSSP's brand for its staff");
    // The customer's own brand shows on its hidden host.
    await as(fx, "acmeAdmin", (tx) => saveDraft(tx, fx.tenants.acme, { productName: "Acme SOC", primaryColor: "#b91c1c" }));
    await as(fx, "acmeAdmin", (tx) => publishDraft(tx, fx.tenants.acme));
    clearAllLocal();
    const acme = await brandOfTenant(fx.tenants["acme-eu"]);
    assert.deepEqual([acme.productName, acme.primaryColor, acme.emailSenderName], ["Acme SOC", "#b91c1c", "Acme SOC"]);
  });
});

describe("uploads, drafts and publishing", () => {
  const count = () => withClient(db.url, async (c) => Number((await c.query("select count(*) from public.brand_assets")).rows[0].count));
  test("bad input is refused with a clear message and nothing is stored", async () => {
    const bad: Array<[Buffer, RegExp]> = [
      [Buffer.alloc(600 * 1024, 0x41), /at most 512 KiB/],
      [Buffer.from("just text, not an image"), /Not a PNG, JPEG or SVG/],
      [Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 0x11, 8, 0, 1, 0, 1, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xda, 0, 2, 0xff, 0xd9]), Buffer.from("<html><script>x</script>")]), /end marker|polyglot/],
      [Buffer.from(`<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>`), /DOCTYPE/],
    ];
    for (const [bytes, message] of bad) {
      assert.match(await refusal(as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", bytes))), message);
    }
    assert.equal(await count(), 0);
    assert.equal(await as(fx, "acmeAdmin", (tx) => readDraft(tx, fx.tenants.acme)), null, "no draft either");
  });
  test("a logo goes into the draft (preview), is served only after publishing, on its own host only", async () => {
    const logo = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", SVG("#b91c1c")));
    assert.equal((await as(fx, "acmeAdmin", (tx) => readDraft(tx, fx.tenants.acme)))?.logoLight, logo.sha256);
    assert.equal((await brandOfTenant(fx.tenants.acme)).logoLight, null, "not published yet");
    assert.ok(await brandAssetFor({ area: "tenant", slug: "acme" }, logo.sha256), "served on acme for the preview");
    await as(fx, "acmeAdmin", (tx) => publishDraft(tx, fx.tenants.acme));
    assert.equal(await as(fx, "acmeAdmin", (tx) => readDraft(tx, fx.tenants.acme)), null, "the draft is gone");
    assert.ok(await eventually(async () => (await brandForTarget({ area: "tenant", slug: "acme" }))?.logoLight?.sha256 === logo.sha256));
    const served = await brandAssetFor({ area: "tenant", slug: "acme-eu" }, logo.sha256);
    assert.equal(served?.contentType, "image/svg+xml", "a site inherits its customer's logo");
    assert.equal(await brandAssetFor({ area: "tenant", slug: "globex" }, logo.sha256), null, "not on another tenant's host");
    assert.equal(await brandAssetFor({ area: "console" }, logo.sha256, fx.users.msspAdmin), null, "not on the MSSP's console");
    assert.equal(await brandAssetFor({ area: "console" }, logo.sha256, null), null, "not on the console signed out");
  });
  test("publishing with nothing drafted is refused", async () => {
    assert.match(await refusal(as(fx, "acmeAdmin", (tx) => publishDraft(tx, fx.tenants.acme))), /no draft/);
  });
});

describe("RLS isolation of brand assets and drafts", () => {
  test("another customer's admin neither reads nor writes them; viewers do not read them", async () => {
    const logo = await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "favicon", SVG("#111827")));
    for (const user of ["globexAdmin", "acmeViewer", "otherCoAdmin", "msspBAdmin"] as const) {
      const rows = await as(fx, user, async (tx) => (await tx.client.query("select sha256 from public.brand_assets union all select tenant_id::text from public.brand_drafts")).rows);
      assert.deepEqual(rows, [], `${user} sees nothing`);
    }
    assert.equal((await as(fx, "msspAdmin", async (tx) => (await tx.client.query("select sha256 from public.brand_assets")).rows))[0]?.sha256, logo.sha256, "the MSSP's admin sees it");
    await assert.rejects(
      as(fx, "globexAdmin", (tx) => tx.client.query("insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height) select $1, encode(extensions.digest(b,'sha256'),'hex'), 'image/png', b, 1, 1 from (select 'x'::bytea b) s", [fx.tenants.acme])),
      /row-level security/,
    );
    const msg = await refusal(as(fx, "globexAdmin", (tx) => saveDraft(tx, fx.tenants.acme, { productName: "Pwned" })));
    assert.match(msg, /not one you can brand/);
  });
});

describe("brand-per-host cache", () => {
  test("a brand change committed anywhere evicts the cached brand (trigger → NOTIFY → listener)", async () => {
    assert.equal((await brandForTarget({ area: "tenant", slug: "globex" }))!.productName, "MSSP Portal");
    assert.ok(brandCache.get("t:globex"), "cached");
    // Written by another connection, as another replica would.
    await withClient(db.url, (c) => c.query(`insert into public.tenant_settings (tenant_id, key, value, changed_at) values ($1, 'branding.product_name', '"Globex Secure"', now())`, [fx.tenants.globex]));
    assert.ok(await eventually(async () => brandCache.get("t:globex") === undefined), "evicted");
    assert.equal((await brandForTarget({ area: "tenant", slug: "globex" }))!.productName, "Globex Secure");
    // A rename of an ancestor (the reseller name of a hidden brand) evicts too.
    await brandForTarget({ area: "tenant", slug: "globex" });
    await withClient(db.url, (c) => c.query("update public.tenants set name = name || ' ' where slug = 'mssp-a'"));
    assert.ok(await eventually(async () => brandCache.get("t:globex") === undefined));
  });
  test("brandFrom escapes nothing itself: it carries text as data (React and the mail/PDF layers escape)", () => {
    assert.equal(typeof brandFrom, "function");
  });
});

describe("emails", () => {
  test("an invitation carries the tenant's brand (name, colour, sender name), escaped; no MSSP brand where hidden", async () => {
    const { invitationMail } = await import("@/lib/mail/templates");
    const { openMailBody, sealMailBody } = await import("@/lib/mail/seal");
    await set("msspAdmin", "mssp-a", "branding.product_name", "Sentinel Portal");
    await set("msspAdmin", "acme", "branding.hide_mssp_brand", "true");
    await as(fx, "acmeAdmin", (tx) => saveDraft(tx, fx.tenants.acme, { productName: "Acme SOC", primaryColor: "#b91c1c", emailSenderName: "Acme Security" }));
    await as(fx, "acmeAdmin", (tx) => publishDraft(tx, fx.tenants.acme));
    clearAllLocal();
    const brand = await brandOfTenant(fx.tenants["acme-eu"]);
    const mail = invitationMail({ timeZone: "UTC", tenantName: `<img src=x onerror=alert(1)>`, role: "tenant_admin", link: "https://acme-eu.localhost/invite?token=t", expiresAt: new Date(), brand });
    assert.equal(mail.fromName, "Acme Security");
    assert.match(mail.subject, /on Acme SOC$/);
    assert.match(mail.html, /background:#b91c1c;color:#ffffff/);
    assert.ok(mail.html.includes("&lt;img src=x onerror=alert(1)&gt;") && !mail.html.includes("<img"), "tenant name escaped");
    for (const leak of ["Sentinel", "MSSP portal", "#4f46e5"]) assert.ok(!mail.html.includes(leak) && !mail.text.includes(leak) && !mail.subject.includes(leak), `no ${leak}`);
    const id = "00000000-0000-4000-8000-000000000001";
    assert.equal(openMailBody(id, sealMailBody(id, { text: mail.text, html: mail.html, fromName: mail.fromName })).fromName, "Acme Security");
  });
});

describe("PDFs", () => {
  test("a hidden tenant's PDF brand is its own (name, colour, PNG logo), with no MSSP name", async () => {
    const { pdfBrandOf } = await import("@/lib/branding/pdf");
    const { renderPdf } = await import("@/lib/pdf");
    const { pdfTextRuns } = await import("./helpers/pdf-text");
    const { png } = await import("./helpers/brand-images");
    await set("msspAdmin", "mssp-a", "branding.product_name", "Sentinel Portal");
    await set("msspAdmin", "acme", "branding.hide_mssp_brand", "true");
    await as(fx, "acmeAdmin", (tx) => uploadAsset(tx, fx.tenants.acme, "logoLight", png(60, 20)));
    await as(fx, "acmeAdmin", (tx) => saveDraft(tx, fx.tenants.acme, { productName: "Acme SOC", primaryColor: "#b91c1c" }));
    await as(fx, "acmeAdmin", (tx) => publishDraft(tx, fx.tenants.acme));
    clearAllLocal();
    const { hideMsspBrand, ...brand } = await pdfBrandOf(fx.tenants["acme-eu"]);
    assert.equal(hideMsspBrand, true);
    assert.deepEqual([brand.productName, brand.primaryColor, brand.logo instanceof Uint8Array], ["Acme SOC", "#b91c1c", true]);
    const text = pdfTextRuns(await renderPdf({ title: "Monthly report", brand, blocks: [{ kind: "text", text: "<script>alert(1)</script>" }] } as never)).join(" ");
    assert.ok(text.includes("Acme SOC") && !text.includes("Sentinel"), text.slice(0, 300));
  });
});
