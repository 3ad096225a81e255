// A refused form keeps what the person chose and typed (components/ui/use-kept-form.ts):
// React resets a form after every form action, and before this the bulk wizard
// came back with "Under", "Kind", "Status" and "Setting" at their defaults and
// only the typed value kept, so correcting the value and running the dry run
// again planned a different setting on other tenants. The same for the report
// forms; the cross-tenant CSV and the dashboard keep refused days beside their
// message. Saved, the alert's assignee select shows the new assignee.
import { expect, test } from "@playwright/test";
import { CONSOLE, gotoWithScriptsHeld, signIn, tenantUrl } from "./helpers";

test.use({ actionTimeout: 20_000 });

test("the bulk wizard keeps every choice after a refused dry run, and the next dry run plans what is on screen", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/bulk`);
  const w = page.getByTestId("bulk-wizard");
  const field = (name: string) => w.locator(`[name=${name}]`);
  await field("rootId").selectOption({ label: "Acme Corp" });
  await field("kinds").selectOption("sites");
  await field("status").selectOption("active");
  await field("key").selectOption("limits.data_retention_days");
  await field("value").fill("forever");
  await w.getByRole("button", { name: /Dry run/ }).click();
  await expect(w.getByText("Data retention: Enter a whole number.")).toBeVisible();
  await expect(field("rootId").locator("option:checked")).toHaveText("Acme Corp");
  await expect(field("kinds")).toHaveValue("sites");
  await expect(field("status")).toHaveValue("active");
  await expect(field("key")).toHaveValue("limits.data_retention_days");
  await expect(field("value")).toHaveValue("forever");
  // Corrected, the dry run is of that setting on Acme's sites.
  await field("value").fill("400");
  await w.getByRole("button", { name: /Dry run/ }).click();
  await page.waitForURL(/\/bulk\/[0-9a-f-]{36}$/);
  await expect(page.getByText(/Data retention|limits\.data_retention_days/).first()).toBeVisible();
  await expect(page.getByText("Acme EU West").first()).toBeVisible();
  await expect(page.getByText("Globex")).toHaveCount(0);
});

test("a refused new billing plan keeps what was typed, beside the field's message", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/billing`);
  const form = page.getByRole("form", { name: "Create a plan" });
  const field = (name: string) => form.locator(`[name=${name}]`);
  await field("name").fill("Kept plan");
  await field("currency").fill("E1");
  await field("baseFee").fill("1500");
  await form.getByRole("button", { name: "Create plan" }).click();
  await expect(form.getByRole("alert").or(form.locator("p.text-red-700")).first()).toBeVisible();
  await expect(field("name")).toHaveValue("Kept plan");
  await expect(field("currency")).toHaveValue("E1");
  await expect(field("baseFee")).toHaveValue("1500");
});

