// The database the developer tooling works on: DATABASE_URL if set, otherwise
// the embedded Postgres whose data lives in .data/postgres (kept between runs).
import { settings } from "@/lib/config";
import { DEV_DATA_DIR, startEmbeddedPostgres } from "./embedded-postgres";

export interface DevDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** PG_PORT, default 54329: the embedded dev database's port. */
export const devPgPort = () => settings().PG_PORT ?? 54329;

export async function openDevDatabase(log: (line: string) => void = console.log): Promise<DevDatabase> {
  const url = settings().DATABASE_URL;
  if (url) {
    return { url, embedded: false, stop: async () => {} };
  }
  log(`No DATABASE_URL: starting embedded Postgres (data in ${DEV_DATA_DIR}, port ${devPgPort()})`);
  const db = await startEmbeddedPostgres({ dataDir: DEV_DATA_DIR, port: devPgPort(), quiet: true });
  return { url: db.url, embedded: true, stop: db.stop };
}

/** Masks the password in a connection string for printing. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
