// The console's Credentials page end to end: the MSSP admin opens it from the
// console's navigation and sees the demo credentials of every customer (the
// expired one first, stat cards and the chart per connector), filters to
// "expiring", searches, hits a filter with nothing in it, follows a bad link
// (a note, not an error), and follows "Manage" to acme's credentials in the
// console, where it adds and deletes one without signing in again; the MSSP's
// own credentials have a page there too. An MSSP analyst sees the same list
// with "View" links to a read-only page; a tenant admin gets a 403.
import { expect, test, type Page } from "@playwright/test";
import { CONSOLE, SCREENSHOTS, signIn, signedInAs } from "./helpers";

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

test("an MSSP admin sees every customer's credentials, most urgent first, filters them and manages one tenant's from the console", async ({ page }) => {
  test.setTimeout(120_000);
  await signedIn(page, CONSOLE, ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credentials" }).click();
  await expect(page).toHaveURL(`${CONSOLE}/credentials`);
  await expect(page.getByRole("heading", { name: "Credentials", exact: true })).toBeVisible();
  await expect(page.getByTestId("credentials-read-only")).toContainText("open them with Manage");

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
  await expect.poll(() => rowNames(page)).toEqual(["Splunk Cloud forwarding"]);
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
  await expect.poll(() => rowNames(page)).toEqual(["SentinelOne console"]);

  // Search by tenant: acme and its sites, the expired one first.
  await search.getByRole("searchbox").fill("ACME");
  await search.getByRole("button", { name: "Search" }).click();
  // Wait for the search's own URL: reading the rows before it lands raced the navigation in CI.
  await expect(page).toHaveURL(/\/credentials\?(.*&)?q=ACME(&|$)/);
  await expect.poll(() => rowNames(page)).toEqual(["Defender for Endpoint (EU)", "Splunk Cloud forwarding", "Falcon production"]);
  await expect(page.getByTestId("credentials-status-all").locator("span")).toHaveText("3");
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-search.png`, fullPage: true });

  // A bad link: a clear note, and the page still works.
  await page.goto(`${CONSOLE}/credentials?status=bogus&connector=okta&page=7`);
  await expect(page.getByRole("status").filter({ hasText: 'Ignored the status "bogus"' })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: 'Ignored the connector "okta"' })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "There is no page 7; showing page 1, the last one." })).toBeVisible();
  expect((await rowNames(page)).length).toBe(names.length);
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-bad-link.png`, fullPage: true });

  // Manage: acme's credentials in the console, the same session (no second
  // sign-in on acme's host). Add one, see it in the overview, delete it.
  await page.goto(`${CONSOLE}/credentials?q=splunk`);
  const manage = page.getByTestId("console-credential-acme-Splunk Cloud forwarding").getByRole("link", { name: /^Manage/ });
  await expect(manage).toHaveAttribute("href", "/credentials/manage?tenant=acme");
  await manage.click();
  await expect(page).toHaveURL(`${CONSOLE}/credentials/manage?tenant=acme`);
  await expect(page.getByRole("heading", { name: /^Credentials of Acme Corp/ })).toBeVisible();
  await expect(page.getByTestId("credentials-table").getByTestId("credential-Splunk Cloud forwarding")).toBeVisible();
  await page.getByRole("button", { name: "Add credential" }).click();
  const form = page.getByRole("form", { name: "Add a credential" });
  await form.getByRole("radio", { name: "Generic API key" }).click();
  await form.getByLabel("Name", { exact: true }).fill("Console-added key");
  await form.getByLabel("Base URL").fill("https://api.example.com/v1");
  await form.getByLabel("API key").fill("console-e2e-key-0123456789abcdef");
  await form.getByRole("button", { name: "Save credential" }).click();
  await expect(page.getByTestId("credential-saved")).toContainText("Saved.");
  await expect(page.getByTestId("credential-Console-added key").getByTestId("masked-secret")).toHaveText("••••cdef");
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-manage-acme.png`, fullPage: true });
  await page.getByTestId("credentials-back").click();
  await expect(page).toHaveURL(`${CONSOLE}/credentials`);
  await expect(page.getByTestId("console-credential-acme-Console-added key")).toBeVisible();
  expect(Number(await page.getByTestId("stat-total").innerText())).toBe(names.length + 1);
  await page.goto(`${CONSOLE}/credentials/manage?tenant=acme`);
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("credential-Console-added key").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("credential-Console-added key")).toHaveCount(0);
  await page.goto(`${CONSOLE}/audit?action=credential`);
  await expect(page.getByText("credential.created").first()).toBeVisible();
  await expect(page.getByText("credential.deleted").first()).toBeVisible();

  // The MSSP's own credentials (its portal is this console): an empty page that says what to do.
  await page.goto(`${CONSOLE}/credentials/manage?tenant=sentinel`);
  await expect(page.getByText("No credentials in Sentinel MSSP yet.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add credential" })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-manage-mssp.png`, fullPage: true });

  // A tenant that does not exist (or is another MSSP's): the same clear answer, and the way back.
  await page.goto(`${CONSOLE}/credentials/manage?tenant=no-such-tenant`);
  await expect(page.getByTestId("credentials-not-allowed")).toContainText("no tenant here whose credentials you can see");
  await expect(page.getByTestId("credentials-back")).toHaveAttribute("href", "/credentials");
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-manage-unknown.png`, fullPage: true });
  // No tenant at all: the overview, where one is picked.
  await page.goto(`${CONSOLE}/credentials/manage`);
  await expect(page).toHaveURL(`${CONSOLE}/credentials`);
});

test("an MSSP analyst sees the same credentials, with View links", async ({ page }) => {
  await signedIn(page, CONSOLE, "mssp.analyst@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credentials" }).click();
  await expect(page.getByTestId("console-credentials-table")).toBeVisible();
  const first = page.getByTestId("console-credentials-table").locator("tbody tr").first();
  const view = first.getByRole("link", { name: /^View/ });
  await expect(view).toHaveAttribute("href", "/credentials/manage?tenant=acme-eu-west");
  await expect(page.getByRole("link", { name: /^Manage/ })).toHaveCount(0);
  // View: the site's credentials, read-only.
  await view.click();
  await expect(page.getByRole("heading", { name: /^Credentials of Acme EU West/ })).toBeVisible();
  await expect(page.getByTestId("credential-Defender for Endpoint (EU)")).toHaveAttribute("data-status", "expired");
  for (const name of ["Add credential", "Test", "Replace secret", "Delete"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-analyst-view.png`, fullPage: true });
});

test("a tenant admin has no Credentials overview in the console", async ({ page }) => {
  await signedIn(page, CONSOLE, "acme.admin@demo.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credentials" })).toHaveCount(0);
  const response = await page.goto(`${CONSOLE}/credentials`);
  expect(response?.status()).toBe(403);
  await expect(page.getByTestId("credentials-forbidden")).toBeVisible();
  await expect(page.getByTestId("console-credentials-table")).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/console-credentials-tenant-admin-403.png`, fullPage: true });
  // Nor the console's manage page, even for their own tenant (that is on acme's portal).
  const manage = await page.goto(`${CONSOLE}/credentials/manage?tenant=acme`);
  expect(manage?.status()).toBe(403);
  await expect(page.getByTestId("credentials-table")).toHaveCount(0);
});
