// The console's Credentials page end to end: the MSSP admin opens it from the
// console's navigation and sees the demo credentials of every customer (the
// expired one first, stat cards and the chart per connector), filters to
// "expiring", searches, hits a filter with nothing in it, follows a bad link
// (a note, not an error), and follows "Manage" to the acme portal's own
// Credentials page. An MSSP analyst sees the same list with "View" links; a
// tenant admin gets a 403 and no link.
import { expect, test, type Page } from "@playwright/test";
import { DEMO_PASSWORD } from "@/lib/demo/users";
import { CONSOLE, SCREENSHOTS, demoTotpSecret, enterTotp, signIn, signedInAs, tenantUrl } from "./helpers";

const ADMIN = "mssp.admin@demo.test";

const rowNames = (page: Page) =>
  page
    .getByTestId("console-credentials-table")
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => tr.querySelector("td:nth-child(2)")?.textContent?.trim()));

async function signedIn(page: Page, origin: string, email: string) {
  await signIn(page, origin, email);
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"));
  await signedInAs(page, email);
}

test("an MSSP admin sees every customer's credentials, most urgent first, filters them and opens one on its portal", async ({ page }) => {
  test.setTimeout(120_000);
  await signedIn(page, CONSOLE, ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credentials" }).click();
  await expect(page).toHaveURL(`${CONSOLE}/credentials`);
  await expect(page.getByRole("heading", { name: "Credentials", exact: true })).toBeVisible();
  await expect(page.getByTestId("credentials-read-only")).toContainText("Read-only here");

  // The demo's four credentials (acme ×2, acme-eu-west, globex): the expired one first, then the soonest expiry.
  const names = await rowNames(page);
  expect(names.slice(0, 3)).toEqual(["Defender for Endpoint (EU)", "Splunk Cloud forwarding", "Falcon production"]);
  expect(names).toContain("SentinelOne console");
  const first = page.getByTestId("console-credentials-table").locator("tbody tr").first();
  await expect(first).toHaveAttribute("data-status", "expired");
  await expect(first).toContainText("Acme EU West");
  await expect(first).toContainText("site");
  await expect(first.getByText("Expired", { exact: true })).toBeVisible();
  await expect(first.getByTestId("masked-secret")).toHaveText(/^••••.{4}$/);
  const splunk = page.getByTestId("console-credential-acme-Splunk Cloud forwarding");
  await expect(splunk).toHaveAttribute("data-status", "expiring");
  await expect(splunk.getByText("Expires in 6 days")).toBeVisible();
  await expect(page.getByTestId("console-credential-globex-SentinelOne console").getByTestId("last-used")).toHaveText("Never");
  await expect(page.getByTestId("stat-expired")).toHaveText("1");
  await expect(page.getByTestId("stat-expiring")).toHaveText("1");
  expect(Number(await page.getByTestId("stat-total").innerText())).toBe(names.length);
  await expect(page.getByTestId("credentials-connector-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(page.getByTestId("credentials-total")).toHaveText(`1–${names.length} of ${names.length} credentials · page 1 of 1`);
  // Nothing to create, replace or delete here.
  await expect(page.getByRole("button", { name: /Add|Replace|Delete/ })).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-all.png`, fullPage: true });

  // Filter: expiring within 14 days.
  await page.getByTestId("credentials-status-expiring").click();
  await expect(page).toHaveURL(`${CONSOLE}/credentials?status=expiring`);
  await expect(page.getByTestId("credentials-status-expiring")).toHaveAttribute("aria-current", "page");
  expect(await rowNames(page)).toEqual(["Splunk Cloud forwarding"]);
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-expiring.png`, fullPage: true });

  // Search within the filter: globex has nothing expiring; the empty state says so and how to get back.
  const search = page.getByRole("search", { name: "Search credentials" });
  await search.getByRole("searchbox").fill("globex");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(`${CONSOLE}/credentials?status=expiring&q=globex&connector=`);
  const empty = page.getByTestId("credentials-empty");
  await expect(empty).toContainText("No expiring credentials match “globex”.");
  await expect(empty).toContainText("1 credential matches under All");
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-filtered-empty.png`, fullPage: true });
  // The All chip keeps the search.
  await page.getByTestId("credentials-status-all").click();
  await expect(page).toHaveURL(`${CONSOLE}/credentials?q=globex`);
  expect(await rowNames(page)).toEqual(["SentinelOne console"]);

  // Search by tenant: acme and its sites, the expired one first.
  await search.getByRole("searchbox").fill("ACME");
  await search.getByRole("button", { name: "Search" }).click();
  expect(await rowNames(page)).toEqual(["Defender for Endpoint (EU)", "Splunk Cloud forwarding", "Falcon production"]);
  await expect(page.getByTestId("credentials-status-all").locator("span")).toHaveText("3");
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-search.png`, fullPage: true });

  // A bad link: a clear note, and the page still works.
  await page.goto(`${CONSOLE}/credentials?status=bogus&connector=okta&page=7`);
  await expect(page.getByRole("status").filter({ hasText: 'Ignored the status "bogus"' })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: 'Ignored the connector "okta"' })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "There is no page 7; showing page 1, the last one." })).toBeVisible();
  expect((await rowNames(page)).length).toBe(names.length);
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-bad-link.png`, fullPage: true });

  // Manage: to the acme portal's own Credentials page. The session cookie is
  // host-only, so the first visit to acme's host signs in there, and sign-in
  // brings the person back to the page they asked for (the deep link).
  await page.goto(`${CONSOLE}/credentials?q=splunk`);
  const manage = page.getByTestId("console-credential-acme-Splunk Cloud forwarding").getByRole("link", { name: /^Manage/ });
  await expect(manage).toHaveAttribute("href", `${tenantUrl("acme")}/credentials`);
  await manage.click();
  await page.waitForURL((u) => u.host === new URL(tenantUrl("acme")).host && u.pathname.startsWith("/signin"));
  expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe("/credentials");
  await page.getByLabel("Email").fill(ADMIN);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await enterTotp(page, demoTotpSecret(ADMIN)!);
  await expect(page).toHaveURL(`${tenantUrl("acme")}/credentials`);
  await expect(page.getByRole("heading", { name: "Credentials", exact: true })).toBeVisible();
  await expect(page.getByTestId("credentials-table").getByTestId("credential-Splunk Cloud forwarding")).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-manage-acme.png`, fullPage: true });
});

test("an MSSP analyst sees the same credentials, with View links", async ({ page }) => {
  await signedIn(page, CONSOLE, "mssp.analyst@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credentials" }).click();
  await expect(page.getByTestId("console-credentials-table")).toBeVisible();
  const first = page.getByTestId("console-credentials-table").locator("tbody tr").first();
  await expect(first.getByRole("link", { name: /^View/ })).toHaveAttribute("href", `${tenantUrl("acme-eu-west")}/credentials`);
  await expect(page.getByRole("link", { name: /^Manage/ })).toHaveCount(0);
});

test("a tenant admin has no Credentials overview in the console", async ({ page }) => {
  await signedIn(page, CONSOLE, "acme.admin@demo.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credentials" })).toHaveCount(0);
  const response = await page.goto(`${CONSOLE}/credentials`);
  expect(response?.status()).toBe(403);
  await expect(page.getByTestId("credentials-forbidden")).toBeVisible();
  await expect(page.getByTestId("console-credentials-table")).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-tenant-admin-403.png`, fullPage: true });
});
