// The server Playwright tests against: a fresh Postgres with the demo data
// (Debian's 15 with every statement logged when installed, else the embedded
// 17; scripts/lib/e2e-database.ts), the PDP (Cerbos sidecar over policies/),
// and a production build of the portal (`next build` + `next start`).
//
// Everything the secret-leak test searches is written under .data/e2e and
// named in .data/e2e/run.json: the Postgres log, the app's pino log, Next's
// own output, and how to pg_dump the database.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, createWriteStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { enableAppLogin } from "./lib/app-role";
import { localArchiveKeyFile } from "./lib/archive-key";
import { startCerbos } from "./lib/cerbos";
import { startConnectorStub } from "./lib/connector-stub";
import { startE2eDatabase } from "./lib/e2e-database";
import { prepareDemoDatabase } from "./lib/demo-database";
import { startSmtpServer } from "../tests/helpers/smtp";
import { E2E_TLS_ASK_SECRET } from "../e2e/lib/tls-ask";

const port = Number(process.env.E2E_PORT ?? 3100);
const dataDir = path.join(process.cwd(), ".data", "e2e");
await rm(dataDir, { recursive: true, force: true });
await mkdir(dataDir, { recursive: true });
const db = await startE2eDatabase(dataDir);
const appLog = path.join(dataDir, "app.log");
const nextLog = path.join(dataDir, "next.log");
await writeFile(
  path.join(dataDir, "run.json"),
  JSON.stringify({ databaseUrl: db.url, postgresLog: db.postgresLog, pgDump: db.pgDump, appLog, nextLog }, null, 2),
);
// The seed seals the demo TOTP secret under a key derived from NEXTAUTH_SECRET
// (lib/auth/mfa-crypto.ts), so it must see the one the portal runs with.
const NEXTAUTH_SECRET = "e2e-only-secret-not-used-anywhere-else-0123456789";
process.env.NEXTAUTH_SECRET = NEXTAUTH_SECRET;
await prepareDemoDatabase(db.url);
// The portal logs in as portal_app, as in production; run.json keeps the
// owner's URL for the leak test's pg_dump.
const appDatabaseUrl = await enableAppLogin(db.url);
const pdp = await startCerbos().catch(async (error) => {
  await db.stop();
  throw error;
});
// Connection tests on the credentials page reach this stub, not the vendors;
// so do webhook notifications, each appended to .data/e2e/webhooks.jsonl for
// the specs to verify (e2e/webhooks.ts).
const connectorStub = await startConnectorStub({ webhookLog: path.join(dataDir, "webhooks.jsonl") });
// Mail the portal sends (invitations, codes, resets) lands in this real SMTP
// server; each message is appended to .data/e2e/mail.jsonl for the specs (e2e/mail.ts).
const mailLog = path.join(dataDir, "mail.jsonl");
const smtp = await startSmtpServer({
  onMessage: (m) => appendFileSync(mailLog, `${JSON.stringify({ to: m.to, subject: m.subject, text: m.text, receivedAt: m.receivedAt })}\n`),
});

const env = {
  ...process.env,
  DATABASE_URL: appDatabaseUrl,
  CERBOS_URL: pdp.url,
  NEXTAUTH_SECRET,
  AUTH_TRUST_HOST: "1",
  PORTAL_DOMAIN: "localhost",
  NEXT_TELEMETRY_DISABLED: "1",
  // Offboarding exports each tenant before removing it (archives under .data/e2e/archives).
  TENANT_ARCHIVE_KEY_FILE: await localArchiveKeyFile(dataDir),
  TENANT_ARCHIVE_DIR: path.join(dataDir, "archives"),
  // For tests only: a production build honours it only with the second flag.
  CONNECTOR_TEST_ENDPOINT: connectorStub.url,
  CONNECTOR_TEST_ENDPOINT_ALLOW_PRODUCTION: "1",
  SMTP_URL: smtp.url,
  // Caddy's on-demand TLS question answers only with this (e2e/custom-domain.spec.ts).
  TLS_ASK_SECRET: E2E_TLS_ASK_SECRET,
  MAIL_FROM: "MSSP portal e2e <portal@example.test>",
  // Links in mail sent outside a request (the provisioning workflow) name this server's port.
  PORTAL_PUBLIC_PORT: String(port),
  // The app's structured log, at its most talkative, for the leak test to search.
  LOG_FILE: appLog,
  LOG_LEVEL: "debug",
};
const nextBin = path.join(process.cwd(), "node_modules", ".bin", "next");
let child: ChildProcess | undefined;

async function stop(code: number) {
  if (child && child.exitCode === null) child.kill("SIGTERM");
  await connectorStub.stop();
  await smtp.stop();
  await pdp.stop();
  await db.stop();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

if (process.env.E2E_SKIP_BUILD !== "1") {
  child = spawn(nextBin, ["build"], { stdio: "inherit", env });
  const code: number = await new Promise((r) => child!.on("exit", (c) => r(c ?? 1)));
  if (code !== 0) await stop(code);
}
child = spawn(nextBin, ["start", "-p", String(port)], { stdio: ["ignore", "pipe", "pipe"], env });
// Next's own output goes to the terminal and to next.log (searched by the leak test).
const nextOut = createWriteStream(nextLog, { flags: "a" });
child.stdout!.on("data", (d) => {
  process.stdout.write(d);
  nextOut.write(d);
});
child.stderr!.on("data", (d) => {
  process.stderr.write(d);
  nextOut.write(d);
});
child.on("exit", (code) => void stop(code ?? 0));
