// graphile-worker's own schema (graphile_worker), installed by the migration
// runner after the SQL migrations, as the database owner. The portal never
// migrates it at run time: it connects as portal_app and reaches the queue
// only through SET ROLE service_role (lib/jobs/engine.ts), which may use the
// queue's tables and functions but not change their shape.
import { Logger, runMigrations } from "graphile-worker";
import pg from "pg";
import { pgConnectionConfig } from "@/lib/db/connection";

/** graphile-worker's log lines go nowhere unless LOG_LEVEL=debug (the migration log says what changed). */
export const quietGraphileLogger = new Logger(() => () => {});

// Revoke before granting (docs/security-model.md): whatever default
// privileges or an earlier install granted on the queue's schema, tables,
// sequences and functions is taken back from PUBLIC and every API role
// (service_role and portal_app included), then service_role gets exactly what
// it needs; nobody else gets anything.
const REVOKE_ALL = `
  do $$
  declare
    r text;
    grantee text;
  begin
    foreach r in array array['public', 'anon', 'authenticated', 'service_role', 'portal_app'] loop
      if r = 'public' or exists (select 1 from pg_roles where rolname = r) then
        grantee := case r when 'public' then 'public' else quote_ident(r) end;
        execute format('revoke all on schema graphile_worker from %s', grantee);
        execute format('revoke all on all tables in schema graphile_worker from %s', grantee);
        execute format('revoke all on all sequences in schema graphile_worker from %s', grantee);
        execute format('revoke all on all functions in schema graphile_worker from %s', grantee);
      end if;
    end loop;
  end $$;`;

// Fair scheduling between tenants (migration 20261201013500) ranks a new job
// by how many jobs of its tenant's queue are waiting: this index keeps that
// count to the tenant's own waiting jobs instead of a scan of the whole queue.
// Ours, in graphile-worker's schema (it has no such index); named portal_*.
const FAIR_QUEUE_INDEX = `
  create index if not exists portal_waiting_by_queue on graphile_worker._private_jobs (job_queue_id) where locked_at is null;`;

// What service_role needs of the queue.
const GRANTS = `
  grant usage on schema graphile_worker to service_role;
  grant select, insert, update, delete on all tables in schema graphile_worker to service_role;
  grant usage, select on all sequences in schema graphile_worker to service_role;
  grant execute on all functions in schema graphile_worker to service_role;
  ${FAIR_QUEUE_INDEX}
  select jobs_engine.dispatch_pending();
  do $$ begin
    -- Mail and reports queued while the queue was not installed (migrations 20261201000100, 20261201017000);
    -- absent below those migrations.
    if to_regprocedure('mail.dispatch_pending()') is not null then perform mail.dispatch_pending(); end if;
    if to_regprocedure('reports.dispatch_pending()') is not null then perform reports.dispatch_pending(); end if;
  end $$;`;

/**
 * Installs or upgrades graphile-worker's schema and grants it to service_role.
 * Only where the jobs_engine migration is applied (a database rolled back
 * below it keeps no queue). Idempotent. Returns whether it ran.
 */
export async function installJobEngine(ownerUrl: string): Promise<boolean> {
  const client = new pg.Client(pgConnectionConfig(ownerUrl));
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>(`select to_regnamespace('jobs_engine') is not null as ok`);
    if (!rows[0]?.ok) return false;
    const migrationPool = new pg.Pool({ ...pgConnectionConfig(ownerUrl), max: 1 });
    // An idle connection dropped by the server would otherwise crash the
    // process; graphile-worker also warns ("no error handlers") without it.
    // The migration itself reports its own failure by throwing.
    migrationPool.on("error", () => {});
    try {
      await runMigrations({ pgPool: migrationPool, logger: quietGraphileLogger });
    } finally {
      await migrationPool.end();
    }
    // One transaction: a running worker never sees the queue without its grants.
    await client.query(`begin; ${REVOKE_ALL} ${GRANTS} commit;`);
    return true;
  } finally {
    await client.end();
  }
}
