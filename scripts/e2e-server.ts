// The server Playwright tests against: a fresh embedded Postgres with the demo
// data, the PDP (Cerbos sidecar over policies/), and a production build of the
// portal (`next build` + `next start`).
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { startCerbos } from "./lib/cerbos";
import { startConnectorStub } from "./lib/connector-stub";
import { freePort, startEmbeddedPostgres } from "./lib/embedded-postgres";
import { prepareDemoDatabase } from "./lib/demo-database";

const port = Number(process.env.E2E_PORT ?? 3100);
const dataDir = path.join(process.cwd(), ".data", "e2e");
await rm(dataDir, { recursive: true, force: true });
const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, quiet: true });
// The seed seals the demo TOTP secret under a key derived from NEXTAUTH_SECRET
// (lib/auth/mfa-crypto.ts), so it must see the one the portal runs with.
const NEXTAUTH_SECRET = "e2e-only-secret-not-used-anywhere-else-0123456789";
process.env.NEXTAUTH_SECRET = NEXTAUTH_SECRET;
await prepareDemoDatabase(db.url);
const pdp = await startCerbos().catch(async (error) => {
  await db.stop();
  throw error;
});
// Connection tests on the credentials page reach this stub, not the vendors.
const connectorStub = await startConnectorStub();

const env = {
  ...process.env,
  DATABASE_URL: db.url,
  CERBOS_URL: pdp.url,
  NEXTAUTH_SECRET,
  AUTH_TRUST_HOST: "1",
  PORTAL_DOMAIN: "localhost",
  NEXT_TELEMETRY_DISABLED: "1",
  // For tests only: a production build honours it only with the second flag.
  CONNECTOR_TEST_ENDPOINT: connectorStub.url,
  CONNECTOR_TEST_ENDPOINT_ALLOW_PRODUCTION: "1",
};
const nextBin = path.join(process.cwd(), "node_modules", ".bin", "next");
let child: ChildProcess | undefined;

async function stop(code: number) {
  if (child && child.exitCode === null) child.kill("SIGTERM");
  await connectorStub.stop();
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
child = spawn(nextBin, ["start", "-p", String(port)], { stdio: "inherit", env });
child.on("exit", (code) => void stop(code ?? 0));
