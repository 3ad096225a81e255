// The console's brand when the portal runs several MSSPs (lib/branding/resolve.ts),
// on a real Postgres, through real Next request scopes with real session
// cookies, and the cross-process cache eviction (a real listener):
//   - signed out, the console carries a brand of no one (neither MSSP's name,
//     colour or logo), and serves neither MSSP's logo;
//   - signed in, each MSSP's staff get their own MSSP's brand: pages
//     (requestBrand), the authenticator app's issuer name (the MFA action) and
//     the logo files; a customer's people get their own tenant's brand;
//   - with one MSSP, the console signed out is its brand; a second MSSP
//     created turns it neutral at once (no stale cache);
//   - someone in two MSSPs gets the first by tenant path, and a membership
//     change takes effect at once;
//   - a tenant host of no tenant looks like the first MSSP's unbranded
//     customers' hosts (issue 9 finding 7), logo file included;
//   - a host that names no portal (a tenant's pending or removed custom
//     domain) carries a brand of no one on its 404 page, never the console's.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { callAction, inRequest, loadAction, type Person } from "./helpers/actions";
import { emailOf, insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

const CONSOLE = "localhost:3000";
const SVG = (fill: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="${fill}"/></svg>`);
const A = ["Sentinel Portal", "#4338ca"];
const B = ["Bastion Portal", "#0f766e"];

let db: TestDatabase;
let fx: Fixtures;
let listener: { stop(): Promise<void>; ready: Promise<void> };
let logoB: string;
const person = (u: UserName): Person => ({ id: fx.users[u], email: emailOf(u) });
const owner = (sql: string, params: unknown[] = []) => withClient(db.url, (c) => c.query(sql, params));

/** The console's brand for `user` (null: signed out), as the root layout and pages get it. */
async function consoleBrand(user: UserName | null) {
  const { requestBrand } = await import("@/lib/branding/resolve");
  return inRequest({ person: user ? person(user) : null, host: CONSOLE }, () => requestBrand());
}

async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

async function setBrand(user: UserName, slug: TenantSlug, [name, colour]: string[]) {
  const { setSettingValue } = await import("@/lib/settings");
  await as(fx, user, (tx) => setSettingValue(tx, { tenantId: fx.tenants[slug], key: "branding.product_name", raw: name }));
  await as(fx, user, (tx) => setSettingValue(tx, { tenantId: fx.tenants[slug], key: "branding.primary_color", raw: colour }));
}

before(async () => {
  db = await createTestDatabase();
  const { startCacheListener } = await import("@/lib/cache/listener");
  listener = startCacheListener({ retryMs: 100 });
  await listener.ready;
  // The portal starts with one MSSP of its own; the fixtures' two join it in the first test.
  const { rows } = await owner("insert into public.tenants (parent_id, slug, name, kind) values (null, 'solo', 'Tenant solo', 'mssp') returning id");
  await owner(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'branding.product_name', '"Solo Portal"')`, [rows[0].id]);
});
after(async () => {
  await listener?.stop();
  await db?.drop();
});

describe("one MSSP", () => {
  test("a host that names no portal carries a brand of no one, not the console's MSSP brand", async () => {
    // The 404 page of a tenant's pending or removed custom domain (whose tenant may hide the MSSP's
    // brand), or of any name pointed at the portal, used to carry the console's brand: with one MSSP, its name.
    assert.equal((await consoleBrand(null)).productName, "Solo Portal");
    const { fallbackBrand, requestBrand } = await import("@/lib/branding/resolve");
    const neutral = await fallbackBrand(true);
    for (const host of ["soc.pending-customer.example", "evil.example.com", "127.0.0.1:3000", "a.b.localhost:3000"]) {
      const brand = await inRequest({ host }, () => requestBrand());
      assert.ok(!JSON.stringify(brand).includes("Solo Portal"), host);
      assert.deepEqual(brand, neutral, host);
      assert.equal(brand.hideMsspBrand, true, host);
    }
  });

  test("signed out, the console is its brand; once another MSSP exists, a brand of no one at once", async () => {
    assert.equal((await consoleBrand(null)).productName, "Solo Portal");
    fx = await insertFixtures(db.url);
    assert.ok(await eventually(async () => (await consoleBrand(null)).productName !== "Solo Portal"), "the cached brand is dropped when an MSSP is created");
    await setBrand("msspAdmin", "mssp-a", A);
    await setBrand("msspBAdmin", "mssp-b", B);
    const { publishDraft, uploadAsset } = await import("@/lib/branding/draft");
    logoB = (await as(fx, "msspBAdmin", (tx) => uploadAsset(tx, fx.tenants["mssp-b"], "logoLight", SVG(B[1])))).sha256;
    await as(fx, "msspBAdmin", (tx) => publishDraft(tx, fx.tenants["mssp-b"]));
  });
});

