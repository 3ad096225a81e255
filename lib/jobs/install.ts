// graphile-worker's own schema (graphile_worker), installed by the migration
// runner after the SQL migrations, as the database owner. The portal never
// migrates it at run time: it connects as portal_app and reaches the queue
// only through SET ROLE service_role (lib/jobs/engine.ts), which may use the
// queue's tables and functions but not change their shape.
import { Logger, runMigrations } from "graphile-worker";
import pg from "pg";

/** graphile-worker's log lines go nowhere unless LOG_LEVEL=debug (the migration log says what changed). */
export const quietGraphileLogger = new Logger(() => () => {});

// What service_role needs of the queue; nobody else gets anything. On
// Supabase, default privileges may have granted new tables to anon and
// authenticated; they are taken back.
const GRANTS = `
  revoke all on schema graphile_worker from public;
  revoke all on all tables in schema graphile_worker from public;
  revoke execute on all functions in schema graphile_worker from public;
  grant usage on schema graphile_worker to service_role;
  grant select, insert, update, delete on all tables in schema graphile_worker to service_role;
  grant usage, select on all sequences in schema graphile_worker to service_role;
  grant execute on all functions in schema graphile_worker to service_role;
  select jobs_engine.dispatch_pending();`;

const REVOKE_FROM_API_ROLES = `
  do $$
  declare r text;
  begin
    foreach r in array array['anon', 'authenticated'] loop
      if exists (select 1 from pg_roles where rolname = r) then
        execute format('revoke all on all tables in schema graphile_worker from %I', r);
        execute format('revoke all on schema graphile_worker from %I', r);
        execute format('revoke execute on all functions in schema graphile_worker from %I', r);
      end if;
    end loop;
  end $$;`;

/**
 * Installs or upgrades graphile-worker's schema and grants it to service_role.
 * Only where the jobs_engine migration is applied (a database rolled back
 * below it keeps no queue). Idempotent. Returns whether it ran.
 */
export async function installJobEngine(ownerUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>(`select to_regnamespace('jobs_engine') is not null as ok`);
    if (!rows[0]?.ok) return false;
    await runMigrations({ connectionString: ownerUrl, logger: quietGraphileLogger });
    await client.query(GRANTS);
    await client.query(REVOKE_FROM_API_ROLES);
    return true;
  } finally {
    await client.end();
  }
}
