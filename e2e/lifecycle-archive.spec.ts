// The archive commands on console pages, in a real browser, as the demo MSSP
// admin: export Initech from its page with a key generated in the browser (the
// download is an archive: its magic line), a bad key refused by the server
// with a 400; on the Restore page, a wrong key refused, then Inspect shows the
// manifest, Restore without replace is refused, with replace it restores
// Initech over itself; on the Import page, a dry run of a small legacy
// directory shows the rejected row with its file, line, field and reason.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { CONSOLE, SCREENSHOTS, signIn } from "./helpers";

const MAGIC_LINE = "MSSP-PORTAL-TENANT-ARCHIVE\n";

test("export Initech, inspect and restore it with replace, dry-run a legacy import", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");

  // 1. Export from the tenant page, with a key generated in the browser.
  await page.goto(`${CONSOLE}/customers/initech`);
  const card = page.getByTestId("export-archive");
  await expect(card).toBeVisible();
  await card.getByRole("button", { name: "Generate a key" }).click();
  const key = await card.getByTestId("transfer-key").inputValue();
  expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  await expect(card.getByTestId("keep-key")).toContainText("Keep this key");
  await card.getByRole("button", { name: "Export Initech" }).click();
  await expect(card.getByTestId("export-error")).toContainText("Store the key first");
  await card.getByLabel("I have stored this key somewhere safe").check();
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/archive-export-key.png`, fullPage: true });
  const downloading = page.waitForEvent("download");
  await card.getByRole("button", { name: "Export Initech" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^initech-\d{8}T\d{6}Z\.tenant-archive$/);
  const archive = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(archive);
  const bytes = await readFile(archive);
  expect(bytes.subarray(0, MAGIC_LINE.length).toString()).toBe(MAGIC_LINE);
  expect(bytes.length).toBeGreaterThan(10_000);
  expect(bytes.includes(Buffer.from("initech.example")), "the archive is sealed").toBe(false);
  await expect(card.getByTestId("export-done")).toContainText(download.suggestedFilename());
  await page.screenshot({ path: `${SCREENSHOTS}/archive-exported.png`, fullPage: true });

  // A bad key reaches the server only from a hand-made request: a clear 400, nothing exported.
  const bad = await page.evaluate(async () => {
    const r = await fetch("/customers/initech/export", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ transferKey: "c2hvcnQ=" }) });
    return { status: r.status, body: await r.json(), type: r.headers.get("content-type") };
  });
  expect(bad.status).toBe(400);
  expect(bad.body.error).toBe("The transfer key must be 32 bytes; this one is 5. Nothing was exported.");

  // 2. Restore page: a wrong key, then Inspect, then Restore (refused without replace, done with it).
  await page.goto(`${CONSOLE}/customers`);
  await page.screenshot({ path: `${SCREENSHOTS}/archive-customers-links.png` });
  await page.getByRole("link", { name: "Restore an archive" }).click();
  await expect(page.getByRole("heading", { name: "Restore an archive" })).toBeVisible();
  await page.getByLabel("Archive file").setInputFiles(archive);
  const wrongKey = key.startsWith("A") ? `B${key.slice(1)}` : `A${key.slice(1)}`;
  await page.getByTestId("transfer-key").fill(wrongKey);
  await page.getByRole("button", { name: "Inspect" }).click();
  await expect(page.getByTestId("inspect-error")).toHaveText("Wrong transfer key: this archive was sealed with another one. Nothing was changed.");
  await page.getByTestId("transfer-key").fill(key);
  await page.getByRole("button", { name: "Inspect" }).click();
  const manifest = page.getByTestId("manifest");
  await expect(manifest).toContainText("Archive of Initech");
  await expect(page.getByTestId("manifest-tenants")).toContainText("initech");
  await expect(page.getByTestId("manifest-format")).toHaveText("version 1");
  await expect(page.getByTestId("manifest-source")).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(page.getByTestId("manifest-tables")).toContainText("public.alerts");
  await page.screenshot({ path: `${SCREENSHOTS}/archive-inspected.png`, fullPage: true });

  await page.getByRole("button", { name: "Restore Initech" }).click();
  await expect(page.getByTestId("restore-error")).toContainText("initech already exists here");
  await page.screenshot({ path: `${SCREENSHOTS}/archive-restore-refused.png`, fullPage: true });
  await page.getByLabel("Replace an existing tenant").check();
  await page.getByRole("button", { name: "Restore and replace Initech" }).click();
  const result = page.getByTestId("restore-result");
  await expect(result).toContainText("Restored initech under Sentinel MSSP (from this deployment)", { timeout: 60_000 });
  await expect(result).toContainText("replaced: initech");
  await expect(result).toContainText(/Verified: \d+ tables equal to the archive/);
  await result.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/archive-restored.png`, fullPage: true });
  await result.getByRole("link", { name: "Open Initech" }).click();
  await expect(page.getByTestId("tenant-status")).toHaveText("Active");

  // 3. Import: a dry run of a small legacy directory shows the rejected row.
  const legacy = testInfo.outputPath("legacy");
  await mkdir(legacy, { recursive: true });
  await writeFile(path.join(legacy, "legacy-users.csv"), "email,name,role\nmilton@initech.example,Milton Waddams,viewer\nnot-an-email,Bob Slydell,analyst\n");
  await writeFile(path.join(legacy, "hosts.json"), JSON.stringify([{ hostname: "tps-report-01", os: "windows", criticality: "low" }]));
  await page.goto(`${CONSOLE}/customers`);
  await page.getByRole("link", { name: "Import a legacy install" }).click();
  await expect(page.getByRole("heading", { name: "Import a legacy install" })).toBeVisible();
  await page.getByLabel("Into").selectOption("initech");
  await page.getByLabel("Users file").setInputFiles(path.join(legacy, "legacy-users.csv"));
  await page.getByLabel("Assets file").setInputFiles(path.join(legacy, "hosts.json"));
  await page.getByRole("button", { name: "Dry run" }).click();
  const report = page.getByTestId("import-report");
  await expect(report).toContainText("Dry run: nothing was written. Would create in Initech:");
  await expect(page.getByTestId("import-rejected-count")).toContainText("1 row rejected");
  const row = page.getByTestId("import-rejected").locator("tbody tr");
  await expect(row).toHaveCount(1);
  await expect(row.locator("td")).toHaveText(["legacy-users.csv", "3", "email", /not an email address/]);
  await page.screenshot({ path: `${SCREENSHOTS}/archive-import-dry-run.png`, fullPage: true });
});
