// Plant a secret and look for it everywhere (issue 4, "never logged").
//
// Drives the credential's whole life through the browser — create (after a
// refused attempt), list, use (a connection test the vendor stub accepts),
// replace with a secret the stub refuses while quoting it back, use again (a
// failing use), a DEK rotation of the tenant from the console — with Postgres
// logging every statement and its parameters. Then searches, for each planted
// secret and its common encodings: every HTTP response body the browser got,
// the app's pino log, Next's own output, the Postgres log and a pg_dump of the
// whole database. Each search has a positive control, so an empty log or dump
// cannot pass for a clean one.
//
// Runs last (zz-): the logs it searches then also cover every other spec.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type BrowserContext } from "@playwright/test";
import { CONSOLE, signIn, tenantUrl } from "./helpers";

interface RunInfo {
  databaseUrl: string;
  postgresLog: string | null;
  pgDump: string | null;
  appLog: string;
  nextLog: string;
}

const ACME = tenantUrl("acme");

function alnum(n: number): string {
  const chars = "ABCDEFGHJKLMNPQRSTUVXYZabcdefhijkmnpqstuvxyz23456789";
  return [...randomBytes(n)].map((b) => chars[b % chars.length]).join("");
}

/** The forms a secret could take on its way to a log: as is, base64, base64url, hex, URL-encoded. */
function encodings(secret: string): string[] {
  const b = Buffer.from(secret, "utf8");
  return [secret, b.toString("base64").replace(/=+$/, ""), b.toString("base64url"), b.toString("hex"), encodeURIComponent(secret)];
}

function findIn(haystack: string, secrets: string[]): string[] {
  const hits: string[] = [];
  for (const s of secrets) for (const form of encodings(s)) if (haystack.includes(form)) hits.push(form);
  return hits;
}

/** Every response body the context receives, as text (binary bodies as latin1, which keeps ASCII intact). */
function recordResponses(context: BrowserContext): { bodies: Array<{ url: string; body: string }>; settle(): Promise<void> } {
  const bodies: Array<{ url: string; body: string }> = [];
  const pending: Promise<void>[] = [];
  context.on("response", (response) => {
    pending.push(
      response
        .body()
        .then((b) => void bodies.push({ url: response.url(), body: b.toString("latin1") }))
        .catch(() => {}), // redirects and aborted requests have no body
    );
  });
  return { bodies, settle: () => Promise.all(pending).then(() => {}) };
}

