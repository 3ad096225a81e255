// Applies supabase/migrations/*.sql in order, each in its own transaction,
// recording them in supabase_migrations.schema_migrations: the same table the
// Supabase CLI uses, so a database migrated here is one `supabase db push`
// understands, and the reverse. Idempotent: applied versions are skipped.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export const MIGRATIONS_DIR = path.join(process.cwd(), "supabase", "migrations");
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

export async function migrate(
  connectionString: string,
  opts: { log?: (line: string) => void; dir?: string } = {},
): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const client = new pg.Client({ connectionString });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text primary key, statements text[], name text)`);
    const done = new Set(
      (await client.query<{ version: string }>("select version from supabase_migrations.schema_migrations")).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of await listMigrations(opts.dir)) {
      if (done.has(m.version)) continue;
      const sql = await readFile(m.file, "utf8");
      await client.query("begin");
      try {
        await client.query(sql);
        await client.query(
          "insert into supabase_migrations.schema_migrations (version, statements, name) values ($1, $2, $3)",
          [m.version, [sql], m.name],
        );
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw new Error(`migration ${m.version}_${m.name} failed: ${(error as Error).message}`);
      }
      applied.push(`${m.version}_${m.name}`);
      log(`applied ${m.version}_${m.name}`);
    }
    if (applied.length === 0) log("database is up to date");
    return applied;
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
