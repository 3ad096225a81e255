// The console's Keys page end to end: an MSSP admin rotates a tenant's data
// key and watches the job's progress bar reach done and the version go up,
// then rotates the MSSP's key-encryption key behind its confirmation; an MSSP
// analyst sees the same status read-only; a tenant admin cannot reach it.
import { expect, test, type Locator } from "@playwright/test";
import { CONSOLE, SCREENSHOTS, signIn, signedInAs, tenantUrl } from "./helpers";

async function versionOf(locator: Locator): Promise<number> {
  const text = (await locator.innerText()).trim();
  expect(text).toMatch(/^v\d+$/);
  return Number(text.slice(1));
}

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

  // 1. Rotate Acme's data key.
  const acme = page.getByTestId("keys-row-acme");
  const before = await versionOf(acme.getByTestId("dek-version"));
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
  await page.screenshot({ path: `${SCREENSHOTS}/keys-dek-rotated.png`, fullPage: true });

  // After a reload the page still shows the new version and the last rotation.
  await page.reload();
  await expect(page.getByTestId("keys-row-acme").getByTestId("dek-version")).toHaveText(`v${before + 1}`);
  await expect(page.getByTestId("keys-row-acme")).not.toContainText("Never");

  // 2. Rotate the MSSP's KEK, behind a confirmation.
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
  await page.screenshot({ path: `${SCREENSHOTS}/keys-kek-rotated.png`, fullPage: true });

  // Both jobs are in the audit trail, queued by the admin and finished by the worker.
  await page.goto(`${CONSOLE}/audit?action=keys`);
  for (const action of ["keys.dek-rotation-queued", "keys.dek-rotated", "keys.kek-rotation-queued", "keys.kek-rotated"]) {
    await expect(page.getByTestId("audit-table").getByText(action, { exact: true }).first()).toBeVisible();
  }
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
