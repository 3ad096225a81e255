// The lifecycle pages on a phone (390 px) and under axe-core: the Customers
// list, a customer and a site page, restore and import, and the sign-in page
// an invited admin lands on. Each must have no serious or critical WCAG
// violation and must not scroll sideways; screenshots go to
// test-results/screenshots/phone-*.png to be looked at.
import { test } from "@playwright/test";
import { expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";

test.use({ viewport: PHONE });

const PAGES = [
  { name: "customers", path: "/customers" },
  { name: "customer", path: "/customers/acme" },
  { name: "site", path: "/customers/acme-eu-west" },
  { name: "restore", path: "/customers/restore" },
  { name: "import", path: "/customers/import" },
];

test("sign-in pages on a phone", async ({ page }) => {
  for (const origin of [CONSOLE, tenantUrl("acme")]) {
    await page.goto(`${origin}/signin`);
    await expectNoSidewaysScroll(page);
    await expectNoSeriousA11yViolations(page);
  }
  await page.screenshot({ path: `${SCREENSHOTS}/phone-signin.png`, fullPage: true });
});

test("lifecycle pages on a phone", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  for (const { name, path } of PAGES) {
    await page.goto(`${CONSOLE}${path}`);
    await page.waitForLoadState("networkidle");
    await expectNoSidewaysScroll(page);
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: `${SCREENSHOTS}/phone-${name}.png`, fullPage: true });
  }
  // The New customer form, open.
  await page.goto(`${CONSOLE}/customers`);
  await page.getByRole("button", { name: "New customer or site" }).click();
  await expectNoSidewaysScroll(page);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/phone-new-customer.png`, fullPage: true });
});
