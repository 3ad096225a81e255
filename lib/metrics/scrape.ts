// One scrape: the gauges that are read rather than counted (the job queue,
// usage rollup progress — one short service-role transaction, counts only, no
// tenant data — and the request pool), new tenant labels promoted, then the
// registry in Prometheus text format. A database that does not answer leaves
// those gauges out (portal_metrics_db_up 0); the process's own series are
// still served.
import { getPool } from "@/lib/db/pool";
import { withServiceRole } from "@/lib/db/service-role";
import { log, safeError } from "@/lib/log";
import { portalMetrics } from "./registry";

/** How long the database part of a scrape may take (Prometheus's default scrape timeout is 10 s). */
const DB_TIMEOUT_MS = 3_000;

async function readDatabaseGauges(): Promise<void> {
  const m = portalMetrics();
  const row = await withServiceRole("metrics.scrape", async (db) => {
    await db.$client.query(`set local statement_timeout = ${DB_TIMEOUT_MS}`);
    const { rows } = await db.$client.query<{ queued: number; running: number; failed: number; retrying: number; scanned_to: number | null }>(
      `select (select count(*)::int from public.jobs where status = 'queued') as queued,
              (select count(*)::int from public.jobs where status = 'running') as running,
              (select count(*)::int from public.jobs where status = 'failed' and coalesce(finished_at, created_at) > now() - interval '1 hour') as failed,
              (select count(*)::int from graphile_worker.jobs where attempts > 0 and last_error is not null and locked_at is null) as retrying,
              (select extract(epoch from scanned_to)::float8 from usage.rollup_state) as scanned_to`,
    );
    return rows[0];
  });
  m.jobs.set({ status: "queued" }, row.queued);
  m.jobs.set({ status: "running" }, row.running);
  m.jobsFailed.set(row.failed);
  m.jobsRetrying.set(row.retrying);
  if (row.scanned_to !== null) m.usageScannedTo.set(row.scanned_to);
}

export async function scrape(): Promise<{ body: string; contentType: string }> {
  const m = portalMetrics();
  m.tenants.promote();
  m.tenantLabels.set(m.tenants.labelledCount);
  try {
    await readDatabaseGauges();
    m.scrapeDbUp.set(1);
  } catch (error) {
    m.scrapeDbUp.set(0);
    log.warn({ event: "metrics.db-gauges-failed", err: safeError(error) }, "metrics: the database gauges could not be read");
  }
  const pool = getPool();
  m.dbPool.set({ state: "total" }, pool.totalCount);
  m.dbPool.set({ state: "idle" }, pool.idleCount);
  m.dbPool.set({ state: "in_use" }, pool.totalCount - pool.idleCount);
  m.dbPool.set({ state: "waiting" }, pool.waitingCount);
  return { body: await m.registry.metrics(), contentType: m.registry.contentType };
}
