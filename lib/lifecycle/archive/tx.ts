// Transactions of the archive code, on the named service-role purpose
// "lifecycle.archive" (lib/db/service-role.ts).
//
// An export must read every table from ONE snapshot, or an alert written
// between two tables' reads could name an asset the archive lacks. That needs
// REPEATABLE READ, which Postgres only accepts before the transaction's first
// statement, and withServiceRole's first statement is its set_config; so this
// file opens the transaction itself, then switches role exactly as
// withServiceRole does. Restores and imports use withServiceRole directly.
import type pg from "pg";
import { getPool } from "@/lib/db/pool";
import { withServiceRole, type ServicePurpose } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { CANONICAL_SESSION_SQL } from "./format";

const PURPOSE: ServicePurpose = "lifecycle.archive";

/** A read-only REPEATABLE READ transaction as service_role, with the canonical session settings. */
export async function withArchiveSnapshot<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  let destroy = false;
  try {
    await client.query("begin isolation level repeatable read, read only");
    await client.query(
      "select set_config('request.jwt.claims', $1, true), set_config('application_name', $2, true)",
      [JSON.stringify({ role: "service_role" }), `service:${PURPOSE}`],
    );
    await client.query("set local role service_role");
    await client.query(CANONICAL_SESSION_SQL);
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => {
      destroy = true;
    });
    throw error;
  } finally {
    client.release(destroy);
  }
}

/** One read-write transaction as service_role (withServiceRole), with the canonical session settings. */
export function withArchiveWrite<T>(fn: (client: pg.PoolClient, db: Db) => Promise<T>): Promise<T> {
  return withServiceRole(PURPOSE, async (db) => {
    await db.$client.query(CANONICAL_SESSION_SQL);
    return fn(db.$client, db);
  });
}
