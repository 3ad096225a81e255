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
import { APP_ROLE, enableAppLogin, urlAs } from "@/scripts/lib/app-role";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/scripts/lib/embedded-postgres";

// One password for portal_app on the throwaway test servers, the same in
// every test process (each sets it once; whichever runs last, it is this one).
const TEST_APP_PASSWORD = "portal-app-test-only";
let appLoginReady: Promise<unknown> | undefined;
const urlAsApp = (ownerUrl: string) => urlAs(ownerUrl, APP_ROLE, TEST_APP_PASSWORD);

export interface TestDatabase {
  /** Owner (superuser) URL of the fresh database: fixtures, raw checks, migrations. */
  url: string;
  /** The same database as the portal logs in to it (portal_app); set as process.env.DATABASE_URL, so lib code runs as the app does. */
  appUrl: string;
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

/** Runs one query as the owner (RLS does not apply): fixtures for a case. */
export async function ownerQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(ownerUrl: string, sql: string, params: unknown[] = []): Promise<R[]> {
  return withClient(ownerUrl, async (c) => (await c.query<R>(sql, params)).rows);
}

/** Any constant: the advisory lock under which test databases of one cluster migrate (released with the connection). */
const CLUSTER_MIGRATION_LOCK = 20261206;

/**
 * migrate(url), one database of the cluster at a time: migrations change cluster-wide roles (portal_app,
 * portal_collector), and two databases migrating at once can collide on one role's catalog row ("tuple
 * concurrently updated"). The lock is on the admin database, which every test file shares.
 */
export async function migrateInCluster(url: string, adminUrl?: string): Promise<string[]> {
  return withClient(adminUrl ?? (await adminDatabaseUrl()), async (c) => {
    await c.query("select pg_advisory_lock($1)", [CLUSTER_MIGRATION_LOCK]);
    return migrate(url);
  });
}

/** A fresh database with every migration applied; DATABASE_URL points at it as portal_app. */
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
    await migrateInCluster(url, adminUrl);
  } catch (error) {
    await drop();
    throw error;
  }
  // The role exists once a database is migrated; let it log in (once per process).
  appLoginReady ??= enableAppLogin(url, TEST_APP_PASSWORD);
  const appUrl = await appLoginReady.then(() => urlAsApp(url));
  if (opts.setEnv ?? true) process.env.DATABASE_URL = appUrl;
  return { url, appUrl, adminUrl, drop };
}

async function stopOwnServer(): Promise<void> {
  const server = ownServer;
  ownServer = undefined;
  if (!server) return;
  await server.db.stop();
  await rm(server.dataDir, { recursive: true, force: true });
}
