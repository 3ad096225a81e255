// Server-side sessions and auth events in a real browser against the
// production build (issue 9, findings 5 and 8): the session cookie is a
// __Host- cookie even on http://*.localhost (Chromium treats it as a secure
// origin); a cookie copied before sign-out is signed out when replayed after
// it (pages redirect to sign-in, route handlers answer 401); and the tenant
// admin's audit page lists the sign-in events of their people, filtered by
// kind. Screenshot: test-results/screenshots/audit-auth-events.png.
import { expect, test, type BrowserContext } from "@playwright/test";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";

const cookieHeader = async (context: BrowserContext, url: string) =>
  (await context.cookies(url)).map((c) => `${c.name}=${c.value}`).join("; ");

test("the session cookie is __Host-, Secure, host-only, on a tenant host over http", async ({ page, context }) => {
  await signIn(page, tenantUrl("acme"), "acme.viewer@demo.test");
  await expect(page).not.toHaveURL(/\/signin/);
  const cookies = await context.cookies(tenantUrl("acme"));
  const session = cookies.find((c) => c.name.includes("session-token"));
  expect(session?.name).toBe("__Host-mssp.session-token");
  expect(session?.secure).toBe(true);
  expect(session?.httpOnly).toBe(true);
  expect(session?.path).toBe("/");
  expect(session?.domain).toBe("acme.localhost");
  // Not sent to another tenant's host.
  expect((await context.cookies(tenantUrl("globex"))).some((c) => c.name.includes("session-token"))).toBe(false);
});

test("a cookie copied before sign-out does not work after it: pages go to sign-in, route handlers answer 401", async ({ page, context, playwright }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await expect(page).not.toHaveURL(/\/signin/);
  const stolen = await cookieHeader(context, CONSOLE);
  const replay = await playwright.request.newContext({ extraHTTPHeaders: { cookie: stolen } });

  // Control: the copy works while the session is on.
  expect((await replay.get(`${CONSOLE}/keys/live`)).status()).toBe(200);
  const before = await replay.get(`${CONSOLE}/tenants`, { maxRedirects: 0 });
  expect(before.status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin/);

  expect((await replay.get(`${CONSOLE}/keys/live`)).status()).toBe(401);
  const after = await replay.get(`${CONSOLE}/tenants`, { maxRedirects: 0 });
  expect(after.status()).toBe(307);
  expect(after.headers()["location"]).toMatch(/\/signin/);
  const session = await replay.get(`${CONSOLE}/api/auth/session`);
  expect(await session.json()).toEqual({});
  await replay.dispose();
});

test("the tenant admin's audit trail shows their people's sign-in events, filtered by kind", async ({ browser }) => {
  // A wrong password, then a sign-in, by acme's analyst (their own browser).
  const analyst = await browser.newContext();
  const p = await analyst.newPage();
  await p.goto(`${tenantUrl("acme")}/signin`);
  await p.getByLabel("Email").fill("acme.analyst@demo.test");
  await p.getByLabel("Password").fill("not the password");
  await p.getByRole("button", { name: "Sign in" }).click();
  await expect(p.getByTestId("signin-error")).toBeVisible();
  await signIn(p, tenantUrl("acme"), "acme.analyst@demo.test");
  await expect(p).not.toHaveURL(/\/signin/);
  await analyst.close();

  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await admin.newPage();
  await signIn(page, tenantUrl("acme"), "acme.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
  await page.goto(`${tenantUrl("acme")}/audit?kind=auth`);
  const table = page.getByTestId("audit-table");
  await expect(table, await page.locator("main").innerText().catch(() => "")).toBeVisible();
  const analystRows = table.locator("tr", { hasText: "acme.analyst@demo.test" });
  await expect(analystRows.filter({ hasText: "auth:sign-in-failed" }).first()).toContainText("wrong password");
  await expect(analystRows.filter({ has: page.locator("td", { hasText: /^auth:sign-in$/ }) }).first()).toBeVisible();
  await expect(page.locator('select[name="kind"]')).toHaveValue("auth");
  // Only auth events under this filter.
  const actions = await table.locator("tbody td.font-mono.text-xs.text-slate-800").allTextContents();
  expect(actions.length).toBeGreaterThan(0);
  expect(actions.every((a) => a.startsWith("auth:"))).toBe(true);
  await page.screenshot({ path: `${SCREENSHOTS}/audit-auth-events.png`, fullPage: true });

  // Globex's admin sees none of acme's people's events.
  const other = await browser.newContext();
  const g = await other.newPage();
  await signIn(g, tenantUrl("globex"), "globex.admin@demo.test");
  await g.waitForURL((url) => !url.pathname.startsWith("/signin"));
  await g.goto(`${tenantUrl("globex")}/audit?kind=auth`);
  await expect(g.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  await expect(g.getByText("acme.analyst@demo.test")).toHaveCount(0);
  await other.close();
  await admin.close();
});

test("the password never goes into a URL: without JavaScript the sign-in cannot be submitted, with it the URL stays clean", async ({ browser }) => {
  // Without JavaScript (or before hydration) the form is the browser's to submit: it was a GET of
  // /signin?email=…&password=… (history, access logs). Now the button stays disabled until React runs.
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const p = await noScript.newPage();
  const requested: string[] = [];
  p.on("request", (r) => requested.push(r.url()));
  await p.goto(`${tenantUrl("acme")}/signin`);
  await p.getByLabel("Email").fill("acme.viewer@demo.test");
  await p.getByLabel("Password").fill("Demo!2026-portal");
  await expect(p.getByRole("button", { name: "Sign in" })).toBeDisabled();
  // A <noscript> note says why (Chromium's script switch still parses <noscript> as text, so read the markup).
  expect(await p.content()).toContain("Signing in needs JavaScript");
  await p.getByLabel("Password").press("Enter"); // implicit submission: none while the only submit button is disabled
  await p.waitForTimeout(500);
  expect(p.url()).toBe(`${tenantUrl("acme")}/signin`);
  await noScript.close();

  // With JavaScript: signed in, and no request carried the password in its URL.
  const withScript = await browser.newContext();
  const page = await withScript.newPage();
  page.on("request", (r) => requested.push(r.url()));
  await signIn(page, tenantUrl("acme"), "acme.viewer@demo.test");
  await expect(page).not.toHaveURL(/\/signin/);
  expect(requested.length).toBeGreaterThan(2);
  expect(requested.filter((u) => /password|Demo%212026|Demo!2026/i.test(u))).toEqual([]);
  await withScript.close();
});
