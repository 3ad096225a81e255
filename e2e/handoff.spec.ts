// Moving between portals without signing in again (issue 14 point 4), in a
// real browser against the production build: MSSP staff open a customer's
// portal from the console's tenant tree and, after confirming whose account
// the link opens ("Continue as …": signed out there, a link never signs in
// silently, login CSRF), arrive signed in (no second password, no second
// TOTP code); each host keeps its own host-only session
// cookie; signing out on the customer's host signs the console out too; two
// tabs signed in to two tenants' hosts work side by side.
// Screenshots: test-results/screenshots/handoff-*.png.
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";

test.use({ actionTimeout: 20_000 });

test("console → customer portal through the tenant tree, without a second sign-in; sign-out ends both", async ({ page, context }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await expect(page).not.toHaveURL(/\/signin/);
  await page.goto(`${CONSOLE}/`);
  const open = page.getByTestId("open-portal-acme");
  await expect(open).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/handoff-console-tree.png`, fullPage: true });
  await open.click();
  // Signed out on acme's host: the link names its account and waits for a yes; no session before it.
  await expect(page.getByRole("heading", { name: "Continue as mssp.admin@demo.test?" })).toBeVisible({ timeout: 30_000 });
  expect(page.url()).not.toContain("token=");
  expect((await context.cookies(tenantUrl("acme"))).find((c) => c.name.includes("session-token"))).toBeUndefined();
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/handoff-confirm.png`, fullPage: true });
  await page.getByRole("button", { name: "Continue as mssp.admin@demo.test" }).click();
  await page.waitForURL((u) => u.host === new URL(tenantUrl("acme")).host && u.pathname === "/alerts", { timeout: 30_000 });
  await expect(page.getByLabel("Authentication code")).toHaveCount(0);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // The token never stays in the address bar.
  expect(page.url()).not.toContain("token=");
  await page.screenshot({ path: `${SCREENSHOTS}/handoff-arrived-acme.png`, fullPage: true });
  // Each host has its own host-only cookie; none is shared.
  const acmeCookie = (await context.cookies(tenantUrl("acme"))).find((c) => c.name.includes("session-token"));
  expect(acmeCookie?.domain).toBe("acme.localhost");
  const consoleCookie = (await context.cookies(CONSOLE)).find((c) => c.name.includes("session-token"));
  expect(consoleCookie?.domain).toBe("localhost");
  expect(acmeCookie?.value).not.toBe(consoleCookie?.value);

  // Signing out here signs the console out too.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin/);
  await page.goto(`${CONSOLE}/tenants`);
  await expect(page).toHaveURL(/\/signin/);
});

test("over another account's session a handoff asks before switching; staying keeps that session", async ({ page }) => {
  // Acme's admin is signed in on acme's host; in the same browser the MSSP admin opens acme from the console.
  await signIn(page, tenantUrl("acme"), "acme.admin@demo.test");
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  const openAcme = async () => {
    await page.goto(`${CONSOLE}/`);
    await page.getByTestId("open-portal-acme").click();
    await expect(page.getByRole("heading", { name: "Switch accounts?" })).toBeVisible({ timeout: 30_000 });
  };
  await openAcme();
  await expect(page.getByTestId("handoff-switch")).toContainText("acme.admin@demo.test");
  await expect(page.getByTestId("handoff-switch")).toContainText("mssp.admin@demo.test");
  expect(page.url()).not.toContain("token=");
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/handoff-switch.png`, fullPage: true });
  await page.getByRole("link", { name: /Stay signed in as acme\.admin@demo\.test/ }).click();
  await page.waitForURL((u) => u.host === new URL(tenantUrl("acme")).host && u.pathname === "/alerts");
  await expect(page.getByTestId("signed-in-user").first()).not.toContainText(/mssp/i);
  // Asked again, the person switches: the MSSP admin arrives signed in.
  await openAcme();
  await page.getByRole("button", { name: "Switch to the link's account" }).click();
  await page.waitForURL((u) => u.host === new URL(tenantUrl("acme")).host && u.pathname === "/alerts", { timeout: 30_000 });
  await expect(page.locator("text=mssp.admin@demo.test").first()).toBeAttached();
});

test("a used or forged handoff link explains itself and offers sign-in", async ({ page }) => {
  await page.goto(`${tenantUrl("acme")}/handoff#token=${"A".repeat(43)}&next=%2Falerts`);
  // (Next's route announcer is an alert too: match ours by its text.)
  await expect(page.getByRole("alert").filter({ hasText: "not valid" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  expect(page.url()).not.toContain("token=");
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/handoff-refused.png`, fullPage: true });
});

test("two tabs signed in to two tenants' hosts work side by side", async ({ context }) => {
  const acme = await context.newPage();
  const globex = await context.newPage();
  await signIn(acme, tenantUrl("acme"), "acme.admin@demo.test");
  await signIn(globex, tenantUrl("globex"), "globex.admin@demo.test");
  for (let i = 0; i < 2; i++) {
    await acme.goto(`${tenantUrl("acme")}/alerts`);
    await expect(acme).not.toHaveURL(/\/signin/);
    await globex.goto(`${tenantUrl("globex")}/alerts`);
    await expect(globex).not.toHaveURL(/\/signin/);
  }
  await expect(acme.locator("body")).not.toContainText("Globex");
  await expect(globex.locator("body")).not.toContainText("Acme");
});
