// Connector credentials end to end: a tenant admin adds a CrowdStrike
// credential (a refused attempt first: the secret box comes back empty and no
// message quotes it), sees it masked, tests it against the e2e server's
// vendor stub (scripts/lib/connector-stub.ts), replaces the secret with one
// the stub refuses, tests again, deletes it; a viewer sees the list only.
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { SCREENSHOTS, signIn, tenantUrl } from "./helpers";

const ACME = tenantUrl("acme");

function alnum(n: number): string {
  const chars = "ABCDEFGHJKLMNPQRSTUVXYZabcdefhijkmnpqstuvxyz23456789"; // no "wrong" by accident
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join("");
}

test("an admin adds, tests, replaces and deletes a CrowdStrike credential; the secret is never shown again", async ({ page }) => {
  test.setTimeout(120_000);
  const secret = alnum(40);
  const wrongSecret = `Wrong${alnum(35)}`;
  const clientId = randomBytes(16).toString("hex");

  await signIn(page, ACME, "acme.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credentials" }).click();
  await expect(page.getByRole("heading", { name: "Credentials", exact: true })).toBeVisible();
  // The demo seed's credentials, masked; one of them expires within days.
  const table = page.getByTestId("credentials-table");
  await expect(table.getByTestId("credential-Falcon production")).toBeVisible();
  await expect(table.getByTestId("credential-Splunk Cloud forwarding")).toHaveAttribute("data-status", "expiring");
  await page.screenshot({ path: `${SCREENSHOTS}/credentials-admin.png`, fullPage: true });

  // 1. A refused attempt: bad client ID. The secret is not echoed and the box comes back empty.
  await page.getByRole("button", { name: "Add credential" }).click();
  const form = page.getByRole("form", { name: "Add a credential" });
  await form.getByRole("radio", { name: "CrowdStrike Falcon" }).click();
  await form.getByLabel("Name", { exact: true }).fill("Falcon e2e");
  await form.getByLabel("Cloud region").selectOption("eu-1");
  await form.getByLabel("Client ID").fill("not-a-client-id");
  await form.getByLabel("Client secret").fill(secret);
  await form.getByRole("button", { name: "Show" }).click();
  await expect(form.getByLabel("Client secret")).toHaveAttribute("type", "text");
  await form.getByRole("button", { name: "Save credential" }).click();
  await expect(form.getByText("The client ID is 32 hexadecimal characters")).toBeVisible();
  await expect(form.getByLabel("Client secret")).toHaveValue("");
  await expect(form.getByTestId("secret-retype")).toContainText("enter the secret again");
  await expect(form.getByLabel("Name", { exact: true })).toHaveValue("Falcon e2e");
  await expect(form.getByLabel("Cloud region")).toHaveValue("eu-1");
  expect(await page.content()).not.toContain(secret);
  await page.screenshot({ path: `${SCREENSHOTS}/credentials-add-refused.png`, fullPage: true });

  // 2. Saved: a one-time confirmation, and the row shows only the last four characters.
  await form.getByLabel("Client ID").fill(clientId);
  await form.getByLabel("Client secret").fill(secret);
  await form.getByRole("button", { name: "Hide" }).click();
  await form.getByRole("button", { name: "Save credential" }).click();
  await expect(page.getByTestId("credential-saved")).toContainText("Saved. The secret is now sealed and will not be shown again");
  const row = page.getByTestId("credential-Falcon e2e");
  await expect(row.getByTestId("masked-secret")).toHaveText(`••••${secret.slice(-4)}`);
  await expect(row).toContainText("EU-1");
  expect(await page.content()).not.toContain(secret);
  await page.screenshot({ path: `${SCREENSHOTS}/credentials-saved.png`, fullPage: true });
  // And after a reload, still masked.
  await page.reload();
  await expect(row.getByTestId("masked-secret")).toHaveText(`••••${secret.slice(-4)}`);
  expect(await page.content()).not.toContain(secret);

  // 3. Test connection: the stub accepts it.
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByTestId("test-result")).toHaveAttribute("data-ok", "true");
  await expect(row.getByTestId("test-result")).toContainText("CrowdStrike accepted the client secret (201)");

  // 4. Replace the secret with one the stub refuses (and echoes back).
  await row.getByRole("button", { name: "Replace secret" }).click();
  const replace = row.getByRole("form", { name: "Replace the secret of Falcon e2e" });
  await replace.getByLabel("New client secret").fill(wrongSecret);
  await page.screenshot({ path: `${SCREENSHOTS}/credentials-replace.png`, fullPage: true });
  await replace.getByRole("button", { name: "Save new secret" }).click();
  await expect(row.getByText(`now ends in ••••${wrongSecret.slice(-4)}`)).toBeVisible();
  await expect(row.getByTestId("masked-secret")).toHaveText(`••••${wrongSecret.slice(-4)}`);
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByTestId("test-result")).toHaveAttribute("data-ok", "false");
  await expect(row.getByTestId("test-result")).toContainText("CrowdStrike refused the client secret (401).");
  const html = await page.content();
  expect(html).not.toContain(wrongSecret);
  expect(html).not.toContain(secret);
  await page.screenshot({ path: `${SCREENSHOTS}/credentials-test-failed.png`, fullPage: true });

  // 5. Delete, after confirming.
  page.once("dialog", (d) => d.accept());
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("credential-Falcon e2e")).toHaveCount(0);

  // A site without credentials: the empty state says what to do.
  await page.goto(`${ACME}/credentials?tenant=acme-us-east`);
  await expect(page.getByTestId("credentials-empty")).toContainText("No credentials in Acme US East yet");
  await expect(page.getByTestId("credentials-empty").getByRole("button", { name: "Add credential" })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/credentials-empty.png`, fullPage: true });

  // The audit trail has the story, without the secrets.
  await page.goto(`${ACME}/audit?action=credential`);
  for (const action of ["credential.created", "credential.tested", "credential.test-result", "credential.secret-replaced", "credential.deleted", "credential.opened"]) {
    await expect(page.getByText(action, { exact: true }).first()).toBeVisible();
  }
  const audit = await page.content();
  expect(audit).not.toContain(secret);
  expect(audit).not.toContain(wrongSecret);
});

test("a viewer sees the credentials masked, with no controls and a note why", async ({ page }) => {
  await signIn(page, ACME, "acme.viewer@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Credentials" }).click();
  await expect(page.getByTestId("credentials-table")).toBeVisible();
  await expect(page.getByTestId("credentials-read-only")).toContainText("Only its admins can add, test, replace or delete them");
  await expect(page.getByTestId("credential-Falcon production").getByTestId("masked-secret")).toHaveText(/^••••.{4}$/);
  for (const name of ["Add credential", "Test", "Replace secret", "Delete"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await page.screenshot({ path: `${SCREENSHOTS}/credentials-viewer.png`, fullPage: true });

  // The site's credentials, through the tenant picker: the expired one is flagged.
  await page.getByLabel("Tenant").selectOption("acme-eu-west");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByTestId("credential-Defender for Endpoint (EU)")).toHaveAttribute("data-status", "expired");
  await page.screenshot({ path: `${SCREENSHOTS}/credentials-viewer-site.png`, fullPage: true });
});