test("a planted secret appears in no response, log or database dump", async ({ browser }) => {
  test.setTimeout(240_000);
  const run: RunInfo = JSON.parse(readFileSync(path.join(process.cwd(), ".data", "e2e", "run.json"), "utf8"));
  expect(run.postgresLog, "the e2e server needs Debian's postgresql-15 (apt-get install postgresql-15) for statement logging and pg_dump").not.toBeNull();

  const planted = `Plant${alnum(35)}`; // a valid CrowdStrike client secret: 40 alphanumerics
  const replaced = `Wrong${alnum(35)}`; // the stub refuses it and quotes it back
  const refused = `Plnt${alnum(36)}`; // submitted with an invalid client ID, never stored
  const secrets = [planted, replaced, refused];
  const name = `Leak probe ${alnum(6)}`;

  // --- the tenant admin's side -------------------------------------------
  const adminContext = await browser.newContext();
  const adminResponses = recordResponses(adminContext);
  const page = await adminContext.newPage();
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"));
  await page.goto(`${ACME}/credentials`);
  await page.getByRole("button", { name: "Add credential" }).click();
  const form = page.getByRole("form", { name: "Add a credential" });
  await form.getByRole("radio", { name: "CrowdStrike Falcon" }).click();
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Cloud region").selectOption("us-2");
  // A refused submission carrying a secret.
  await form.getByLabel("Client ID").fill("not-a-client-id");
  await form.getByLabel("Client secret").fill(refused);
  await form.getByRole("button", { name: "Save credential" }).click();
  await expect(form.getByText("The client ID is 32 hexadecimal characters")).toBeVisible();
  // Create.
  await form.getByLabel("Client ID").fill(randomBytes(16).toString("hex"));
  await form.getByLabel("Client secret").fill(planted);
  await form.getByRole("button", { name: "Save credential" }).click();
  const row = page.getByTestId(`credential-${name}`);
  await expect(row.getByTestId("masked-secret")).toHaveText(`••••${planted.slice(-4)}`);
  // List (a fresh page load).
  await page.reload();
  await expect(row.getByTestId("masked-secret")).toHaveText(`••••${planted.slice(-4)}`);
  // Use: the stub accepts it.
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByTestId("test-result")).toHaveAttribute("data-ok", "true");
  // Replace, then a failing use: the stub refuses and quotes the secret back.
  await row.getByRole("button", { name: "Replace secret" }).click();
  await row.getByLabel("New client secret").fill(replaced);
  await row.getByRole("button", { name: "Save new secret" }).click();
  await expect(row.getByTestId("masked-secret")).toHaveText(`••••${replaced.slice(-4)}`);
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByTestId("test-result")).toHaveAttribute("data-ok", "false");

  // --- the MSSP admin rotates acme's data key (re-seals the credential) ----
  const msspContext = await browser.newContext();
  const msspResponses = recordResponses(msspContext);
  const console_ = await msspContext.newPage();
  await signIn(console_, CONSOLE, "mssp.admin@demo.test");
  await console_.waitForURL((u) => !u.pathname.startsWith("/signin"));
  await console_.goto(`${CONSOLE}/keys`);
  const acme = console_.getByTestId("keys-row-acme");
  await acme.getByRole("button", { name: /Rotate (key|again)/ }).click();
  await expect(acme.getByRole("progressbar", { name: "Data key rotation progress" })).toHaveAttribute("aria-valuenow", "100");

  // The rotated credential still works (a use after rotation), and is deleted at the end.
  await page.reload();
  await row.getByRole("button", { name: "Test" }).click();
  // Still the refused secret: it opened under the new key and reached the stub.
  await expect(row.getByTestId("test-result")).toContainText("refused the client secret");

  await adminResponses.settle();
  await msspResponses.settle();
  await adminContext.close();
  await msspContext.close();

  // --- search ----------------------------------------------------------------
  const bodies = [...adminResponses.bodies, ...msspResponses.bodies];
  expect(bodies.length, "responses were recorded").toBeGreaterThan(10);
  expect(bodies.some((b) => b.body.includes(name)), "control: the credential's name is in some response").toBe(true);
  for (const { url, body } of bodies) {
    expect(findIn(body, secrets), `response of ${url}`).toEqual([]);
  }

  const appLog = readFileSync(run.appLog, "utf8");
  expect(appLog.length, "control: the app logged something").toBeGreaterThan(0);
  expect(findIn(appLog, secrets), "app log").toEqual([]);

  const nextLog = readFileSync(run.nextLog, "utf8");
  expect(findIn(nextLog, secrets), "Next's output").toEqual([]);

  const postgresLog = readFileSync(run.postgresLog!, "utf8");
  expect(postgresLog, "control: Postgres logged the credential insert with its parameters").toMatch(
    /insert into (public\.)?"?credentials"?[\s\S]*?parameters: \$1 = '/i,
  );
  expect(postgresLog, "control: the log holds the credential's name").toContain(name);
  expect(findIn(postgresLog, secrets), "Postgres log").toEqual([]);

  const dump = execFileSync(run.pgDump!, ["--no-owner", "--dbname", run.databaseUrl], { maxBuffer: 512 * 1024 * 1024 }).toString("utf8");
  expect(dump, "control: the dump holds the credentials table and the probe").toContain(name);
  expect(dump).toContain("keyring.tenant_keys");
  expect(findIn(dump, secrets), "pg_dump").toEqual([]);
});
