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
// The second test plants the account secrets the same way: a password (an
// invitee's, chosen when accepting, and a wrong one typed at sign-in), the
// invitation token (from the emailed link), a TOTP secret and the recovery
// codes (shown once at enrolment, then used to sign in). Each has a positive
// control: the search finds it where it must be (the request that sent it,
// the one response that shows it, the mail log).
//
// Runs last (zz-): the logs it searches then also cover every other spec.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type BrowserContext } from "@playwright/test";
import { CONSOLE, freshTotp, signIn, tenantUrl } from "./helpers";
import { raw } from "./lib/raw-http";
import { codeIn, linkIn, waitForMail } from "./mail";

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

interface Exchange {
  url: string;
  method: string;
  requestBody: string;
  body: string;
}

/**
 * Every response the context receives, with its request. Through a route that
 * fetches and fulfils each request: Playwright cannot read the body of a
 * streamed response from the "response" event (server actions' answers come
 * back "Protocol error"), so a recorder built on that event silently skipped
 * exactly the answers most likely to carry a secret.
 */
async function recordResponses(context: BrowserContext): Promise<{ bodies: Exchange[]; exchanges: Exchange[]; settle(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const pending = new Set<Promise<void>>();
  await context.route("**/*", (route) => {
    const job = (async () => {
      const request = route.request();
      const url = new URL(request.url());
      // Sent by Node to the server's socket (Node does not resolve *.localhost), uncompressed so it can be searched.
      const headers = Object.fromEntries(Object.entries(await request.allHeaders()).filter(([k]) => !k.startsWith(":") && !["host", "accept-encoding", "content-length"].includes(k)));
      const res = await raw({ method: request.method(), host: url.host, path: `${url.pathname}${url.search}`, headers, body: request.postDataBuffer() ?? undefined });
      const body = Buffer.from(res.body, "latin1");
      exchanges.push({ url: request.url(), method: request.method(), requestBody: request.postData() ?? "", body: res.body });
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined || ["content-length", "transfer-encoding", "connection", "keep-alive"].includes(k)) continue;
        out[k] = Array.isArray(v) ? v.join("\n") : String(v);
      }
      await route.fulfill({ status: res.status, headers: out, body }).catch(() => {});
    })();
    pending.add(job);
    return job.finally(() => pending.delete(job));
  });
  return { bodies: exchanges, exchanges, settle: () => Promise.all([...pending]).then(() => {}) };
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
  const adminResponses = await recordResponses(adminContext);
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
  const msspResponses = await recordResponses(msspContext);
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
  expect(
    bodies.some((b) => b.method === "POST" && b.url.startsWith(ACME) && b.body.includes(name)),
    "control: server actions' answers are captured (the create action answers with the credential)",
  ).toBe(true);
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

/** A TOTP secret may be shown grouped in fours; recovery codes are typed in either case. */
const accountForms = (secret: string) => [secret, secret.toLowerCase(), secret.toUpperCase(), secret.replace(/(.{4})(?=.)/g, "$1 ")];
function findAccountSecrets(haystack: string, secrets: string[]): string[] {
  return secrets.flatMap((s) => accountForms(s).flatMap((f) => findIn(haystack, [f])));
}

