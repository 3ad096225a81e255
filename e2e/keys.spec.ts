// The console's Keys page end to end: an MSSP admin pages, searches and
// filters the tenant table (URL state, filter counts, pager, filtered-empty
// state, a bad link), rotates a tenant's data key and watches the job's
// progress bar reach done and the version go up (that row at once from
// /keys/live, then the filter counts in one background refresh, no reload), then rotates the MSSP's key-encryption key behind its
// confirmation; an MSSP analyst sees the same status read-only; a tenant
// admin cannot reach it.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { DESKTOP, PHONE } from "./a11y";
import { CONSOLE, SCREENSHOTS, signIn, signedInAs, tenantUrl } from "./helpers";

async function versionOf(locator: Locator): Promise<number> {
  const text = (await locator.innerText()).trim();
  expect(text).toMatch(/^v\d+$/);
  return Number(text.slice(1));
}

const rowSlugs = (page: Page) =>
  page
    .getByTestId("tenant-keys")
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")?.replace("keys-row-", "")));

async function chipCount(page: Page, filter: string): Promise<number> {
  const text = await page.getByTestId(`keys-filter-${filter}`).locator("span").innerText();
  return Number(text.replace(/,/g, ""));
}

test("an MSSP admin searches and filters the tenants, with counts and a pager", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await signedInAs(page, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/keys`);

  // Every tenant on one page (the demo has fewer than 50), counted in the pager and the chips.
  const all = await rowSlugs(page);
  const n = all.length;
  expect(n).toBeGreaterThanOrEqual(13);
  await expect(page.getByTestId("keys-total")).toHaveText(`1–${n} of ${n} tenants · page 1 of 1`);
  await expect(page.getByTestId("keys-filter-all")).toHaveAttribute("aria-current", "page");
  expect(await chipCount(page, "all")).toBe(n);
  expect(await chipCount(page, "rotation-pending")).toBe(0);
  await expect(page.getByRole("link", { name: "Next →" })).toHaveCount(0);

  // Search: the URL carries it; only Acme and its sites, counted.
  const search = page.getByRole("search", { name: "Search tenants" });
  await search.getByRole("searchbox").fill("acme");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(`${CONSOLE}/keys?q=acme`);
  expect(await rowSlugs(page)).toEqual(["acme", "acme-eu-west", "acme-us-east"]);
  await expect(page.getByTestId("keys-total")).toHaveText("1–3 of 3 tenants · page 1 of 1");
  expect(await chipCount(page, "all")).toBe(3);
  await expect(search.getByRole("searchbox")).toHaveValue("acme");
  await page.screenshot({ path: `${SCREENSHOTS}/keys-search.png`, fullPage: true });
  // A data key's "since" on one line on a desktop; on a phone the day and the time on a line each
  // (each kept whole), not broken over five lines.
  const since = page.getByTestId("keys-row-acme").getByTestId("dek-since");
  await expect(since).toContainText(/^since \d{2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} \S+$/);
  const lineHeight = await since.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
  expect((await since.boundingBox())!.height).toBeLessThan(lineHeight * 1.5);
  await page.setViewportSize(PHONE);
  expect((await since.boundingBox())!.height).toBeLessThan(lineHeight * 2.5);
  // The search and its buttons fit the phone's width (the table alone scrolls sideways, in its own box).
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: `${SCREENSHOTS}/phone-keys.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);

  // A filter chip keeps the search: Acme's tenants with credentials.
  const withCredentials = await chipCount(page, "with-credentials");
  await page.getByTestId("keys-filter-with-credentials").click();
  await expect(page).toHaveURL(`${CONSOLE}/keys?q=acme&filter=with-credentials`);
  await expect(page.getByTestId("keys-filter-with-credentials")).toHaveAttribute("aria-current", "page");
  const filtered = await rowSlugs(page);
  expect(filtered).toEqual(expect.arrayContaining(["acme", "acme-eu-west"]));
  expect(filtered).toHaveLength(withCredentials);
  await expect(page.getByTestId("keys-total")).toHaveText(`1–${withCredentials} of ${withCredentials} tenants · page 1 of 1`);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-filter.png`, fullPage: true });

  // A filter with nothing in it says so, and how to get back.
  await page.getByTestId("keys-filter-rotation-pending").click();
  const empty = page.getByTestId("keys-empty");
  await expect(empty).toContainText("No tenants match “acme” with a rotation pending.");
  await expect(page.getByTestId("tenant-keys")).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-filtered-empty.png`, fullPage: true });
  await empty.getByRole("link", { name: "Clear filters" }).click();
  await expect(page.getByTestId("keys-total")).toHaveText(`1–${n} of ${n} tenants · page 1 of 1`);

  // A bad link: a clear note, and the page still works.
  await page.goto(`${CONSOLE}/keys?filter=bogus&page=abc`);
  await expect(page.getByRole("status").filter({ hasText: 'Ignored the filter "bogus"' })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: 'Ignored the page "abc"' })).toBeVisible();
  await expect(page.getByTestId("keys-total")).toHaveText(`1–${n} of ${n} tenants · page 1 of 1`);
  await page.goto(`${CONSOLE}/keys?page=7`);
  await expect(page.getByRole("status").filter({ hasText: "There is no page 7; showing page 1, the last one." })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/keys-bad-link.png`, fullPage: true });
});

test("an MSSP admin rotates Acme's data key and the MSSP's KEK, with live progress", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await signedInAs(page, "mssp.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Keys" }).click();
  await expect(page).toHaveURL(`${CONSOLE}/keys`);
  await expect(page.getByRole("heading", { name: "Keys", exact: true })).toBeVisible();
  await expect(page.getByTestId("keys-read-only")).toHaveCount(0);

  // Tenants in tree order, each with its key and a rotate button.
  const rows = page.getByTestId("tenant-keys").locator("tbody tr");
  const slugs = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-testid")?.replace("keys-row-", "")));
  expect(slugs.slice(0, 4)).toEqual(["sentinel", "acme", "acme-eu-west", "acme-us-east"]);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-before.png`, fullPage: true });

  const neverRotated = await chipCount(page, "never-rotated");

  // 1. Rotate Acme's data key. Progress comes from the job route and, once
  // done, Acme's row from /keys/live at once; the page is not re-fetched while it runs.
  const pageRefreshes: string[] = [];
  const liveRequests: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname === "/keys/live") liveRequests.push(url.search);
    else if (url.pathname === "/keys" && request.headers()["rsc"] === "1") pageRefreshes.push(request.url());
  });
  const acme = page.getByTestId("keys-row-acme");
  const before = await versionOf(acme.getByTestId("dek-version"));
  const acmeNeverRotated = (await acme.innerText()).includes("Never");
  await acme.getByRole("button", { name: "Rotate key" }).click();
  const bar = acme.getByRole("progressbar", { name: "Data key rotation progress" });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute("aria-valuenow", "100");
  await expect(acme.getByTestId("job-progress-label")).toContainText(`Done — `);
  await expect(acme.getByTestId("job-progress-label")).toContainText(`re-sealed under v${before + 1}; v${before} retired`);
  await expect(acme.getByTestId("dek-version")).toHaveText(`v${before + 1}`);
  await expect(acme.getByText(`v${before} retiring`)).toHaveCount(0);
  await expect(acme.getByRole("button", { name: "Rotate again" })).toBeVisible();
  const latest = page.getByTestId("recent-job").first();
  await expect(latest).toContainText("Acme Corp");
  await expect(latest).toContainText("Data key rotation");
  await expect(latest.locator("[data-status]")).toHaveAttribute("data-status", "succeeded");
  await expect(acme).not.toContainText("Never");
  expect(liveRequests.some((search) => search.includes("tenants=") && !search.endsWith("tenants="))).toBe(true);
  // Then the rest of the page catches up without a reload: the filter counts
  // (one fewer never-rotated tenant), in one background refresh after the job finished.
  await expect.poll(() => chipCount(page, "never-rotated")).toBe(neverRotated - (acmeNeverRotated ? 1 : 0));
  await expect(acme.getByTestId("dek-version")).toHaveText(`v${before + 1}`);
  expect(pageRefreshes.length).toBeLessThanOrEqual(1);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-dek-rotated.png`, fullPage: true });

  // After a reload the page still shows the new version and the last rotation, and one fewer never-rotated tenant.
  await page.reload();
  await expect(page.getByTestId("keys-row-acme").getByTestId("dek-version")).toHaveText(`v${before + 1}`);
  await expect(page.getByTestId("keys-row-acme")).not.toContainText("Never");
  expect(await chipCount(page, "never-rotated")).toBe(neverRotated - (acmeNeverRotated ? 1 : 0));

  // 2. Rotate the MSSP's KEK, behind a confirmation: only its card and the recent jobs refresh.
  pageRefreshes.length = 0;
  const kek = page.getByTestId("kek-card");
  const kekBefore = await versionOf(kek.getByTestId("kek-version"));
  const wraps = await kek.getByTestId("kek-wraps").innerText();
  await kek.getByRole("button", { name: "Rotate KEK" }).click();
  const confirm = kek.getByRole("form", { name: "Confirm KEK rotation" });
  await expect(confirm).toContainText(`A new KEK v${kekBefore + 1}`);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-kek-confirm.png`, fullPage: true });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toHaveCount(0);
  await kek.getByRole("button", { name: "Rotate KEK" }).click();
  await kek.getByRole("button", { name: "Rotate KEK now" }).click();
  const kekBar = kek.getByRole("progressbar", { name: "KEK rotation progress" });
  await expect(kekBar).toHaveAttribute("aria-valuenow", "100");
  await expect(kek.getByTestId("job-progress-label")).toContainText(`re-wrapped under KEK v${kekBefore + 1}`);
  await expect(kek.getByTestId("kek-version")).toHaveText(`v${kekBefore + 1}`);
  await expect(kek.getByTestId("kek-wraps")).toHaveText(wraps);
  expect(pageRefreshes).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-kek-rotated.png`, fullPage: true });

  // Both jobs are in the audit trail, queued by the admin and finished by the worker.
  await page.goto(`${CONSOLE}/audit?action=keys`);
  for (const action of ["keys.dek-rotation-queued", "keys.dek-rotated", "keys.kek-rotation-queued", "keys.kek-rotated"]) {
    await expect(page.getByTestId("audit-table").getByText(action, { exact: true }).first()).toBeVisible();
  }
  // Each names its target, not its UUID: the tenant, and the version a rotation produced.
  const auditRow = (action: string) => page.getByTestId("audit-table").locator("tr", { has: page.getByText(action, { exact: true }) }).first();
  await expect(auditRow("keys.dek-rotated").getByTestId("audit-target-name")).toHaveText(`Acme Corp · key v${before + 1}`);
  await expect(auditRow("keys.dek-rotation-queued").getByTestId("audit-target-name")).toHaveText("Acme Corp");
  await expect(auditRow("keys.kek-rotated").getByTestId("audit-target-name")).toHaveText(`Sentinel MSSP · KEK v${kekBefore + 1}`);
  const names = await page.getByTestId("audit-target-name").allInnerTexts();
  expect(names.filter((n) => /[0-9a-f]{8}-[0-9a-f]{4}-/i.test(n))).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-audit-targets.png`, fullPage: true });
});

