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
