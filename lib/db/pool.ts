// The one connection pool. Connections log in as the database owner; every
// use of it goes through withTenant() or withServiceRole(), which switch to a
// restricted role for the length of one transaction.
import { checkNotHolding } from "./held-connection";
import pg from "pg";
import { log, safeError } from "@/lib/log";
import { settings } from "@/lib/config";
import { describeTlsError, pgConnectionConfig } from "./connection";
import { sqlState } from "./sql-state";

const globalForPool = globalThis as unknown as { __msspPool?: pg.Pool };
/** admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away, not a fault here. */
const SERVER_ENDED = new Set(["57P01", "57P02", "57P03"]);
/** Pools closePool has begun to end. */
const closing = new WeakSet<pg.Pool>();

export function databaseUrl(): string {
  const url = settings().DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set. Start the portal with `npm run portal` (it starts an embedded Postgres) or set DATABASE_URL.",
    );
  }
  return url;
}

/** What the pool waits for: DB_POOL_MAX connections, and at most DB_POOL_CONNECT_TIMEOUT_MS for one. */
export function poolSettings(env: Record<string, string | undefined> = process.env): { max: number; connectionTimeoutMillis: number } {
  const s = settings(env);
  // pg's default connection wait (0) is forever: a flood that holds every
  // connection would stall every request behind it instead of failing it.
  return { max: s.DB_POOL_MAX, connectionTimeoutMillis: s.DB_POOL_CONNECT_TIMEOUT_MS };
}

/** Thrown when no pooled connection came free within DB_POOL_CONNECT_TIMEOUT_MS. */
export class PoolTimeoutError extends Error {
  readonly code = "DB_POOL_TIMEOUT";
  constructor(max: number, waitedMs: number, options?: { cause?: unknown }) {
    super(
      `No database connection came free within ${waitedMs} ms (all ${max} in use): the portal is overloaded; try again. ` +
        "Raise DB_POOL_MAX or DB_POOL_CONNECT_TIMEOUT_MS if this is the normal load.",
      options,
    );
    this.name = "PoolTimeoutError";
  }
}

// pg-pool's own error for a timed-out wait; it carries no code.
const isWaitTimeout = (err: unknown) => err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message);

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/** pg.Pool whose connection-wait timeout fails with PoolTimeoutError (pool.query and pool.connect alike). */
class PortalPool extends pg.Pool {
  constructor(private readonly settings: { max: number; connectionTimeoutMillis: number }, connectionString: string) {
    super({ ...pgConnectionConfig(connectionString), ...settings });
    this.url = connectionString;
  }
  private readonly url: string;
  private clear(err: Error): Error {
    if (isWaitTimeout(err)) return new PoolTimeoutError(this.settings.max, this.settings.connectionTimeoutMillis, { cause: err });
    // A TLS failure says what is wrong with the link, not just "self-signed certificate".
    return describeTlsError(err, this.url) ?? err;
  }
  connect(): Promise<pg.PoolClient>;
  connect(callback: ConnectCallback): void;
  connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    // Every acquisition (pool.query's too): none while this code already holds one (lib/db/held-connection.ts).
    checkNotHolding();
    if (callback) {
      return (super.connect as (cb: ConnectCallback) => void)((err, client, done) => callback(err ? this.clear(err) : err, client, done));
    }
    return super.connect().catch((err: Error) => {
      throw this.clear(err);
    });
  }
}

export function getPool(): pg.Pool {
  if (!globalForPool.__msspPool) {
    const pool: pg.Pool = new PortalPool(poolSettings(), databaseUrl());
    // An idle client error must not crash the process; the pool drops the client.
    // Once closePool has begun, errors are the server ending connections the
    // pool is already letting go of (pg's end() resolves before each client's
    // goodbye reaches the server, so a database stopped right after it kills
    // them first): expected at shutdown, not worth an error line.
    pool.on("error", (err) => {
      if (closing.has(pool)) return;
      // The server ending idle connections because it is shutting down or
      // restarting (a failover, a Ctrl-C of the local stack) is not the
      // portal's fault: the pool opens new ones when needed, and a request
      // that cannot get one fails with its own error.
      if (SERVER_ENDED.has(sqlState(err) ?? "")) {
        log.warn({ event: "db.connection-ended", err: safeError(err) }, "the database ended an idle connection (shutting down or restarting)");
        return;
      }
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
