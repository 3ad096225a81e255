// Ingestion end to end (issue 11, "How it is proven"): Acme's admin creates a
// key with alerts:write and alerts:read on the API keys page, a script
// (Playwright's request client, over HTTP) posts a batch of alerts with it,
// they appear on Acme's alert list, an alert's page shows the "Raw event" it
// was sent with (opened on the server from its sealed copy), the admin
// revokes the key and the next POST is a 401 problem. The OpenAPI document
// is served without a key and the reference page links it.
import { expect, test } from "@playwright/test";
import { CONSOLE, PORT, SCREENSHOTS, signIn, signedInAs, tenantUrl } from "./helpers";
import { raw as rawHttp } from "./lib/raw-http";

const ACME = tenantUrl("acme");

test("a key with alerts:write ingests a batch that shows on the alert pages with its raw event; revoked, the next POST is refused", async ({ page, request }) => {
  test.setTimeout(150_000);
  await signIn(page, ACME, "acme.admin@demo.test");
  await signedInAs(page, "acme.admin@demo.test");
  await page.goto(`${ACME}/api-keys`);
  const name = `EDR forwarder ${Date.now()}`;
  const form = page.getByTestId("api-key-create");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Expires after").selectOption("7");
  await form.getByRole("checkbox", { name: /alerts:write/ }).check();
  await form.getByRole("checkbox", { name: /alerts:read/ }).check();
  await form.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("api-key-secret").textContent())!.trim();
  expect(key).toMatch(/^msp_live_/);

  // The script: one batch, each alert with its vendor payload. (Over the console host: the test's
  // resolver does not know *.localhost; the browser does, and the key is Acme's either way.)
  const marker = `e2e${Date.now().toString(36)}`;
  const alerts = [1, 2, 3].map((n) => ({
    external_id: `${marker}-${n}`,
    source: "edr-e2e",
    title: `Ransomware note written ${marker} #${n}`,
    severity: n === 1 ? "critical" : "medium",
    hostname: `ws-${n}.acme.example`,
    raw: { vendor: "ExampleEDR", event_id: `${marker}-${n}`, process: { name: "encryptor.exe", pid: 4200 + n }, user: "ACME\\jdoe", marker },
  }));
  const sent = await request.post(`${CONSOLE}/api/v1/alerts`, { headers: { authorization: `Bearer ${key}` }, data: { alerts } });
  expect(sent.status()).toBe(200);
  const result = (await sent.json()) as { summary: { created: number }; results: { id: string; status: string }[] };
  expect(result.summary.created).toBe(3);
  // Sent again: duplicates, the same ids.
  const again = await request.post(`${CONSOLE}/api/v1/alerts`, { headers: { authorization: `Bearer ${key}` }, data: { alerts } });
  expect(((await again.json()) as typeof result).results.map((r) => [r.status, r.id])).toEqual(result.results.map((r) => ["duplicate", r.id]));
  // Read back through the API with the same key.
  const listed = await request.get(`${CONSOLE}/api/v1/alerts?source=edr-e2e&limit=10`, { headers: { authorization: `Bearer ${key}` } });
  expect(listed.status()).toBe(200);
  expect(((await listed.json()) as { data: { id: string }[] }).data.map((a) => a.id).sort()).toEqual(result.results.map((r) => r.id).sort());

  // On Acme's alert list.
  await page.goto(`${ACME}/alerts?q=${marker}`);
  const table = page.getByTestId("alerts-table");
  for (const a of alerts) await expect(table.getByRole("link", { name: a.title })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/api-ingest-alert-list.png`, fullPage: true });

  // The alert's page opens the raw event.
  await table.getByRole("link", { name: alerts[0].title }).click();
  await expect(page.getByRole("heading", { name: alerts[0].title })).toBeVisible();
  const raw = page.getByTestId("raw-event");
  await expect(raw.getByRole("heading", { name: "Raw event" })).toBeVisible();
  await raw.getByText("The payload as the source sent it").click();
  await expect(raw.locator("pre")).toContainText(`"event_id": "${marker}-1"`);
  await expect(raw.locator("pre")).toContainText("encryptor.exe");
  await raw.scrollIntoViewIfNeeded();
  await raw.screenshot({ path: `${SCREENSHOTS}/api-ingest-raw-event.png` });
  await page.screenshot({ path: `${SCREENSHOTS}/api-ingest-alert-detail.png`, fullPage: true });

  // Revoke; the next POST is a 401 problem and writes nothing.
  await page.goto(`${ACME}/api-keys`);
  const row = page.getByTestId("api-key-row").filter({ hasText: name });
  await expect(row.getByTestId("api-key-last-used")).not.toContainText("Never");
  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(row).toContainText("Revoked");
  await page.screenshot({ path: `${SCREENSHOTS}/api-ingest-keys-revoked.png`, fullPage: true });
  const refused = await request.post(`${CONSOLE}/api/v1/alerts`, {
    headers: { authorization: `Bearer ${key}` },
    data: { alerts: [{ external_id: `${marker}-after`, source: "edr-e2e", title: `After revocation ${marker}`, severity: "low" }] },
  });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
  expect(((await refused.json()) as { detail: string }).detail).toContain("revoked");
  await page.goto(`${ACME}/alerts?q=${marker}`);
  await expect(page.getByTestId("alerts-table").getByRole("link", { name: `After revocation ${marker}` })).toHaveCount(0);
});

test("the OpenAPI document is served without a key on both hosts, and /api-docs links it", async ({ page, request }) => {
  const console_ = await request.get(`${CONSOLE}/api/v1/openapi.json`);
  expect(console_.status()).toBe(200);
  const onTenantHost = await rawHttp({ host: `acme.localhost:${PORT}`, path: "/api/v1/openapi.json" });
  expect(onTenantHost.status).toBe(200);
  for (const text of [await console_.text(), onTenantHost.body]) {
    const doc = JSON.parse(text) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    for (const p of ["/alerts", "/alerts/{id}", "/assets", "/usage", "/me", "/collectors/{name}/checkpoints", "/tenants/{slug}/alerts"]) expect(Object.keys(doc.paths)).toContain(p);
  }
  await page.goto(`${CONSOLE}/api-docs`);
  const link = page.getByRole("link", { name: "/api/v1/openapi.json" });
  await expect(link).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/api-docs.png`, fullPage: true });
  await page.screenshot({ path: `${SCREENSHOTS}/api-docs-top.png` });
  await page.getByText("Advance a collector's checkpoint").first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/api-docs-checkpoints.png` });
  await link.click();
  await expect(page).toHaveURL(/\/api\/v1\/openapi\.json$/);
  await expect(page.locator("body")).toContainText('"openapi"');
});
