// npm run portal: the whole portal on one machine.
//   - no DATABASE_URL: starts the embedded Postgres (.data/postgres, reused)
//   - migrates, loads demo data once
//   - starts the PDP (Cerbos over policies/) unless CERBOS_URL is set
//   - runs Next.js (dev server; `npm run portal -- --prod` builds and serves)
//   - Ctrl-C stops Next.js, the PDP, and shuts Postgres down cleanly
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS } from "@/lib/demo/users";
import { enableAppLogin } from "./lib/app-role";
import { localArchiveKeyFile } from "./lib/archive-key";
import { localAuthSecret } from "./lib/auth-secret";
import { ensureCerbos, type CerbosServer } from "./lib/cerbos";
import { prepareDemoDatabase } from "./lib/demo-database";
import { openDevDatabase, redactUrl } from "./lib/dev-database";

const prod = process.argv.includes("--prod");
const port = Number(process.env.PORT ?? 3000);
const nextBin = path.join(process.cwd(), "node_modules", ".bin", "next");

const db = await openDevDatabase();
let next: ChildProcess | undefined;
let pdp: CerbosServer | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping the portal…");
  if (next && next.exitCode === null) {
    next.kill("SIGTERM");
    await new Promise((r) => next!.once("exit", r));
  }
  await pdp?.stop();
  await db.stop();
  if (db.embedded) console.log("Embedded Postgres stopped.");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

// The seed seals the demo TOTP secret under a key derived from NEXTAUTH_SECRET.
process.env.NEXTAUTH_SECRET ??= await localAuthSecret();
try {
  await prepareDemoDatabase(db.url);
} catch (error) {
  console.error(`Could not prepare the database: ${(error as Error).message}`);
  await shutdown(1);
}

// On the embedded database the portal logs in as portal_app (owns nothing,
// reaches data only through withTenant/withServiceRole), as in production; a
// DATABASE_URL is used as given (docs/deployment.md says which role to use).
let appDatabaseUrl = db.url;
if (db.embedded) {
  try {
    appDatabaseUrl = await enableAppLogin(db.url);
  } catch (error) {
    console.error(`Could not prepare the app's database role: ${(error as Error).message}`);
    await shutdown(1);
  }
}

try {
  pdp = await ensureCerbos();
} catch (error) {
  console.error(`Could not start the PDP (Cerbos): ${(error as Error).message}`);
  await shutdown(1);
}

const env = {
  ...process.env,
  DATABASE_URL: appDatabaseUrl,
  CERBOS_URL: pdp!.url,
  NEXTAUTH_SECRET: await localAuthSecret(),
  AUTH_TRUST_HOST: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  PORTAL_DOMAIN: process.env.PORTAL_DOMAIN ?? "localhost",
  TENANT_ARCHIVE_KEY_FILE: await localArchiveKeyFile(),
};

function runNext(args: string[]): ChildProcess {
  return spawn(nextBin, args, { stdio: "inherit", env });
}

if (prod) {
  const build = runNext(["build"]);
  const code: number = await new Promise((r) => build.on("exit", (c) => r(c ?? 1)));
  if (code !== 0) await shutdown(code);
}
next = runNext(prod ? ["start", "-p", String(port)] : ["dev", "-p", String(port)]);
next.on("exit", (code) => void shutdown(code ?? 0));

const width = Math.max(...DEMO_USERS.map((u) => u.email.length));
console.log(`
  MSSP portal      http://localhost:${port}          (MSSP console)
  Tenant portals   http://acme.localhost:${port}     http://globex.localhost:${port}   (any tenant slug)
  Database         ${redactUrl(appDatabaseUrl)}${db.embedded ? "   (the portal's login role; migrations ran as the owner)" : ""}
  PDP (Cerbos)     ${pdp!.url}

  Demo sign-ins (password for all: ${DEMO_PASSWORD})
${DEMO_USERS.map((u) => `    ${u.email.padEnd(width)}  ${u.note}`).join("\n")}
  Two-step verification for ${DEMO_USERS.filter((u) => u.totp).map((u) => u.email).join(", ")}:
    add the demo TOTP secret ${DEMO_TOTP_SECRET} to any authenticator app.

  Ctrl-C stops the portal${db.embedded ? " and the embedded Postgres" : ""}.
`);