test("a refused report keeps its customer, kind, format and days; the cross-tenant CSV's refusal comes back to the page", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/reports`);
  const f = page.getByTestId("generate-report-form");
  await f.getByLabel("Customer or site").selectOption({ label: "Globex" });
  await f.getByLabel("Report").selectOption("operational");
  await f.getByLabel("Format").selectOption("csv");
  await f.getByLabel("From (UTC)").fill("2026-11-20");
  await f.getByLabel("To (UTC, inclusive)").fill("2026-11-01");
  await f.getByRole("button", { name: "Generate" }).click();
  await expect(f.getByText(/ends before it starts/).first()).toBeVisible();
  await expect(f.getByLabel("Customer or site").locator("option:checked")).toHaveText("Globex");
  await expect(f.getByLabel("Report")).toHaveValue("operational");
  await expect(f.getByLabel("Format")).toHaveValue("csv");
  await expect(f.getByLabel("From (UTC)")).toHaveValue("2026-11-20");
  // No customer chosen: a message a person can act on, not zod's "expected string".
  await page.reload();
  await f.getByRole("button", { name: "Generate" }).click();
  await expect(f.getByText("Choose a customer or site.").first()).toBeVisible();

  const x = page.getByTestId("cross-tenant-export");
  await x.getByLabel("From (UTC)").fill("2026-11-20");
  await x.getByLabel("To (UTC, inclusive)").fill("2026-11-01");
  await x.getByRole("button", { name: "Download CSV" }).click();
  await expect(page.getByTestId("cross-tenant-export-problem")).toContainText("Nothing was downloaded.");
  expect(new URL(page.url()).pathname).toBe("/reports");
  await expect(x.getByLabel("From (UTC)")).toHaveValue("2026-11-20");
  // A script still gets the 400 with the reason.
  const api = await page.request.get(`${CONSOLE}/reports/export?from=2026-11-20&to=2026-11-01`, { headers: { accept: "application/json" }, maxRedirects: 0 });
  expect(api.status()).toBe(400);
});

test("the dashboard shows refused days again, with the range on Custom", async ({ page }) => {
  await signIn(page, tenantUrl("acme"), "acme.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
  await page.goto(`${tenantUrl("acme")}/dashboard?range=custom&from=2026-11-20&to=2026-11-01`);
  await expect(page.getByText(/starts \(2026-11-20\) after it ends \(2026-11-01\)/)).toBeVisible();
  await expect(page.getByTestId("range-picker")).toHaveValue("custom");
  await expect(page.getByTestId("range-from")).toHaveValue("2026-11-20");
  await expect(page.getByTestId("range-to")).toHaveValue("2026-11-01");
});

test("typing days turns the dashboard's range to Custom; a preset on Compare empties old days and is what the page shows", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
  await page.goto(`${CONSOLE}/dashboard`);
  await expect(page.getByTestId("range-picker")).toHaveValue("30d");
  await page.getByTestId("range-from").fill("2026-11-01");
  await expect(page.getByTestId("range-picker")).toHaveValue("custom");
  await page.getByTestId("range-to").fill("2026-11-10");
  await page.getByTestId("dashboard-apply").click();
  await page.waitForURL(/range=custom/);
  await expect(page.getByText("2026-11-01 to 2026-11-10 (UTC days)")).toBeVisible();
  // A preset chosen after that shows its own days in the fields, and the page follows it.
  await page.getByTestId("range-picker").selectOption("7d");
  await expect(page.getByTestId("range-to")).not.toHaveValue("2026-11-10");
  await page.getByTestId("dashboard-apply").click();
  await page.waitForURL((url) => url.searchParams.get("range") === "7d");

  await page.goto(`${CONSOLE}/compare?c=acme&from=2026-11-01&to=2026-11-10`);
  const form = page.getByTestId("compare-form");
  await expect(form.locator("[name=days]")).toHaveValue("");
  await form.locator("[name=days]").selectOption("90");
  await expect(form.locator("[name=from]")).toHaveValue("");
  await form.getByRole("button", { name: "Compare" }).click();
  await page.waitForURL((url) => url.searchParams.get("days") === "90");
  await expect(page.getByTestId("compare-summary")).not.toContainText("2026-11-01 to 2026-11-10");
  await expect(page.getByTestId("compare-chart-unit").first()).toContainText("Bars in alerts per asset");
});

test("a day typed before the dashboard's scripts ran still turns its range to Custom", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
  // Hold the page's scripts back until the day is typed: the input event then fires with no listener.
  const release = await gotoWithScriptsHeld(page, `${CONSOLE}/dashboard`);
  await page.getByTestId("range-from").fill("2026-11-02");
  await expect(page.getByTestId("range-picker")).toHaveValue("30d");
  release();
  await expect(page.getByTestId("range-picker")).toHaveValue("custom");
  await expect(page.getByTestId("range-from")).toHaveValue("2026-11-02");
  await page.unrouteAll({ behavior: "ignoreErrors" });
});
