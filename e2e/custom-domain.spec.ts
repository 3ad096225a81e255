// A custom domain in a real browser, over real TLS (issue 14 point 3): the
// production build behind Debian's caddy with the shipped
// deploy/caddy/Caddyfile (on-demand TLS, caddy's internal CA; tests/helpers/caddy.ts),
// and a Chromium whose resolver maps soc.acme.test and portal.globex.test to
// loopback.
//
// The Acme admin adds soc.acme.test on /domains and sees the records to
// create (bad input refused). Until it is verified caddy gets no certificate
// for it (the ask endpoint says no: no TLS handshake). Once verified (the DNS
// check itself runs against dnsmasq in tests/domains-verify.test.ts; here the
// row is marked verified and the cache eviction sent, as the verification
// does) caddy obtains one and https://soc.acme.test shows Acme's brand on the
// sign-in page, on pages and on the 404 page; signing in there gives that host
// its own host-only __Host- cookie. A second tab signed in as Globex's admin on
// portal.globex.test works side by side; neither cookie reaches the other
// host; a session on the custom domain does not open acme.localhost (nor the
// other way) except through the handoff; an invitation sent there links to
// the custom domain. A session is bound to its host: the custom domain's cookie copied to acme.localhost
// opens nothing; and MSSP staff are refused sign-in on the custom domain, linked to acme.localhost.
// Screenshots: custom-domain-*.png.
import { chromium, expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { skeleton } from "@/lib/domains/skeleton";
import { expectNoSeriousA11yViolations } from "./a11y";
import { DEMO_PASSWORD } from "@/lib/demo/users";
import { PORT, SCREENSHOTS, signedInAs, signIn, tenantUrl } from "./helpers";
import { startCaddy, tlsHandshake, type RunningCaddy } from "../tests/helpers/caddy";
import { chromiumLaunchOptions } from "./lib/chromium";
import { ownerQuery } from "./lib/owner-db";
import { linkIn, waitForMail } from "./mail";
import { E2E_TLS_ASK_SECRET } from "./lib/tls-ask";

test.use({ actionTimeout: 20_000 });
test.describe.configure({ mode: "serial" });

const ACME_DOMAIN = "soc.acme.test";
const GLOBEX_DOMAIN = "portal.globex.test";
const ACME_NAME = "Acme Shield";
const ACME_PRIMARY = "#9f1239";
const INVITEE = `custom.domain.invitee.${Date.now()}@acme-corp.example`;

let caddy: RunningCaddy;
let browser: Browser;
/** Branding keys this spec planted on Acme (removed again afterwards); none that Acme already had. */
let planted: string[] = [];

const https = (host: string) => `https://${host}:${caddy.httpsPort}`;

const owner = ownerQuery;

/** What the verification (lib/domains/resolve.ts evictDomain) sends when a domain starts or stops routing: both caches, every process. */
async function evict(slug: string) {
  await owner("select pg_notify('mssp_portal_cache', $1)", [JSON.stringify({ cache: "domain-primary", key: slug })]);
  // The map of routed domains the proxy reads.
  await owner("select pg_notify('mssp_portal_cache', $1)", [JSON.stringify({ cache: "domain-routed", key: "all" })]);
}

async function removeDomains() {
  await owner("delete from public.custom_domains where domain = any($1)", [[ACME_DOMAIN, GLOBEX_DOMAIN]]);
  await evict("acme");
  await evict("globex");
}

/** The brand a page was rendered with: title, the root layout's CSS variables, and the sign-in heading when there is one. */
async function brandOf(page: Page) {
  return {
    title: await page.title(),
    theme: await page.locator("style#brand-theme").textContent(),
  };
}

async function sessionCookie(context: BrowserContext, origin: string) {
  return (await context.cookies(origin)).find((c) => c.name.endsWith("mssp.session-token"));
}

test.beforeAll(async () => {
  test.setTimeout(60_000);
  await removeDomains();
  // Acme gets a name and a colour of its own for this spec where it has none yet (e2e/branding.spec.ts
  // publishes a brand when the whole suite runs), so "Acme's brand" is told apart from the MSSP's and Globex's.
  const rows = await owner<{ key: string }>(
    `insert into public.tenant_settings (tenant_id, key, value)
       select t.id, v.key, to_jsonb(v.value) from public.tenants t,
              (values ('branding.product_name', $1::text), ('branding.primary_color', $2::text)) v(key, value)
        where t.slug = 'acme'
     on conflict do nothing returning key`,
    [ACME_NAME, ACME_PRIMARY],
  );
  planted = rows.map((r) => r.key);
  caddy = await startCaddy({ ask: `http://127.0.0.1:${PORT}/api/tls/ask`, upstream: `127.0.0.1:${PORT}`, askSecret: E2E_TLS_ASK_SECRET });
  browser = await chromium.launch(chromiumLaunchOptions(`--host-resolver-rules=MAP ${ACME_DOMAIN} 127.0.0.1, MAP ${GLOBEX_DOMAIN} 127.0.0.1`));
});

test.afterAll(async () => {
  await browser?.close();
  await caddy?.stop();
  await removeDomains();
  await owner("delete from public.invitations where lower(email) = lower($1)", [INVITEE]).catch(() => undefined);
  if (planted.length) await owner("delete from public.tenant_settings where key = any($1) and tenant_id = (select id from public.tenants where slug = 'acme')", [planted]);
});

test("the Acme admin adds a domain and sees the records to create; bad input is refused; no certificate before it is verified", async ({ page }) => {
  await signIn(page, tenantUrl("acme"), "acme.admin@demo.test");
  // signIn returns on the click when there is no second factor: wait for the session before going on.
  await signedInAs(page, "acme.admin@demo.test");
  await page.goto(`${tenantUrl("acme")}/domains`);
  await expect(page.getByTestId("domains-empty").or(page.getByTestId("domain-row").first())).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  const name = page.getByLabel("Domain name");
  const add = page.getByRole("button", { name: "Add domain" });
  for (const [input, message] of [
    ["*.acme.test", "Wildcard domains cannot be added"],
    ["127.0.0.1", "An IP address cannot be a custom domain"],
    ["https://soc.acme.test/", "Enter the host name only"],
    ["globex.localhost", "That name belongs to this portal itself"],
  ] as const) {
    await name.fill(input);
    await add.click();
    await expect(page.getByText(message)).toBeVisible();
    await expect(page.locator(`[data-domain="${input}"]`)).toHaveCount(0);
  }
  await name.fill(ACME_DOMAIN);
  await add.click();
  const row = page.locator(`[data-domain="${ACME_DOMAIN}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId("domain-status")).toHaveText("Waiting for DNS");
  await expect(row).toContainText(`_mssp-verify.${ACME_DOMAIN}`);
  await expect(row).toContainText("CNAME");
  const [{ token }] = await owner<{ token: string }>("select token from public.custom_domains where domain = $1", [ACME_DOMAIN]);
  await expect(row).toContainText(token);
  await page.screenshot({ path: `${SCREENSHOTS}/custom-domain-added.png`, fullPage: true });

  // Pending: caddy asks the portal, hears no, and completes no TLS handshake for the name.
  const refused = await tlsHandshake(caddy.httpsPort, ACME_DOMAIN);
  expect(refused.ok, caddy.log().slice(-2000)).toBe(false);
  // A name nobody added, the same.
  expect((await tlsHandshake(caddy.httpsPort, "nobody.example.test")).ok).toBe(false);
});

test("once verified, caddy gets a certificate and soc.acme.test is Acme's portal with its own host-only session", async () => {
  test.setTimeout(120_000);
  // As the verification does (lib/domains/state.ts): the row verified, the caches evicted in every process.
  await owner("update public.custom_domains set status = 'verified', verified_at = now() where domain = $1", [ACME_DOMAIN]);
  await owner(
    `insert into public.custom_domains (tenant_id, domain, skeleton, token, status, verified_at)
       select id, $1, $2, 'e2e-globex-token-0123456789abcdef', 'verified', now() from public.tenants where slug = 'globex'`,
    [GLOBEX_DOMAIN, skeleton(GLOBEX_DOMAIN)],
  );
  await evict("acme");
  await evict("globex");

  // The certificate comes from caddy's internal CA and verifies against its root for that name.
  const root = await caddy.rootCertificate().catch(() => undefined);
  let shake = await tlsHandshake(caddy.httpsPort, ACME_DOMAIN, root);
  for (let i = 0; !shake.ok && i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    shake = await tlsHandshake(caddy.httpsPort, ACME_DOMAIN, await caddy.rootCertificate());
  }
  expect(shake, caddy.log().slice(-3000)).toMatchObject({ ok: true, issuer: expect.stringMatching(/Caddy Local Authority/) });
  if (shake.ok) expect(shake.altNames).toContain(`DNS:${ACME_DOMAIN}`);

  const acmeOrigin = https(ACME_DOMAIN);
  // Acme's brand as its subdomain shows it (the reference).
  const reference = await browser.newContext();
  const ref = await reference.newPage();
  await ref.goto(`${tenantUrl("acme")}/signin`);
  const acmeBrand = { ...(await brandOf(ref)), heading: await ref.getByTestId("signin-heading").innerText() };
  if (planted.includes("branding.product_name")) expect(acmeBrand.title).toContain(ACME_NAME);
  await ref.goto(`${tenantUrl("globex")}/signin`);
  const globexBrand = { ...(await brandOf(ref)), heading: await ref.getByTestId("signin-heading").innerText() };
  expect(globexBrand.title).not.toBe(acmeBrand.title);
  expect(globexBrand.theme).not.toBe(acmeBrand.theme);
  await reference.close();

  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const acme = await context.newPage();
  // The sign-in page on the custom domain: Acme's brand, exactly as on acme.localhost.
  await acme.goto(`${acmeOrigin}/signin`);
  expect({ ...(await brandOf(acme)), heading: await acme.getByTestId("signin-heading").innerText() }).toEqual(acmeBrand);
  await expectNoSeriousA11yViolations(acme);
  await acme.screenshot({ path: `${SCREENSHOTS}/custom-domain-signin.png`, fullPage: true });

  await signIn(acme, acmeOrigin, "acme.admin@demo.test");
  await signedInAs(acme, "acme.admin@demo.test");
  expect(new URL(acme.url()).origin).toBe(acmeOrigin);
  // Its own cookie: __Host- (Secure, Path=/, no Domain attribute, so host-only), for this host alone.
  const cookie = await sessionCookie(context, acmeOrigin);
  expect(cookie).toMatchObject({ name: "__Host-mssp.session-token", domain: ACME_DOMAIN, path: "/", secure: true, httpOnly: true, sameSite: "Lax" });

  await acme.goto(`${acmeOrigin}/alerts`);
  await expect(acme).toHaveURL(`${acmeOrigin}/alerts`);
  await expect(acme.getByRole("heading", { level: 1 })).toBeVisible();
  expect(await brandOf(acme)).toMatchObject({ theme: acmeBrand.theme });
  expect(await acme.title()).toContain(acmeBrand.title.replace(/^Sign in · /, ""));
  await acme.screenshot({ path: `${SCREENSHOTS}/custom-domain-alerts.png`, fullPage: true });
  // Errors are Acme's too.
  const missing = await acme.goto(`${acmeOrigin}/no-such-page`);
  expect(missing?.status()).toBe(404);
  expect(await brandOf(acme)).toMatchObject({ theme: acmeBrand.theme });
  expect(await acme.title()).toContain(acmeBrand.title.replace(/^Sign in · /, ""));
  await acme.screenshot({ path: `${SCREENSHOTS}/custom-domain-404.png`, fullPage: true });

  // A second tab in the same browser: Globex's admin on Globex's domain. Both work side by side.
  const globexOrigin = https(GLOBEX_DOMAIN);
  const globex = await context.newPage();
  await globex.goto(`${globexOrigin}/signin`);
  expect({ ...(await brandOf(globex)), heading: await globex.getByTestId("signin-heading").innerText() }).toEqual(globexBrand);
  await signIn(globex, globexOrigin, "globex.admin@demo.test");
  await signedInAs(globex, "globex.admin@demo.test");
  for (let i = 0; i < 2; i++) {
    await acme.goto(`${acmeOrigin}/alerts`);
    await signedInAs(acme, "acme.admin@demo.test");
    await expect(acme.getByText("globex.admin@demo.test")).toHaveCount(0);
    await globex.goto(`${globexOrigin}/alerts`);
    await signedInAs(globex, "globex.admin@demo.test");
    await expect(globex.getByText("acme.admin@demo.test")).toHaveCount(0);
  }
  await globex.screenshot({ path: `${SCREENSHOTS}/custom-domain-globex-side-by-side.png`, fullPage: true });
  // Neither cookie goes to the other host: each host's request carries exactly its own.
  const acmeCookies = (await context.cookies(acmeOrigin)).filter((c) => c.name.endsWith("session-token"));
  const globexCookies = (await context.cookies(globexOrigin)).filter((c) => c.name.endsWith("session-token"));
  expect(acmeCookies.map((c) => c.domain)).toEqual([ACME_DOMAIN]);
  expect(globexCookies.map((c) => c.domain)).toEqual([GLOBEX_DOMAIN]);
  expect(acmeCookies[0].value).not.toBe(globexCookies[0].value);
  for (const [origin, own, foreign] of [
    [globexOrigin, globexCookies[0].value, acmeCookies[0].value],
    [acmeOrigin, acmeCookies[0].value, globexCookies[0].value],
  ]) {
    const request = acme.waitForRequest((r) => r.url() === `${origin}/alerts`);
    await acme.goto(`${origin}/alerts`);
    const sent = (await (await request).allHeaders()).cookie ?? "";
    expect(sent).toContain(own);
    expect(sent).not.toContain(foreign);
  }

  // The session on soc.acme.test does not open acme.localhost (another host: no cookie there)…
  const plain = await context.newPage();
  await plain.goto(`${tenantUrl("acme")}/alerts`);
  await expect(plain).toHaveURL(/\/signin/);
  // …nor one on acme.localhost the custom domain.
  const other = await browser.newContext({ ignoreHTTPSErrors: true });
  const sub = await other.newPage();
  await signIn(sub, tenantUrl("acme"), "acme.analyst@demo.test");
  await signedInAs(sub, "acme.analyst@demo.test");
  await sub.goto(`${acmeOrigin}/alerts`);
  await expect(sub).toHaveURL(/\/signin/);
  expect(new URL(sub.url()).host).toBe(`${ACME_DOMAIN}:${caddy.httpsPort}`);
  // Only the handoff carries a session over. On Acme's subdomain through the same TLS proxy (the same
  // host, so the same host-only cookie as above: cookies ignore the port), the user moves to Acme's
  // portal: its primary host is now the custom domain.
  const viaProxy = https("acme.localhost");
  await sub.goto(`${viaProxy}/alerts`);
  await signedInAs(sub, "acme.analyst@demo.test");
  await sub.goto(`${viaProxy}/handoff/go?to=acme`);
  // Signed out on the custom domain: the link asks before it signs in (login CSRF).
  await sub.getByRole("button", { name: "Continue as acme.analyst@demo.test" }).click({ timeout: 30_000 });
  await sub.waitForURL((u) => u.origin === acmeOrigin && u.pathname === "/alerts", { timeout: 30_000 });
  await signedInAs(sub, "acme.analyst@demo.test");
  expect(sub.url()).not.toContain("token=");
  const handed = await sessionCookie(other, acmeOrigin);
  expect(handed).toMatchObject({ name: "__Host-mssp.session-token", domain: ACME_DOMAIN, secure: true });
  expect(handed!.value).not.toBe((await sessionCookie(other, viaProxy))!.value);
  await sub.screenshot({ path: `${SCREENSHOTS}/custom-domain-handoff.png`, fullPage: true });
  await other.close();

  // A session is bound to the host it was issued on: the custom domain's cookie, copied by hand to
  // acme.localhost (the same __Host- name, through the same TLS proxy), opens nothing there.
  const copied = await browser.newContext({ ignoreHTTPSErrors: true });
  await copied.addCookies([{ name: cookie!.name, value: cookie!.value, url: viaProxy, secure: true, httpOnly: true, sameSite: "Lax" }]);
  expect((await copied.cookies(viaProxy)).map((c) => c.name)).toEqual([cookie!.name]);
  const replay = await copied.newPage();
  await replay.goto(`${viaProxy}/alerts`);
  await expect(replay).toHaveURL(/\/signin/);
  await expect(replay.getByText("acme.admin@demo.test", { exact: true })).toHaveCount(0);
  await copied.close();
  // …while it still works on its own host.
  await acme.goto(`${acmeOrigin}/alerts`);
  await signedInAs(acme, "acme.admin@demo.test");

  // MSSP staff do not sign in on the tenant's domain (Acme runs that name): refused after the password,
  // before any code, with a link to the portal's own address of Acme; no session.
  const staff = await browser.newContext({ ignoreHTTPSErrors: true });
  const staffPage = await staff.newPage();
  await staffPage.goto(`${acmeOrigin}/signin?callbackUrl=${encodeURIComponent("/alerts")}`);
  await staffPage.getByLabel("Email").fill("mssp.admin@demo.test");
  await staffPage.getByLabel("Password").fill(DEMO_PASSWORD);
  await staffPage.getByRole("button", { name: "Sign in" }).click();
  await expect(staffPage.getByTestId("signin-error")).toContainText("reserved for the organisation's own people");
  await expect(staffPage.getByLabel("Authentication code")).toHaveCount(0);
  const elsewhere = staffPage.getByTestId("signin-elsewhere");
  await expect(elsewhere).toHaveAttribute("href", `${viaProxy}/signin?callbackUrl=${encodeURIComponent("/alerts")}`);
  await expectNoSeriousA11yViolations(staffPage);
  await staffPage.screenshot({ path: `${SCREENSHOTS}/custom-domain-staff-refused.png`, fullPage: true });
  expect(await sessionCookie(staff, acmeOrigin)).toBeUndefined();
  // A wrong password there answers as anywhere.
  await staffPage.getByLabel("Password").fill("not the password");
  await staffPage.getByRole("button", { name: "Sign in" }).click();
  await expect(staffPage.getByTestId("signin-error")).toHaveText("Wrong email or password.");
  await staff.close();

  // An invitation sent on the custom domain links to it.
  await acme.goto(`${acmeOrigin}/team`);
  const invite = acme.getByRole("form", { name: "Invite a member" });
  await invite.getByLabel("Email").fill(INVITEE);
  await invite.getByLabel("Role").selectOption("tenant_viewer");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(invite.getByText(`Invitation sent to ${INVITEE}.`)).toBeVisible();
  const link = new URL(linkIn(await waitForMail(INVITEE, /invited to join/)));
  expect(`${link.origin}${link.pathname}`).toBe(`${acmeOrigin}/invite`);
  const invitee = await browser.newContext({ ignoreHTTPSErrors: true });
  const inv = await invitee.newPage();
  await inv.goto(link.toString());
  await expect(inv.getByTestId("invite-title")).toContainText("Join Acme");
  expect(await brandOf(inv)).toMatchObject({ theme: acmeBrand.theme });
  await inv.screenshot({ path: `${SCREENSHOTS}/custom-domain-invite.png`, fullPage: true });
  await invitee.close();

  // Signing out on the custom domain ends that session only there; Globex's tab is still signed in.
  await acme.goto(`${acmeOrigin}/alerts`);
  await acme.getByRole("button", { name: "Sign out" }).click();
  await acme.waitForURL(/\/signin/);
  expect(new URL(acme.url()).origin).toBe(acmeOrigin);
  await globex.goto(`${globexOrigin}/alerts`);
  await signedInAs(globex, "globex.admin@demo.test");
  await context.close();
});

test("a domain that is removed stops routing at once", async () => {
  await removeDomains();
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  // caddy keeps the certificate it has; the portal no longer serves the host: its 404, with no tenant's brand.
  const res = await page.goto(`${https(ACME_DOMAIN)}/signin`);
  expect(res?.status()).toBe(404);
  expect(await page.content()).not.toContain(ACME_NAME);
  await context.close();
});
