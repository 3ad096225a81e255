// API keys end to end: Acme's admin creates a key on the tenant's API keys
// page (scope boxes, expiry; the key shown once with a copy button), a script
// calls GET /api/v1/me with it over HTTP (on the console host, and on Acme's
// own host), the list shows its last use and how many live keys the tenant may
// hold, the admin revokes it (with a confirmation) and the next call is
// refused with a problem document. The
// MSSP admin sees the same key on the console's page for Acme.
import { expect, test } from "@playwright/test";
import { CONSOLE, PORT, SCREENSHOTS, signIn, tenantUrl } from "./helpers";
import { raw } from "./lib/raw-http";

const ACME = tenantUrl("acme");

test("a tenant admin creates a key (shown once), a script uses it, the admin revokes it and the next call is refused", async ({ page, request }) => {
  test.setTimeout(120_000);
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys", exact: true })).toBeVisible();

  const name = `SIEM forwarder ${Date.now()}`;
  const form = page.getByTestId("api-key-create");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Expires after").selectOption("30");
  await form.getByRole("checkbox", { name: /alerts:write/ }).check();
  await form.getByRole("button", { name: "Create key" }).click();
  const created = page.getByTestId("api-key-created");
  await expect(created).toContainText("shown only this once");
  const key = (await page.getByTestId("api-key-secret").textContent())!.trim();
  expect(key).toMatch(/^msp_live_[a-z2-7]{26}_[a-z2-7]{52}$/);
  await expect(created.getByRole("button", { name: "Copy" })).toBeVisible();
  const row = page.getByTestId("api-key-row").filter({ hasText: name });
  await expect(row).toContainText("alerts:read");
  await expect(row).toContainText("alerts:write");
  await expect(row).toContainText("Never");
  // The list shows the prefix, never the secret.
  const secret = key.split("_")[3];
  expect(await page.getByTestId("api-keys-table").innerHTML()).not.toContain(secret);
  // How many live keys the tenant may hold (limits.api_keys, default 50); the live ones are listed first.
  await expect(page.getByTestId("api-keys-counts")).toContainText(/\d+ of 50 live keys this tenant may hold/);
  await page.screenshot({ path: `${SCREENSHOTS}/api-keys-created.png`, fullPage: true });

  // A script: over HTTP, with the key as a bearer token.
  const me = await request.get(`${CONSOLE}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect(me.headers()["x-request-id"]).toBeTruthy();
  expect(me.headers()["ratelimit-limit"]).toBeTruthy();
  const body = (await me.json()) as { name: string; tenant: { slug: string }; scopes: string[] };
  expect(body.name).toBe(name);
  expect(body.tenant.slug).toBe("acme");
  expect(body.scopes).toEqual(["alerts:read", "alerts:write"]);
  // On Acme's own host too, and refused on another customer's host.
  const own = await raw({ host: `acme.localhost:${PORT}`, path: "/api/v1/me", headers: { authorization: `Bearer ${key}` } });
  expect(own.status).toBe(200);
  const foreign = await raw({ host: `globex.localhost:${PORT}`, path: "/api/v1/me", headers: { authorization: `Bearer ${key}` } });
  expect(foreign.status).toBe(403);
  expect(foreign.headers["content-type"]).toBe("application/problem+json");

  // The list shows the use.
  await page.reload();
  await expect(row.getByTestId("api-key-last-used")).not.toContainText("Never");

  // Revoke, confirmed.
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByTestId("api-key-revoke-confirm")).toContainText("cannot be undone");
  await page.screenshot({ path: `${SCREENSHOTS}/api-keys-revoke-confirm.png`, fullPage: true });
  await row.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(row).toContainText("Revoked");

  const refused = await request.get(`${CONSOLE}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
  expect(((await refused.json()) as { detail: string }).detail).toContain("revoked");
  await page.screenshot({ path: `${SCREENSHOTS}/api-keys-revoked.png`, fullPage: true });
});

test("the MSSP admin manages Acme's keys from the console, with every scope to give", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, CONSOLE, "mssp.admin@demo.test");
  await page.goto(`${CONSOLE}/customers/acme`);
  await page.getByTestId("customer-api-keys-link").click();
  await expect(page.getByRole("heading", { name: "API keys", exact: true })).toBeVisible();
  await expect(page.getByTestId("api-key-create")).toBeVisible();
  await expect(page.getByTestId("api-key-create").getByRole("checkbox", { name: /usage:read/ })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/api-keys-console.png`, fullPage: true });
});
