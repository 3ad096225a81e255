// Health monitoring end to end (issue 12 point 3): Acme's collector stops
// heartbeating (a stale heartbeat inserted as the owner), the evaluation runs
// on the portal's own job worker (graphile-worker task health:evaluate, queued
// here rather than waiting for the minute's cron slot), and the MSSP admin's
// console shows Acme's tile degraded with the reason; the drill-down shows
// the change in the history; Acme's admin reads the same on its /status page;
// Acme's viewer is not shown it. Screenshots of the console board, the
// customer page and the tenant status page.
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { ownerQuery as owner } from "./lib/owner-db";

const ACME = tenantUrl("acme");
test.use({ actionTimeout: 20_000 });
test.describe.configure({ mode: "serial" });

// Only the collector signal decides Acme's state here: the demo data's expiring credential and whatever
// sign-in failures and denied attempts other specs left in the last hour are not what this test is about.
const QUIET = ["health.credential_expiring_days", "health.alert_silence_hours", "health.sign_in_failures_per_hour", "health.denied_per_hour", "health.job_failures_per_hour", "health.api_error_warn_percent", "health.quota_warn_percent"];

/** Queues one evaluation on the portal's worker and waits until it has stored Acme's state. */
async function evaluate(): Promise<string> {
  const [{ before }] = await owner<{ before: Date }>("select clock_timestamp() as before");
  await owner("select graphile_worker.add_job('health:evaluate', '{}'::json)");
  await expect
    .poll(async () => (await owner("select 1 from public.tenant_health h join public.tenants t on t.id = h.tenant_id where t.slug = 'acme' and h.evaluated_at >= $1", [before])).length, {
      timeout: 60_000,
      message: "the portal's worker ran health:evaluate",
    })
    .toBe(1);
  return (await owner<{ state: string }>("select h.state from public.tenant_health h join public.tenants t on t.id = h.tenant_id where t.slug = 'acme'"))[0].state;
}

test.beforeAll(async () => {
  await owner(
    `insert into public.tenant_settings (tenant_id, key, value)
     select t.id, k, '0'::jsonb from public.tenants t, unnest($1::text[]) k where t.slug = 'acme'
     on conflict (tenant_id, key) do update set value = excluded.value`,
    [QUIET],
  );
  await owner(
    `insert into public.collectors (tenant_id, name, version, hostname, last_heartbeat_at)
     select id, 'edr-east', '1.4.2', 'collector-1.acme.example', now() from public.tenants where slug = 'acme'
     on conflict (tenant_id, name) do update set last_heartbeat_at = now()`,
  );
  expect(await evaluate()).toBe("healthy");
  // The collector stops: its last heartbeat 25 minutes ago (degraded after 10, down after 60).
  await owner("update public.collectors set last_heartbeat_at = now() - interval '25 minutes' where name = 'edr-east' and tenant_id = (select id from public.tenants where slug = 'acme')");
  expect(await evaluate()).toBe("degraded");
});

test.afterAll(async () => {
  await owner("delete from public.tenant_settings where key = any ($1::text[]) and tenant_id = (select id from public.tenants where slug = 'acme')", [QUIET]);
  await owner("delete from public.collectors where name = 'edr-east' and tenant_id = (select id from public.tenants where slug = 'acme')");
});

test("a silent collector turns Acme's tile to degraded with the reason; the drill-down shows the change", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Health" }).click();
  await expect(page.getByRole("heading", { name: "Health", exact: true })).toBeVisible();
  const tile = page.getByTestId("health-tile-acme");
  await expect(tile).toHaveAttribute("data-state", "degraded");
  await expect(tile).toContainText("Degraded");
  await expect(tile).toContainText(/Collector 'edr-east' silent for 2\d min/);
  // Worst first: nothing healthy comes before Acme.
  const states = await page.getByTestId("health-tiles").locator("> li").evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
  expect(states.indexOf("healthy") === -1 || states.indexOf("healthy") > states.indexOf("degraded")).toBe(true);
  await expect(page.getByTestId("health-recent")).toContainText("Acme");
  await page.screenshot({ path: `${SCREENSHOTS}/health-console.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);

  // Filter: only degraded tenants.
  await page.getByTestId("health-filter-degraded").click();
  await expect(page).toHaveURL(/state=degraded/);
  await expect(page.getByTestId("health-tiles").locator("> li[data-state='healthy']")).toHaveCount(0);
  await expect(page.getByTestId("health-tile-acme")).toBeVisible();

  await page.getByTestId("health-tile-acme").getByRole("link").click();
  await expect(page).toHaveURL(/\/health\/acme$/);
  await expect(page.getByTestId("health-state")).toHaveAttribute("data-state", "degraded");
  await expect(page.getByTestId("health-reasons")).toContainText("Collector 'edr-east' silent for");
  await expect(page.getByTestId("health-signals")).toContainText("Collectors");
  await expect(page.getByTestId("health-history").locator("tbody tr").first()).toContainText(/Healthy\s*→\s*▲?\s*Degraded/);
  await expect(page.getByTestId("health-timeline")).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/health-customer.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
});

test("Acme's admin reads its own status; its viewer is not shown it", async ({ page, browser }) => {
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Status" }).click();
  await expect(page.getByRole("heading", { name: "Status", exact: true })).toBeVisible();
  await expect(page.getByTestId("health-state")).toHaveAttribute("data-state", "degraded");
  await expect(page.getByTestId("health-reasons")).toContainText(/Collector 'edr-east' silent for 2\d min/);
  await expect(page.getByText("Globex")).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/health-status.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);

  const viewer = await browser.newPage();
  await signIn(viewer, ACME, "acme.viewer@demo.test");
  // Signed in once the menu shows (the viewer has no second factor: signIn returns at the click).
  await expect(viewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" })).toBeVisible();
  await expect(viewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Status" })).toHaveCount(0);
  await viewer.goto(`${ACME}/status`);
  await expect(viewer.getByTestId("health-not-allowed")).toBeVisible();
  await expect(viewer.getByText("edr-east")).toHaveCount(0);
  await viewer.close();
});
