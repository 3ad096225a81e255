// Bulk operations end to end (issue 13, point 5): the MSSP admin changes a
// setting (the time zone) on Acme and its two sites with the wizard: the dry
// run shows the diff per tenant (Acme EU West already has its own value,
// Europe/Berlin), the run starts after typing the count with a canary of 1,
// pauses after the first tenant, continues to the end with the progress bar,
// and is undone: Acme and Acme US East inherit again (their overrides
// removed), Acme EU West has Europe/Berlin again. Screenshots at desktop and
// 390 px; axe finds nothing serious or critical.
import { expect, test, type Page } from "@playwright/test";
import { DESKTOP, expectNoSeriousA11yViolations, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn } from "./helpers";
import { ownerQuery as owner } from "./lib/owner-db";

test.use({ actionTimeout: 20_000 });
test.describe.configure({ mode: "serial" });

const SLUGS = ["acme", "acme-eu-west", "acme-us-east"];

const timeZones = async () =>
  Object.fromEntries(
    (
      await owner<{ slug: string; value: string | null }>(
        `select t.slug, s.value #>> '{}' as value from public.tenants t
           left join public.tenant_settings s on s.tenant_id = t.id and s.key = 'locale.time_zone'
          where t.slug = any($1) order by t.slug`,
        [SLUGS],
      )
    ).map((r) => [r.slug, r.value]),
  );

test.beforeAll(async () => {
  // A re-run starts from the same state: no own time zone on Acme and its US site, Europe/Berlin on its EU site.
  await owner("delete from public.tenant_settings where key = 'locale.time_zone' and tenant_id in (select id from public.tenants where slug = any($1))", [SLUGS]);
  await owner(
    "insert into public.tenant_settings (tenant_id, key, value) select id, 'locale.time_zone', '\"Europe/Berlin\"' from public.tenants where slug = 'acme-eu-west'",
  );
});

async function shoot(page: Page, name: string) {
  await page.setViewportSize(PHONE);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/${name}-390.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

test("the MSSP admin runs a bulk setting change with dry run, canary and progress, then undoes it", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/bulk`);
  await expect(page.getByRole("heading", { name: "Bulk operations", exact: true })).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  const wizard = page.getByRole("form", { name: "New bulk run" });
  // Each select's accessible name includes its chosen option's text, so they are found by name attribute.
  await wizard.locator('select[name="rootId"]').selectOption({ label: "Acme Corp" });
  await wizard.locator('select[name="kinds"]').selectOption("all");
  await wizard.locator('select[name="operation"]').selectOption("setting");
  await wizard.locator('select[name="key"]').selectOption("locale.time_zone");
  await wizard.locator('textarea[name="value"]').fill("Asia/Tokyo");
  await shoot(page, "bulk-wizard");
  await wizard.getByRole("button", { name: /Dry run/ }).click();

  // The dry run: one line per tenant, nothing changed yet.
  await page.waitForURL(/\/bulk\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("bulk-status")).toHaveText("Dry run: waiting for confirmation");
  const items = page.getByTestId("bulk-items");
  await expect(items.getByTestId("bulk-item")).toHaveCount(3);
  await expect(items.getByTestId("bulk-item").filter({ hasText: "Acme EU West" })).toContainText("(set here) →");
  await expect(items.getByTestId("bulk-item").filter({ hasText: "Acme US East" })).toContainText("→");
  expect(await timeZones()).toEqual({ acme: null, "acme-eu-west": "Europe/Berlin", "acme-us-east": null });
  await shoot(page, "bulk-dry-run");

  // A wrong count is refused; then 3 with a canary of 1.
  const confirm = page.getByRole("form", { name: "Confirm the bulk run" });
  await confirm.getByLabel("Tenants that will change").fill("2");
  await confirm.getByRole("button", { name: "Start the run" }).click();
  await expect(confirm.getByTestId("action-error")).toContainText("type the number of tenants that will change (3)");
  await confirm.getByLabel("Tenants that will change").fill("3");
  await confirm.getByLabel(/Canary/).fill("1");
  await confirm.getByRole("button", { name: "Start the run" }).click();

  // The canary: the first tenant, then a pause.
  await expect(page.getByTestId("bulk-status")).toHaveText("Paused", { timeout: 60_000 });
  await expect(page.getByTestId("bulk-note")).toContainText("Canary done: the first tenant ran");
  await expect(page.getByTestId("bulk-progress-text")).toHaveText("1 of 3 (33%)");
  await expect(page.getByRole("progressbar", { name: "Run progress" })).toBeVisible();
  await shoot(page, "bulk-canary");

  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByTestId("bulk-status")).toHaveText("Finished", { timeout: 60_000 });
  await expect(page.getByTestId("bulk-progress-text")).toHaveText("3 of 3 (100%)");
  await expect(page.getByTestId("bulk-counts")).toContainText("3 done");
  // The end's note would only repeat the counts line: not shown.
  await expect(page.getByTestId("bulk-note")).toHaveCount(0);
  await expect(page.getByText("the first tenant (passed)", { exact: true })).toBeVisible();
  // On a phone the Result column fits beside the tenant and the change (no sideways scroll to reach it).
  await page.setViewportSize(PHONE);
  const resultBox = await page.getByTestId("bulk-item").first().locator("td").nth(2).boundingBox();
  expect(resultBox!.x + resultBox!.width).toBeLessThanOrEqual(PHONE.width);
  await page.setViewportSize(DESKTOP);
  expect(await timeZones()).toEqual({ acme: "Asia/Tokyo", "acme-eu-west": "Asia/Tokyo", "acme-us-east": "Asia/Tokyo" });
  await shoot(page, "bulk-finished");

  // Undo: exactly the previous values, the overrides that did not exist removed.
  await page.getByRole("button", { name: "Undo this run" }).click();
  await expect(page.getByTestId("bulk-status")).toHaveText("Undone", { timeout: 60_000 });
  await expect(page.getByTestId("bulk-counts")).toContainText("3 undone");
  await expect(page.getByTestId("bulk-note")).toHaveCount(0);
  expect(await timeZones()).toEqual({ acme: null, "acme-eu-west": "Europe/Berlin", "acme-us-east": null });
  await shoot(page, "bulk-undone");

  // The list shows the run.
  await page.goto(`${CONSOLE}/bulk`);
  await expect(page.getByTestId("bulk-runs")).toContainText("Undone");
});
