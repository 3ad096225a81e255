// A migration's SQL or its rollback's, read from supabase/ as the migrator reads them: for the tests
// that run a rollback and the migration again on a database of their own.
import { readFile } from "node:fs/promises";
import path from "node:path";

/** supabase/migrations/<name>.sql, or supabase/rollbacks/<name>.down.sql. */
export function migrationFile(dir: "migrations" | "rollbacks", name: string): Promise<string> {
  return readFile(path.join(process.cwd(), "supabase", dir, dir === "migrations" ? `${name}.sql` : `${name}.down.sql`), "utf8");
}
