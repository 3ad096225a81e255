// The lifecycle pages on a phone (390 px) and under axe-core: the Customers
// list, a customer and a site page, restore and import, and the sign-in page
// an invited admin lands on. Each must have no serious or critical WCAG
// violation and must not scroll sideways; screenshots go to
// test-results/screenshots/phone-*.png to be looked at.
import { expect, test } from "@playwright/test";
import { DESKTOP, expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
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

// The visual review found each row's "Manage" past the right edge of the Customers table on a phone,
// reachable only by scrolling the table sideways. Below md the row's facts and its action stack under
// the name; at desktop width the columns are as they were.
test("every customer row's action is on screen on a phone, in its own column on a desktop", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/customers`);
  const table = page.getByTestId("customers-table");
  const rows = table.locator("tbody tr");
  expect(await rows.count()).toBeGreaterThan(5);
  // The table fits its box: nothing to scroll to.
  const region = page.getByRole("region", { name: "Customers" });
  const fits = await region.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  expect(fits, "the Customers table scrolls sideways at 390px").toBe(true);
  for (const row of await rows.all()) {
    const action = row.getByRole("link", { name: /^(Manage|View) / });
    await expect(action).toHaveCount(1);
    const box = await action.boundingBox();
    expect(box, `${await row.getAttribute("data-testid")}: its action has no box`).not.toBeNull();
    expect(box!.x + box!.width, `${await row.getAttribute("data-testid")}: its action is past the screen's edge`).toBeLessThanOrEqual(PHONE.width);
    await expect(row.getByTestId("customer-row-details")).toBeVisible();
  }
  await page.screenshot({ path: `${SCREENSHOTS}/phone-customers-actions.png`, fullPage: true });

  await page.setViewportSize(DESKTOP);
  await page.reload();
  await expect(table.getByRole("columnheader", { name: "Isolation plan" })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "Workflow" })).toBeVisible();
  await expect(rows.first().getByTestId("customer-row-details")).toBeHidden();
  await expect(page.getByTestId("customer-row-acme").getByRole("link", { name: /^(Manage|View) Acme Corp$/ })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/desktop-customers-actions.png`, fullPage: true });
});