test("an MSSP analyst sees key status read-only", async ({ page }) => {
  await signIn(page, CONSOLE, "mssp.analyst@demo.test");
  await signedInAs(page, "mssp.analyst@demo.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Keys" })).toHaveCount(0);
  await page.goto(`${CONSOLE}/keys`);
  await expect(page.getByTestId("keys-read-only")).toBeVisible();
  await expect(page.getByTestId("keys-row-acme").getByTestId("dek-version")).toBeVisible();
  await expect(page.getByRole("button", { name: /Rotate/ })).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-analyst.png`, fullPage: true });
});

test("a tenant admin cannot reach the Keys page", async ({ page }) => {
  // On the console host: a 403, and no Keys link.
  await signIn(page, CONSOLE, "acme.admin@demo.test");
  await signedInAs(page, "acme.admin@demo.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Keys" })).toHaveCount(0);
  const response = await page.goto(`${CONSOLE}/keys`);
  expect(response?.status()).toBe(403);
  await expect(page.getByTestId("keys-forbidden")).toBeVisible();
  await expect(page.getByTestId("tenant-keys")).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/keys-tenant-admin-403.png`, fullPage: true });

  // On the tenant's own host there is no such page.
  await signIn(page, tenantUrl("acme"), "acme.admin@demo.test");
  await signedInAs(page, "acme.admin@demo.test");
  const onTenantHost = await page.goto(`${tenantUrl("acme")}/keys`);
  expect(onTenantHost?.status()).toBe(404);
  // The job route answers only for real jobs the caller can see.
  const job = await page.request.get(`${CONSOLE}/keys/jobs/00000000-0000-4000-8000-000000000000/00000000-0000-4000-8000-000000000000`);
  expect([401, 404]).toContain(job.status());
});
