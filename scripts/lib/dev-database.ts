// The database the developer tooling works on: DATABASE_URL if set, otherwise
// the embedded Postgres whose data lives in .data/postgres (kept between runs).
import { DEV_DATA_DIR, startEmbeddedPostgres } from "./embedded-postgres";

export interface DevDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export const DEV_PG_PORT = Number(process.env.PG_PORT ?? 54329);

export async function openDevDatabase(log: (line: string) => void = console.log): Promise<DevDatabase> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  log(`No DATABASE_URL: starting embedded Postgres (data in ${DEV_DATA_DIR}, port ${DEV_PG_PORT})`);
  const db = await startEmbeddedPostgres({ dataDir: DEV_DATA_DIR, port: DEV_PG_PORT, quiet: true });
  return { url: db.url, embedded: true, stop: db.stop };
}

/** Masks the password in a connection string for printing. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
