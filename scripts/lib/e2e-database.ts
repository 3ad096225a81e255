// The database the browser tests run against. Debian's Postgres 15 when it is
// installed (CI installs it), because the e2e leak test also needs a pg_dump
// of the same major version, and Debian ships only 15's client tools; every
// statement is logged (log_statement=all, parameters included) to a file the
// leak test searches. Without it, the embedded Postgres 17 (no statement log,
// no pg_dump: the leak test says what to install).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { freePort, startEmbeddedPostgres } from "./embedded-postgres";
import { findBinaries, startServer } from "./pg-binaries";

export interface E2eDatabase {
  url: string;
  /** The server's log (every statement), or null when not available. */
  postgresLog: string | null;
  /** A pg_dump matching the server's major version, or null. */
  pgDump: string | null;
  stop(): Promise<void>;
}

export async function startE2eDatabase(dir: string): Promise<E2eDatabase> {
  const found = findBinaries(15);
  if ("missing" in found) {
    const db = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: await freePort(), persistent: false, quiet: true });
    return { url: db.url, postgresLog: null, pgDump: null, stop: () => db.stop() };
  }
  const postgresLog = path.join(dir, "postgres.log");
  await writeFile(postgresLog, "");
  const server = await startServer(found.bin, {
    flags: ["-c", "log_statement=all", "-c", "log_parameter_max_length=-1", "-c", "log_min_error_statement=error"],
    logFile: postgresLog,
    parentDir: dir,
  });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query("create database mssp_portal");
  } finally {
    await admin.end();
  }
  const url = server.adminUrl.replace(/\/postgres$/, "/mssp_portal");
  return { url, postgresLog, pgDump: path.join(found.bin, "pg_dump"), stop: server.stop };
}
