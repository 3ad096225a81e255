// Usage pages end to end (issue 12): 30 days of metered usage for Acme and
// Globex (events inserted as the owner, as the ingestion and snapshot jobs
// would, then rolled up with the rollup job's own SQL), Acme's admin reads
// its month against its limits with the charts, the MSSP admin reads every
// customer's usage on the console, sorts it and opens one. Screenshots of both.
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { ownerQuery as owner } from "./lib/owner-db";

const ACME = tenantUrl("acme");
test.use({ actionTimeout: 20_000 });

test.beforeAll(async () => {
  // Acme (and its sites) and Globex: 30 days, with a weekly rhythm; assets near Acme's limit.
  await owner(
    `insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source)
     select t.id, m.metric,
            case m.metric
              -- Never below zero (the table refuses it): a weekend on the wave's trough would be.
              when 'alerts_ingested' then greatest(40, (400 + 300 * sin(d / 2.0) + case when extract(dow from day) in (0, 6) then -250 else 0 end)::bigint + length(t.slug) * 20)
              when 'api_requests' then 1500 + (d * 37) % 700
              when 'assets_managed' then case t.slug when 'acme' then 8200 + d * 20 else 300 + d end
              when 'active_seats' then case t.slug when 'acme' then 12 else 4 end
              when 'storage_bytes' then 200000000 + d * 9000000
              else 0 end,
            day + interval '3 hours', 'e2e:' || m.metric || ':' || d, 'e2e'
       from public.tenants t
       cross join generate_series(0, 29) d
       cross join lateral (select date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - (29 - d) * interval '1 day' as day) x
       cross join (values ('alerts_ingested'), ('api_requests'), ('assets_managed'), ('active_seats'), ('storage_bytes')) m(metric)
      where t.slug in ('acme', 'acme-eu-west', 'globex')
     on conflict (tenant_id, idempotency_key) do nothing`,
  );
  // The rollup job's statements (lib/usage/rollup.ts rollupDay), for those tenants, last 30 days.
  await owner(`delete from public.usage_rollups where tenant_id in (select id from public.tenants where slug in ('acme', 'acme-eu-west', 'globex'))`);
  await owner(
    `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
     select e.tenant_id, g.grain, date_trunc(g.grain, e.occurred_at at time zone 'UTC') at time zone 'UTC', e.metric,
            case usage.metric_kind(e.metric) when 'counter' then sum(e.quantity) else max(e.quantity) end, count(*)
       from public.usage_events e cross join (values ('hour'), ('day')) g(grain)
      where e.tenant_id in (select id from public.tenants where slug in ('acme', 'acme-eu-west', 'globex'))
      group by e.tenant_id, g.grain, 3, e.metric`,
  );
});

test("Acme's admin sees this month's usage against its limits, with a chart per metric", async ({ page }) => {
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage" }).click();
  await expect(page.getByRole("heading", { name: /^Usage — Acme/ })).toBeVisible();
  const month = page.getByTestId("usage-month");
  await expect(month.locator("tr[data-metric=assets_managed]")).toContainText("limits.assets");
  await expect(month.locator("tr[data-metric=api_requests]")).toContainText("rate-limited at");
  await expect(page.getByTestId("usage-chart")).toHaveCount(6);
  await expect(page.getByTestId("usage-metric-alerts_ingested").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/usage-tenant.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
});

test("the MSSP admin sees every customer's usage, sorts it, and opens one", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/usage`);
  const table = page.getByTestId("customer-usage-table");
  await expect(table.locator("tr[data-customer=acme]")).toBeVisible();
  await expect(table.locator("tr[data-customer=globex]")).toBeVisible();
  // Closest to a limit first (the default): Acme's assets are near limits.assets.
  await expect(table.locator("tbody tr").first()).toHaveAttribute("data-customer", "acme");
  await page.screenshot({ path: `${SCREENSHOTS}/usage-console.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
  await table.getByRole("link", { name: /Customer/ }).click();
  await expect(page).toHaveURL(/sort=name/);
  await table.locator("tr[data-customer=globex]").getByRole("link").click();
  await expect(page.getByRole("heading", { name: /^Usage — Globex/ })).toBeVisible();
  await expect(page.getByRole("link", { name: "← All customers" })).toBeVisible();
});

test("Acme's viewer, whom the PDP denies billing:view, gets the notice and nothing about the figures", async ({ page }) => {
  await signIn(page, ACME, "acme.viewer@demo.test");
  // Signed in (no code step for a viewer: signIn returns at the click), else the checks below would run on the sign-in page.
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
  // The navigation does not offer the page to a viewer; a typed or shared link still arrives.
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage" })).toHaveCount(0);
  await page.goto(`${ACME}/usage`);
  await expect(page.getByTestId("usage-not-allowed")).toBeVisible();
  // The header names the tenant but does not describe figures the viewer cannot see (month, scope, how they add up).
  await expect(page.getByRole("main")).not.toContainText("(UTC)");
  await expect(page.getByTestId("usage-month")).toHaveCount(0);
});

test("a customer's admin with nothing metered yet reads what will appear, in their words, and where to start", async ({ page }) => {
  // Acme US East: no usage in this spec's data (cleared, in case another spec's ingestion left some).
  await owner("delete from public.usage_rollups where tenant_id = (select id from public.tenants where slug = 'acme-us-east')");
  const US = tenantUrl("acme-us-east");
  await signIn(page, US, "acme.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
  await page.goto(`${US}/usage`);
  const empty = page.getByTestId("usage-empty");
  await expect(empty).toContainText("No usage recorded for Acme US East yet.");
  await expect(empty).toContainText("Once your security data starts arriving you will see");
  await expect(empty).toContainText("the alerts your security tools send in");
  // The portal's internals are not the customer's words.
  await expect(empty).not.toContainText("/api/v1");
  await expect(empty).not.toContainText("gateway");
  await expect(empty.getByTestId("usage-empty-next")).toContainText("create an API key for your collector or your integrations");
  await expect(empty.getByRole("link", { name: "Create an API key" })).toHaveAttribute("href", "/api-keys");
  await page.screenshot({ path: `${SCREENSHOTS}/usage-empty.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SCREENSHOTS}/phone-usage-empty.png`, fullPage: true });
});
