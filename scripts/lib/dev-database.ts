// The database the developer tooling works on: DATABASE_URL if set, otherwise
// the embedded Postgres whose data lives in .data/postgres (PG_DATA_DIR; kept
// between runs).
import path from "node:path";
import { settings } from "@/lib/config";
import { startEmbeddedPostgres } from "./embedded-postgres";

export interface DevDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** PG_PORT, default 54329: the embedded dev database's port. */
export const devPgPort = () => settings().PG_PORT ?? 54329;

/** PG_DATA_DIR, default .data/postgres: the embedded dev database's data folder (absolute). */
export const devDataDir = () => path.resolve(settings().PG_DATA_DIR ?? path.join(".data", "postgres"));

export async function openDevDatabase(log: (line: string) => void = console.log): Promise<DevDatabase> {
  const url = settings().DATABASE_URL;
  if (url) {
    return { url, embedded: false, stop: async () => {} };
  }
  log(`No DATABASE_URL: starting embedded Postgres (data in ${devDataDir()}, port ${devPgPort()})`);
  const db = await startEmbeddedPostgres({ dataDir: devDataDir(), port: devPgPort(), quiet: true });
  return { url: db.url, embedded: true, stop: db.stop };
}

/** Masks the password in a connection string for printing. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
