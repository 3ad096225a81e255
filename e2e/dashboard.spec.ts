// Dashboards end to end (issue 13 point 2), on the demo data: the MSSP admin
// opens the console's Dashboard, filters it to Acme's subtree and 30 days
// with the pickers (the URL carries the state), reads figures that equal the
// database's, drills from the riskiest list into a customer and then a site,
// and a bad range in the URL gives a note, not an error. Acme's admin sees
// Acme's own dashboard (its sites ranked, no other customer). Screenshots at
// desktop width and 390 px; axe finds no serious or critical violation.
import { expect, test, type Page } from "@playwright/test";
import { DESKTOP, expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signedInAs, signIn, tenantUrl } from "./helpers";
import { ownerQuery as owner } from "./lib/owner-db";

const ACME = tenantUrl("acme");
test.use({ actionTimeout: 20_000 });
test.describe.configure({ mode: "serial" });
// Long walks through several pages, each checked by axe at two widths.
test.setTimeout(240_000);

/** New alerts in the last `days` UTC days (today included) in a tenant's subtree, straight from public.alerts. */
async function createdIn(slug: string, days: number): Promise<number> {
  const [r] = await owner<{ n: number }>(
    `select count(*)::int as n from public.alerts a join public.tenants t on t.id = a.tenant_id
      where t.path operator(extensions.<@) (select path from public.tenants where slug = $1)
        and (a.detected_at at time zone 'UTC')::date between (now() at time zone 'UTC')::date - ($2::int - 1) and (now() at time zone 'UTC')::date`,
    [slug, days],
  );
  return r.n;
}

async function openIn(slug: string): Promise<number> {
  const [r] = await owner<{ n: number }>(
    `select count(*)::int as n from public.alerts a join public.tenants t on t.id = a.tenant_id
      where t.path operator(extensions.<@) (select path from public.tenants where slug = $1) and a.status in ('new', 'acknowledged', 'in_progress')`,
    [slug],
  );
  return r.n;
}

const num = async (page: Page, testId: string) => Number((await page.getByTestId(testId).innerText()).replace(/,/g, ""));

