// Applies supabase/migrations/*.sql in order, each in its own transaction,
// recording them in supabase_migrations.schema_migrations: the same table the
// Supabase CLI uses, so a database migrated here is one `supabase db push`
// understands, and the reverse. Idempotent: applied versions are skipped.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { installJobEngine } from "../jobs/install";
import { pgConnectionConfig } from "./connection";

export const MIGRATIONS_DIR = path.join(process.cwd(), "supabase", "migrations");
// One <version>_<name>.down.sql per migration: the tested way back.
export const ROLLBACKS_DIR = path.join(process.cwd(), "supabase", "rollbacks");
const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;
// Arbitrary constant: serialises concurrent migrators on one database.
const MIGRATION_LOCK_KEY = 727_001;

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  return names.map((file) => {
    const match = MIGRATION_FILE.exec(file);
    if (!match) throw new Error(`migration file name must look like 20260101000000_name.sql: ${file}`);
    return { version: match[1], name: match[2], file: path.join(dir, file) };
  });
}

async function withMigrationLock<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(pgConnectionConfig(connectionString));
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text primary key, statements text[], name text)`);
    return await fn(client);
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

async function appliedVersions(client: pg.Client): Promise<Set<string>> {
  const { rows } = await client.query<{ version: string }>("select version from supabase_migrations.schema_migrations");
  return new Set(rows.map((r) => r.version));
}

/** Runs `sql` and the bookkeeping statement in one transaction. */
async function applyAtomically(client: pg.Client, label: string, sql: string, bookkeeping: [string, unknown[]]) {
  await client.query("begin");
  try {
    await client.query(sql);
    await client.query(...bookkeeping);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw new Error(`${label} failed: ${(error as Error).message}`);
  }
}

export async function migrate(
  connectionString: string,
  opts: { log?: (line: string) => void; dir?: string } = {},
): Promise<string[]> {
  const log = opts.log ?? (() => {});
  return withMigrationLock(connectionString, async (client) => {
    const done = await appliedVersions(client);
    const applied: string[] = [];
    for (const m of await listMigrations(opts.dir)) {
      if (done.has(m.version)) continue;
      const sql = await readFile(m.file, "utf8");
      await applyAtomically(client, `migration ${m.version}_${m.name}`, sql, [
        "insert into supabase_migrations.schema_migrations (version, statements, name) values ($1, $2, $3)",
        [m.version, [sql], m.name],
      ]);
      applied.push(`${m.version}_${m.name}`);
      log(`applied ${m.version}_${m.name}`);
    }
    if (applied.length === 0) log("database is up to date");
    // graphile-worker's schema is versioned by graphile-worker itself, not by
    // a file here; it follows the SQL migrations every time (a no-op when current).
    if (await installJobEngine(connectionString)) log("job engine (graphile-worker) schema is current");
    return applied;
  });
}

/**
 * Rolls back applied migrations newest first, down to (not including)
 * `toVersion`; with no target, all of them. Each step runs its .down.sql and
 * removes its bookkeeping row in one transaction.
 */
export async function rollback(
  connectionString: string,
  opts: { toVersion?: string; log?: (line: string) => void } = {},
): Promise<string[]> {
  const log = opts.log ?? (() => {});
  return withMigrationLock(connectionString, async (client) => {
    const done = await appliedVersions(client);
    const steps = (await listMigrations())
      .filter((m) => done.has(m.version) && (!opts.toVersion || m.version > opts.toVersion))
      .reverse();
    const rolledBack: string[] = [];
    for (const m of steps) {
      const downFile = path.join(ROLLBACKS_DIR, `${m.version}_${m.name}.down.sql`);
      const sql = await readFile(downFile, "utf8").catch(() => {
        throw new Error(`no rollback for ${m.version}_${m.name}: expected ${downFile}`);
      });
      await applyAtomically(client, `rollback ${m.version}_${m.name}`, sql, [
        "delete from supabase_migrations.schema_migrations where version = $1",
        [m.version],
      ]);
      rolledBack.push(`${m.version}_${m.name}`);
      log(`rolled back ${m.version}_${m.name}`);
    }
    return rolledBack;
  });
}
