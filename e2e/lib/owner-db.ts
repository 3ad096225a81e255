// One query as the database owner (RLS does not apply) against the run's
// database: a spec's fixtures and its checks of what was stored.
import pg from "pg";
import { runInfo } from "./markers";

export async function ownerQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: runInfo().databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

// Runs fn while this owner session holds a session advisory lock: a spec
// keeps a background job that takes the same lock (e.g. the ten-minute
// custom-domain re-check) from changing its fixtures halfway through, whatever
// the wall clock says when the spec runs.
export async function holdingAdvisoryLock<T>(lockName: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: runInfo().databaseUrl });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext($1))", [lockName]);
    return await fn();
  } finally {
    await client.end();
  }
}
