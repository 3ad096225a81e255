// A fresh, migrated database per test file, on a real Postgres.
//
// `npm run test:integration` starts one embedded Postgres and passes its
// superuser URL as TEST_ADMIN_DATABASE_URL. A file run on its own
// (`node --import tsx --test tests/x.test.ts`) starts its own embedded
// Postgres instead, under .data/, and stops it again in drop().
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { closePool } from "@/lib/db/pool";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/scripts/lib/embedded-postgres";

export interface TestDatabase {
  /** Owner (superuser) URL of the fresh database; also set as process.env.DATABASE_URL. */
  url: string;
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string;
  /** Closes the app pool, drops the database (and stops a server this file started). */
  drop(): Promise<void>;
}

let ownServer: { db: EmbeddedDatabase; dataDir: string; adminUrl: string } | undefined;
// Databases created and not yet dropped; a server this file started stops at 0.
let live = 0;

/** Superuser URL to the `postgres` database of the server the tests use. */
export async function adminDatabaseUrl(): Promise<string> {
  const fromEnv = process.env.TEST_ADMIN_DATABASE_URL;
  if (fromEnv) return fromEnv;
  if (!ownServer) {
    const dataDir = path.join(process.cwd(), ".data", `test-solo-${process.pid}-${randomBytes(3).toString("hex")}`);
    const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, quiet: true });
    ownServer = { db, dataDir, adminUrl: db.url.replace(/\/[^/]+$/, "/postgres") };
  }
  return ownServer.adminUrl;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs `fn` with a connected superuser client on `url`, always closing it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database with every migration applied; DATABASE_URL points at it. */
export async function createTestDatabase(opts: { setEnv?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = await adminDatabaseUrl();
  const name = `test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  live++;
  const url = withDatabase(adminUrl, name);
  const drop = async () => {
    await closePool();
    await withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    if (--live === 0) await stopOwnServer();
  };
  try {
    await migrate(url);
  } catch (error) {
    await drop();
    throw error;
  }
  if (opts.setEnv ?? true) process.env.DATABASE_URL = url;
  return { url, adminUrl, drop };
}

async function stopOwnServer(): Promise<void> {
  const server = ownServer;
  ownServer = undefined;
  if (!server) return;
  await server.db.stop();
  await rm(server.dataDir, { recursive: true, force: true });
}
