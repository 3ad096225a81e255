// Alert triage end to end (issue 10): Acme's analyst opens a new alert from
// the list, sees its SLA clocks, acknowledges it, comments, is told a reason
// is needed to close, resolves it with one, and sees each step on the
// timeline; then acknowledges two more alerts at once from the list. Axe on
// each page, the detail page on a phone, screenshots of each state.
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations, expectNoSidewaysScroll, PHONE } from "./a11y";
import { gotoWithScriptsHeld, SCREENSHOTS, signIn, tenantUrl } from "./helpers";

const ACME = tenantUrl("acme");

test("the Acme analyst acknowledges, comments on and resolves an alert, then bulk-acknowledges from the list", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, ACME, "acme.analyst@demo.test");
  // Without a code step signIn returns at the click: let the sign-in land before navigating.
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));

  // The list: new alerts, most severe first, each with its SLA state.
  await page.goto(`${ACME}/alerts?status=new&sort=severity`);
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
  const rows = page.getByTestId("alerts-table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  await expect(rows.first().getByTestId("row-status")).toHaveText("New");
  await page.screenshot({ path: `${SCREENSHOTS}/triage-list.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);

  // Open the first one.
  const title = (await rows.first().getByRole("link").innerText()).trim();
  await rows.first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId("alert-status")).toHaveText("New");
  await expect(page.getByTestId("sla-acknowledge")).toBeVisible();
  await expect(page.getByTestId("sla-resolve")).toBeVisible();
  await expect(page.getByTestId("sla-acknowledge")).toContainText(/Acknowledge: (.+ left|breached by)/);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/triage-detail-new.png`, fullPage: true });

  // Acknowledge: the acknowledge clock stops.
  await page.getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.getByTestId("alert-status")).toHaveText("Acknowledged");
  await expect(page.getByTestId("sla-acknowledge")).toContainText(/Acknowledged in|breached by/);

  // Comment.
  const comment = page.getByRole("form", { name: "Add a comment" });
  await comment.getByLabel("Comment").fill("Isolated the laptop from the network; collecting the EDR triage package.");
  await comment.getByRole("button", { name: "Add comment" }).click();
  await expect(page.getByTestId("alert-timeline")).toContainText("Isolated the laptop from the network");

  // Closing without a reason is refused with a message; with one it closes.
  const close = page.getByRole("form", { name: "Close the alert" });
  await close.getByRole("button", { name: "Close alert" }).click();
  await expect(close.getByText(/Say why you are closing it/)).toBeVisible();
  await expect(page.getByTestId("alert-status")).toHaveText("Acknowledged");
  await close.getByLabel("Resolved").check();
  await close.getByLabel("Reason (required)").fill("Malware removed, credentials rotated, host reimaged.");
  await close.getByRole("button", { name: "Close alert" }).click();
  await expect(page.getByTestId("alert-status")).toHaveText("Resolved");
  await expect(page.getByTestId("sla-resolve")).toContainText(/Resolved in|breached by/);
  const timeline = page.getByTestId("alert-timeline");
  await expect(timeline).toContainText("from new to acknowledged");
  await expect(timeline).toContainText("from acknowledged to resolved");
  await expect(timeline).toContainText("Reason: Malware removed, credentials rotated, host reimaged.");
  // Closed: the only step offered is reopening.
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/triage-detail-resolved.png`, fullPage: true });

  // On a phone: readable, no sideways scrolling.
  await page.setViewportSize(PHONE);
  await page.reload();
  await expect(page.getByTestId("sla-badges")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `${SCREENSHOTS}/triage-detail-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Bulk: tick two new alerts, acknowledge both at once.
  await page.goto(`${ACME}/alerts?status=new&sort=severity`);
  const picks = page.getByTestId("alerts-table").locator("tbody input[data-alert-key]");
  await expect(picks.nth(1)).toBeVisible();
  const ids = [await picks.nth(0).getAttribute("data-alert-key"), await picks.nth(1).getAttribute("data-alert-key")];
  await picks.nth(0).check();
  await picks.nth(1).check();
  await expect(page.getByTestId("bulk-count")).toHaveText("2 selected.");
  await page.screenshot({ path: `${SCREENSHOTS}/triage-bulk-selected.png`, fullPage: true });
  await page.getByRole("button", { name: "Acknowledge selected" }).click();
  await expect(page.getByTestId("bulk-bar").getByText("2 acknowledged.")).toBeVisible();
  // They are no longer new.
  for (const key of ids) await expect(page.locator(`input[data-alert-key="${key}"]`)).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/triage-bulk-done.png`, fullPage: true });

  // A search that finds nothing says what to do.
  await page.goto(`${ACME}/alerts?q=zzqqxxnothing`);
  await expect(page.getByTestId("alerts-empty")).toContainText("No alerts match these filters.");
  await expect(page.getByTestId("alerts-empty")).toContainText("Try fewer words");
});

test("rows ticked with 'select all' before the list's scripts ran are the selection once they run", async ({ page }) => {
  await signIn(page, ACME, "acme.analyst@demo.test");
  await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
  // Hold the scripts back while the box is ticked: its change event fires with no listener.
  const release = await gotoWithScriptsHeld(page, `${ACME}/alerts?sort=severity`);
  const rows = page.getByTestId("alerts-table").locator("tbody input[data-alert-key]");
  await expect(rows.nth(2)).toBeAttached();
  const count = await rows.count();
  await page.locator("input[data-select-all]").check();
  release();
  await expect(page.getByTestId("bulk-count")).toHaveText(`${count} selected.`);
  await expect(rows.nth(count - 1)).toBeChecked();
  await page.unrouteAll({ behavior: "ignoreErrors" });
});