test("the MSSP admin filters to Acme's subtree and 30 days, then drills into a site", async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard", exact: true })).toBeVisible();
  await expect(page.getByTestId("kpi-created")).toBeVisible();
  // Every customer: the riskiest list ranks customers, and the chart has its table.
  await expect(page.getByTestId("risky-acme")).toBeVisible();
  await expect(page.getByTestId("severity-trend-chart")).toBeVisible();
  await expect(page.getByTestId("table-severity")).toBeVisible();
  expect(await num(page, "kpi-open")).toBe(await openIn("sentinel"));
  await page.screenshot({ path: `${SCREENSHOTS}/dashboard-console.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);

  // Start from 7 days, then pick Acme and 30 days with the pickers.
  await page.getByTestId("range-picker").selectOption("7d");
  await page.getByTestId("dashboard-apply").click();
  await expect(page).toHaveURL(/range=7d/);
  expect(await num(page, "kpi-created")).toBe(await createdIn("sentinel", 7));
  await page.getByTestId("scope-picker").selectOption("acme");
  await page.getByTestId("range-picker").selectOption("30d");
  await page.getByTestId("dashboard-apply").click();
  await expect(page).toHaveURL(/scope=acme/);
  await expect(page).toHaveURL(/range=30d/);
  await expect(page.getByTestId("scope-trail")).toContainText("Acme Corp");
  expect(await num(page, "kpi-created")).toBe(await createdIn("acme", 30));
  expect(await num(page, "kpi-open")).toBe(await openIn("acme"));
  // Narrowed to Acme: its sites are ranked, other customers are not there.
  await expect(page.getByTestId("risky-acme-eu-west")).toBeVisible();
  await expect(page.getByTestId("panel-risky")).not.toContainText("Globex");

  // Drill into a site: the scope narrows again, the trail leads back up.
  await page.getByTestId("risky-acme-eu-west").getByRole("link").click();
  await expect(page).toHaveURL(/scope=acme-eu-west/);
  await expect(page.getByTestId("scope-trail")).toContainText("Acme EU West");
  expect(await num(page, "kpi-open")).toBe(await openIn("acme-eu-west"));
  await expect(page.getByTestId("risky-empty")).toBeVisible();
  await page.getByTestId("scope-trail").getByRole("link", { name: "Acme Corp" }).click();
  await expect(page).toHaveURL(/scope=acme(&|$)/);
  await page.screenshot({ path: `${SCREENSHOTS}/dashboard-console-acme.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);

  // From every customer, clicking a customer in the risky list narrows to it.
  await page.getByTestId("scope-trail").getByRole("link", { name: "All customers" }).click();
  await page.getByTestId("risky-globex").getByRole("link").click();
  await expect(page).toHaveURL(/scope=globex/);
  expect(await num(page, "kpi-open")).toBe(await openIn("globex"));

  // Bad input: an inverted range and an unknown metric give notes and the defaults.
  await page.goto(`${CONSOLE}/dashboard?range=custom&from=2026-02-01&to=2025-01-01&metric=revenue`);
  await expect(page.getByRole("status").filter({ hasText: "starts (2026-02-01) after it ends (2025-01-01)" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: 'Ignored the metric "revenue"' })).toBeVisible();
  expect(await num(page, "kpi-created")).toBe(await createdIn("sentinel", 30));
  await page.goto(`${CONSOLE}/dashboard?range=custom&from=2024-01-01&to=2026-01-01`);
  await expect(page.getByRole("status").filter({ hasText: "the longest is 400" })).toBeVisible();

  // A phone: no sideways scrolling, no serious violation.
  await page.setViewportSize(PHONE);
  await page.goto(`${CONSOLE}/dashboard?scope=acme&range=30d`);
  await expect(page.getByTestId("kpi-created")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `${SCREENSHOTS}/dashboard-console-phone.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
  // "Open vs closed" on a phone: 30 days were sixty bars ~2px wide under an unnamed right axis. The days
  // are grouped into weeks there, the bars are wide enough to read, and each axis says what it counts.
  const openClosed = page.getByTestId("panel-open-closed");
  await expect(openClosed.getByTestId("open-closed-chart-box")).toHaveAttribute("data-days-per-bar", "7");
  await expect(openClosed.getByTestId("open-closed-left-axis")).toHaveText(/Left axis: new and closed alerts per week/);
  await expect(openClosed.getByTestId("open-closed-right-axis")).toHaveText(/Right axis: alerts still open at the end of each week/);
  await expect(openClosed.getByTestId("open-closed-grouped")).toBeVisible();
  const barWidths = () => openClosed.locator(".recharts-bar-rectangle path").evaluateAll((ps) => ps.map((p) => p.getBoundingClientRect().width));
  await expect.poll(async () => Math.min(...(await barWidths())), { message: "the narrowest bar at 390px" }).toBeGreaterThanOrEqual(6);
  await openClosed.screenshot({ path: `${SCREENSHOTS}/dashboard-open-closed-390.png` });
  // At desktop width: one pair of bars a day, as before, and the same axis names.
  await page.setViewportSize(DESKTOP);
  await expect(openClosed.getByTestId("open-closed-chart-box")).toHaveAttribute("data-days-per-bar", "1");
  await expect(openClosed.getByTestId("open-closed-left-axis")).toHaveText(/Left axis: new and closed alerts per day/);
  await expect(openClosed.getByTestId("open-closed-right-axis")).toHaveText(/Right axis: alerts still open at the end of each day/);
  await expect(openClosed.getByTestId("open-closed-grouped")).toHaveCount(0);
  await openClosed.screenshot({ path: `${SCREENSHOTS}/dashboard-open-closed-desktop.png` });
});

test("Acme's admin sees Acme's own dashboard: its sites ranked, no other customer", async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signIn(page, ACME, "acme.admin@demo.test");
  // Without a second factor signIn returns on the click: wait for the session before navigating.
  await signedInAs(page, "acme.admin@demo.test");
  await page.goto(`${ACME}/dashboard`);
  await expect(page.getByRole("heading", { name: "Dashboard", exact: true })).toBeVisible();
  expect(await num(page, "kpi-open")).toBe(await openIn("acme"));
  expect(await num(page, "kpi-created")).toBe(await createdIn("acme", 30));
  await expect(page.getByTestId("risky-acme-us-east")).toBeVisible();
  const options = await page.getByTestId("scope-picker").locator("option").allInnerTexts();
  expect(options.join("|")).not.toMatch(/Globex|Initech|Umbrella|Hooli|Vandelay/);
  await expect(page.locator("main")).not.toContainText("Globex");
  await page.screenshot({ path: `${SCREENSHOTS}/dashboard-tenant.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
  // Another customer's scope in the URL: a note, Acme's figures.
  await page.goto(`${ACME}/dashboard?scope=globex`);
  await expect(page.getByRole("status").filter({ hasText: 'No tenant "globex" in your scope' })).toBeVisible();
  expect(await num(page, "kpi-open")).toBe(await openIn("acme"));

  await page.setViewportSize(PHONE);
  await page.goto(`${ACME}/dashboard?range=90d`);
  await expect(page.getByTestId("kpi-created")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `${SCREENSHOTS}/dashboard-tenant-phone.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
});