test("a planted password, invitation token, TOTP secret and recovery codes appear nowhere they must not", async ({ browser }) => {
  test.setTimeout(240_000);
  const run: RunInfo = JSON.parse(readFileSync(path.join(process.cwd(), ".data", "e2e", "run.json"), "utf8"));
  expect(run.postgresLog, "the e2e server needs Debian's postgresql-15 for statement logging and pg_dump").not.toBeNull();
  const invitee = `leak.${alnum(6).toLowerCase()}@acme-corp.example`;
  const password = `Pw${alnum(22)}`;
  const wrongPassword = `Wr${alnum(22)}`;
  const appLogBefore = readFileSync(run.appLog, "utf8").length;

  // The tenant admin invites; the link arrives by email.
  const adminContext = await browser.newContext();
  const admin = await recordResponses(adminContext);
  const page = await adminContext.newPage();
  await signIn(page, ACME, "acme.admin@demo.test");
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"));
  await page.goto(`${ACME}/team`);
  const invite = page.getByRole("form", { name: "Invite a member" });
  await invite.getByLabel("Email").fill(invitee);
  await invite.getByLabel("Role").selectOption("tenant_viewer");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(invite.getByText(`Invitation sent to ${invitee}.`)).toBeVisible();
  const link = new URL(linkIn(await waitForMail(invitee, /invited to join/)));
  const token = link.hash.replace(/^#token=/, "");
  expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);

  // The invitee accepts with a password of their own, sets up TOTP, and signs in with a recovery code.
  const inviteeContext = await browser.newContext();
  const mine = await recordResponses(inviteeContext);
  const p = await inviteeContext.newPage();
  await p.goto(link.toString());
  await p.getByRole("button", { name: "Email me a code" }).click();
  await p.getByLabel("Code from the email").fill(codeIn(await waitForMail(invitee, /code to join/)));
  await p.getByLabel("Your name").fill("Lee Kage");
  await p.getByLabel(/Choose a password/).fill(password);
  await p.getByRole("button", { name: "Create account and join" }).click();
  await expect(p.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await p.goto(`${ACME}/account/mfa`);
  await mine.settle();
  const enrolmentFrom = mine.exchanges.length;
  await p.getByLabel("Your password").fill(password);
  await p.getByRole("button", { name: "Set up authenticator app" }).click();
  const totpSecret = (await p.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
  expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
  await p.getByLabel("Code from the app").fill(await freshTotp(totpSecret));
  await p.getByRole("button", { name: "Confirm and turn on" }).click();
  const codes = p.getByTestId("recovery-codes").locator("li");
  await expect(codes).toHaveCount(10);
  const recoveryCodes = await codes.allInnerTexts();
  await mine.settle();
  const enrolmentTo = mine.exchanges.length;
  await p.reload();
  await expect(p.getByTestId("mfa-enabled")).toBeVisible();
  // A wrong password, then the right one with a recovery code.
  await p.getByRole("button", { name: "Sign out" }).click();
  await p.waitForURL(/\/signin/);
  await p.getByLabel("Email").fill(invitee);
  await p.getByLabel("Password").fill(wrongPassword);
  await p.getByRole("button", { name: "Sign in" }).click();
  await expect(p.getByTestId("signin-error")).toHaveText("Wrong email or password.");
  await p.getByLabel("Password").fill(password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("button", { name: "Use a recovery code" }).click();
  await p.getByLabel("Recovery code").fill(recoveryCodes[0].toUpperCase());
  await p.getByRole("button", { name: "Verify" }).click();
  await expect(p.getByRole("heading", { name: "Alerts" })).toBeVisible();

  await admin.settle();
  await mine.settle();
  await adminContext.close();
  await inviteeContext.close();

  // --- search ----------------------------------------------------------------
  const neverAnywhere = [password, wrongPassword, token];
  const shownOnce = [totpSecret, ...recoveryCodes];
  const exchanges = [...admin.exchanges, ...mine.exchanges];
  // Positive controls: the capture and the search see each secret where it legitimately is.
  expect(exchanges.some((e) => findIn(e.requestBody, [password]).length > 0), "control: the password was sent in a request").toBe(true);
  expect(exchanges.some((e) => findIn(e.requestBody, [wrongPassword]).length > 0), "control: the wrong password was sent in a request").toBe(true);
  expect(exchanges.some((e) => findIn(e.requestBody, [token]).length > 0), "control: the page sent the token to the server").toBe(true);
  // The answers of the enrolment steps (between "Set up" and the reload) are the only ones that may show them.
  const shows = mine.exchanges.slice(enrolmentFrom, enrolmentTo).filter((e) => new URL(e.url).pathname === "/account/mfa");
  const where = (secret: string) => exchanges.filter((e) => findAccountSecrets(e.body, [secret]).length > 0).map((e) => `${e.method} ${e.url}`);
  console.log(`the TOTP secret is in the answers of: ${where(totpSecret).join("; ") || "none"}`);
  expect(shows.some((e) => findAccountSecrets(e.body, [totpSecret]).length > 0), "control: the TOTP secret was shown at enrolment").toBe(true);
  expect(shows.some((e) => findAccountSecrets(e.body, [recoveryCodes[0]]).length > 0), "control: the recovery codes were shown once").toBe(true);
  const mailLog = readFileSync(path.join(path.dirname(run.appLog), "mail.jsonl"), "utf8");
  expect(findIn(mailLog, [token]).length, "control: the emailed link carries the token").toBeGreaterThan(0);

  // Every place is searched before failing, so one run names every leak.
  const leaks: string[] = [];
  const report = (where: string, hits: string[]) => hits.length && leaks.push(`${where}: ${[...new Set(hits)].map((h) => h.slice(0, 12) + "…").join(", ")}`);
  for (const e of exchanges) {
    report(`response of ${e.method} ${e.url}`, findIn(e.body, neverAnywhere));
    // Shown once: only in the enrolment's own answers, never in a page load or anything else.
    if (!shows.includes(e)) report(`response of ${e.method} ${e.url} (shown-once secrets)`, findAccountSecrets(e.body, shownOnce));
  }
  const appLog = readFileSync(run.appLog, "utf8");
  expect(appLog.slice(appLogBefore), "control: the app log covers this run (the wrong password was logged as an event)").toContain("sign-in-failed");
  const nextLog = readFileSync(run.nextLog, "utf8");
  const postgresLog = readFileSync(run.postgresLog!, "utf8");
  expect(postgresLog, "control: Postgres logged statements about the invitee").toContain(invitee);
  const dump = execFileSync(run.pgDump!, ["--no-owner", "--dbname", run.databaseUrl], { maxBuffer: 512 * 1024 * 1024 }).toString("utf8");
  expect(dump, "control: the dump holds the invitee's account").toContain(invitee);
  for (const [name, text] of [["app log", appLog], ["Next's output", nextLog], ["Postgres log", postgresLog], ["pg_dump", dump]] as const) {
    report(name, findIn(text, neverAnywhere));
    report(`${name} (shown-once secrets)`, findAccountSecrets(text, shownOnce));
  }
  expect(leaks, `password ${password.slice(0, 6)}…, wrong password ${wrongPassword.slice(0, 6)}…, token ${token.slice(0, 6)}…, TOTP ${totpSecret.slice(0, 6)}…`).toEqual([]);
});
