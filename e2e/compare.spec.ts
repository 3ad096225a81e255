// Comparison and benchmarking end to end (issue 13, point 3), on the demo data
// (alert rollups kept by the triggers since the seed; industries seeded):
//   - the MSSP admin opens Compare, ticks Acme, Globex and Initech, and reads
//     them side by side (a chart per metric, the table with percentiles);
//     a bad range and an unknown metric in the link get a clear note;
//   - Acme's admin opens Benchmark and sees Acme's own percentiles among the
//     MSSP's five other customers (a band, not a count), no other customer's
//     name; its industry group (manufacturing: Acme alone) shows only the reason.
// Screenshots at desktop and 390 px wide; axe: no serious or critical violation.
import { expect, test, type Page } from "@playwright/test";
import { DESKTOP, expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";

const ACME = tenantUrl("acme");
test.use({ actionTimeout: 20_000 });

async function lookAt(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300); // the charts re-measure their container
  await page.screenshot({ path: `${SCREENSHOTS}/${name}-390.png`, fullPage: true });
  await expectNoSidewaysScroll(page);
  await expectNoSeriousA11yViolations(page);
  await page.setViewportSize(DESKTOP);
}

test("the MSSP admin compares three customers side by side, with percentiles", async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Compare" }).click();
  await expect(page.getByRole("heading", { name: "Compare customers" })).toBeVisible();
  await expect(page.getByTestId("compare-empty")).toBeVisible();

  const add = page.getByRole("list", { name: "Customers to add" });
  for (const name of ["Acme Corp", "Globex", "Initech"]) await add.getByLabel(name, { exact: true }).check();
  await page.getByRole("button", { name: "Compare" }).click();

  const table = page.getByTestId("compare-table");
  await expect(table.locator("tbody tr")).toHaveCount(3);
  for (const slug of ["acme", "globex", "initech"]) await expect(page.getByTestId(`compare-row-${slug}`)).toBeVisible();
  await expect(table).toContainText(/Median of all \d+ customers/);
  await expect(table.locator("tbody")).toContainText("better than");
  await expect(page.getByTestId("compare-chart")).toHaveCount(6);
  await expect(page.getByTestId("compare-chart").first().locator(".recharts-bar-rectangle").first()).toBeVisible();
  expect(page.url()).toMatch(/c=acme/);
  await lookAt(page, "compare-three");

  // A peer group: the technology customers (Globex, Initech, Hooli).
  await page.getByLabel("Compare every customer in").selectOption("industry:technology");
  await page.getByRole("button", { name: "Compare" }).click();
  await expect(page.getByTestId("compare-summary")).toContainText("Industry: Technology: 3 customers");
  await expect(table.locator("tbody tr")).toHaveCount(3);

  // Bad link state: named, ignored, the page still answers.
  await page.goto(`${CONSOLE}/compare?c=acme&c=globex&m=bogus&from=2026-05-10&to=2026-05-01`);
  await expect(page.getByRole("status").filter({ hasText: "ends before it starts" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: 'metric "bogus"' })).toBeVisible();
  await expect(table.locator("tbody tr")).toHaveCount(2);
});

test("Acme's admin sees Acme's own percentiles among anonymous peers, and nothing for a group under 5", async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Benchmark" }).click();
  await expect(page.getByRole("heading", { name: "Benchmark" })).toBeVisible();
  await expect(page.getByTestId("benchmark-summary")).toContainText("All customers of your provider");
  await expect(page.getByTestId("benchmark-alerts_per_asset")).toContainText(/Better than \d+% of peers \(5–9 anonymous peers\)/);
  const main = await page.locator("main").innerText();
  for (const other of ["Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Sentinel"]) expect(main, `names ${other}`).not.toContain(other);
  const html = await page.content();
  for (const other of ["globex", "initech", "umbrella", "hooli", "vandelay"]) expect(html, `carries ${other}`).not.toContain(`"${other}"`);
  await lookAt(page, "benchmark-all");

  await page.getByLabel("Compared with").selectOption("industry");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByTestId("benchmark-too-few")).toContainText("Fewer than 5 anonymous peers in this group");
  await expect(page.locator("[data-testid^=benchmark-alerts]")).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/benchmark-too-few.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
});