describe("the console's brand with two MSSPs", () => {
  test("signed out: a brand of no one, and neither MSSP's logo", async () => {
    const { brandAssetFor } = await import("@/lib/branding/serve");
    const brand = await consoleBrand(null);
    const json = JSON.stringify(brand);
    for (const leak of [...A, ...B, "Tenant mssp-a", "Tenant mssp-b", logoB]) assert.ok(!json.includes(leak), `the signed-out console shows "${leak}"`);
    assert.equal(brand.logoLight, null);
    assert.equal(await inRequest({ host: CONSOLE }, () => brandAssetFor({ area: "console" }, logoB)), null);
    assert.equal(await brandAssetFor({ area: "unknown" }, logoB), null);
  });

  test("signed in: each MSSP's staff see their own MSSP's brand, pages and logo files", async () => {
    const a = await consoleBrand("msspAdmin");
    assert.deepEqual([a.productName, a.primaryColor, a.logoLight], [A[0], A[1], null]);
    const b = await consoleBrand("msspBAdmin");
    assert.deepEqual([b.productName, b.primaryColor, b.logoLight?.sha256], [B[0], B[1], logoB]);
    const { brandAssetFor } = await import("@/lib/branding/serve");
    const served = await inRequest({ person: person("msspBAdmin"), host: CONSOLE }, () => brandAssetFor({ area: "console" }, logoB));
    assert.equal(served?.contentType, "image/svg+xml");
    assert.equal(await inRequest({ person: person("msspAdmin"), host: CONSOLE }, () => brandAssetFor({ area: "console" }, logoB)), null, "not MSSP A's console's");
    // Mails about a console account (a password reset asked on the console) take the same brand by user id.
    const { brandOfConsoleFor } = await import("@/lib/branding/resolve");
    assert.equal((await brandOfConsoleFor(fx.users.msspBAdmin)).productName, B[0]);
    assert.equal((await brandOfConsoleFor(fx.users.msspAnalyst)).productName, A[0]);
    // Also read on a transaction the caller holds (the password reset's), with nothing cached.
    const { withServiceRole } = await import("@/lib/db/service-role");
    const { clearAllLocal } = await import("@/lib/cache");
    clearAllLocal();
    assert.equal((await withServiceRole("account.password-reset", (sdb) => brandOfConsoleFor(fx.users.msspBAdmin, sdb))).productName, B[0]);
  });

  test("the authenticator app's issuer is the user's MSSP's product name", async () => {
    const { getPendingEnrolment } = await import("@/lib/auth/mfa");
    const { getSessionUserForEnrolment } = await import("@/lib/auth/session");
    const { hashPassword } = await import("@/lib/auth/password");
    const start = await loadAction("lib/actions/account/mfa.ts#startEnrolmentAction");
    const password = "branding-console-password";
    for (const [user, name] of [["msspBAdmin", "Bastion+Portal"], ["msspAdmin", "Sentinel+Portal"]] as const) {
      // Setting up asks for the password again.
      await owner("update public.users set password_hash = $2 where id = $1", [fx.users[user], await hashPassword(password)]);
      const r = (await callAction(start, { person: person(user), host: CONSOLE }, { restart: "1", password })) as { status: string };
      assert.equal(r.status, "idle", JSON.stringify(r));
      const issued = await owner("select 1 from public.user_mfa where user_id = $1", [fx.users[user]]);
      assert.equal(issued.rowCount, 1);
      // The URI as the page shows it: with the issuer of the same request's brand.
      const uri = await inRequest({ person: person(user), host: CONSOLE }, async () => {
        const { requestBrand } = await import("@/lib/branding/resolve");
        // Shown to the session that started the setup.
        const sessionId = (await getSessionUserForEnrolment())!.sessionId;
        return (await getPendingEnrolment(person(user), { issuer: (await requestBrand()).productName, sessionId }))!.otpauthUri;
      });
      assert.ok(uri.includes(`&issuer=${name}&`), `${user}: ${uri}`);
    }
  });

  test("a customer's people on the console get their own tenant's brand", async () => {
    await setBrand("acmeAdmin", "acme", ["Acme SOC", "#b91c1c"]);
    const brand = await consoleBrand("acmeAdmin");
    assert.equal(brand.productName, "Acme SOC");
  });

  test("a tenant host of no tenant looks like the first MSSP's unbranded customer's, its logo included", async () => {
    // "solo" is the portal's first MSSP; give it a logo and a customer without a brand of its own.
    const { createHash } = await import("node:crypto");
    const svg = SVG("#123456");
    const sha = createHash("sha256").update(svg).digest("hex");
    const [{ id: solo }] = (await owner("select id from public.tenants where slug = 'solo'")).rows;
    await owner("insert into public.brand_assets (tenant_id, sha256, content_type, bytes, width, height) values ($1, $2, 'image/svg+xml', $3, 40, 10)", [solo, sha, svg]);
    await owner(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'branding.logo_light', to_jsonb($2::text))`, [solo, sha]);
    await owner("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'solo-cust', 'Solo customer', 'customer')", [solo]);
    const { requestBrand } = await import("@/lib/branding/resolve");
    const { brandAssetFor } = await import("@/lib/branding/serve");
    const signedOut = (slug: string) => inRequest({ host: `${slug}.localhost:3000` }, () => requestBrand());
    assert.ok(await eventually(async () => (await signedOut("solo-cust")).logoLight?.sha256 === sha), "the customer inherits solo's logo");
    const real = await signedOut("solo-cust");
    const unknown = await signedOut("no-such-tenant");
    // Everything a page shows; tenantId is the resolver's own (it never reaches a page).
    assert.deepEqual({ ...unknown, tenantId: "x" }, { ...real, tenantId: "x" }, "an unknown slug shows what solo's unbranded customer shows");
    assert.equal(real.productName, "Solo Portal");
    // The logo loads on both hosts; a draft's or another MSSP's asset on neither.
    for (const slug of ["solo-cust", "no-such-tenant"]) {
      assert.equal((await brandAssetFor({ area: "tenant", slug }, sha))?.contentType, "image/svg+xml", slug);
      assert.equal(await brandAssetFor({ area: "tenant", slug }, logoB), null, slug);
    }
    // MSSP B's customers carry B's brand: what it chose to show (docs/branding.md), not the unknown slug's.
    assert.notEqual((await signedOut("other-co")).productName, unknown.productName);
  });

  test("in two MSSPs: the first by path; a membership change applies at once", async () => {
    await owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'mssp_analyst')", [fx.tenants["mssp-a"], fx.users.msspBAdmin]);
    assert.ok(await eventually(async () => (await consoleBrand("msspBAdmin")).productName === A[0]), "mssp-a comes first by path");
    // Removing a membership ends the user's sessions (lib/auth/sessions.ts): asked by user id, as a mail would.
    await owner("delete from public.memberships where tenant_id = $1 and user_id = $2", [fx.tenants["mssp-a"], fx.users.msspBAdmin]);
    const { brandOfConsoleFor } = await import("@/lib/branding/resolve");
    assert.ok(await eventually(async () => (await brandOfConsoleFor(fx.users.msspBAdmin)).productName === B[0]), "back to mssp-b once the membership is gone");
  });
});
