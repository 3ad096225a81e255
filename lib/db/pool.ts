// The one connection pool. Connections log in as the database owner; every
// use of it goes through withTenant() or withServiceRole(), which switch to a
// restricted role for the length of one transaction.
import pg from "pg";
import { log, safeError } from "@/lib/log";

const globalForPool = globalThis as unknown as { __msspPool?: pg.Pool };
/** Pools closePool has begun to end. */
const closing = new WeakSet<pg.Pool>();

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set. Start the portal with `npm run portal` (it starts an embedded Postgres) or set DATABASE_URL.",
    );
  }
  return url;
}

export function getPool(): pg.Pool {
  if (!globalForPool.__msspPool) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: Number(process.env.DB_POOL_MAX ?? 10) });
    // An idle client error must not crash the process; the pool drops the client.
    // Once closePool has begun, errors are the server ending connections the
    // pool is already letting go of (pg's end() resolves before each client's
    // goodbye reaches the server, so a database stopped right after it kills
    // them first): expected at shutdown, not worth an error line.
    pool.on("error", (err) => {
      if (closing.has(pool)) return;
      log.error({ event: "db.pool-error", err: safeError(err) }, "idle postgres client error");
    });
    globalForPool.__msspPool = pool;
  }
  return globalForPool.__msspPool;
}

export async function closePool(): Promise<void> {
  const pool = globalForPool.__msspPool;
  globalForPool.__msspPool = undefined;
  if (!pool) return;
  closing.add(pool);
  await pool.end();
}
