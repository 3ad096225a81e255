// Worker liveness: the one piece graphile-worker (node, 0.17) leaves to us.
// It frees the jobs of a worker that died without a goodbye (SIGKILL, OOM, a
// node lost) only after four hours. Each process here writes a heartbeat for
// the graphile-worker worker ids it runs; any worker sweeps: a locked job
// whose worker has no fresh heartbeat is unlocked at once
// (graphile_worker.force_unlock_workers), and its visible row goes back to
// queued, or to failed when that was its last attempt.
import { hostname } from "node:os";
import { withServiceRole } from "@/lib/db/service-role";
import { log, safeError } from "@/lib/log";
import { settings } from "@/lib/config";

/** A worker is dead when its heartbeat is older than this. Default 30 s (JOBS_WORKER_STALE_MS). */
export function staleAfterMs(): number {
  return settings().JOBS_WORKER_STALE_MS;
}

const PROCESS = `${hostname()}:${process.pid}`;
const tracked = new Set<string>();

/** Records a heartbeat for these worker ids now (called when a job starts and on every beat). */
export async function beat(workerIds: Iterable<string>): Promise<void> {
  const ids = [...workerIds];
  if (ids.length === 0) return;
  await withServiceRole("jobs.worker", (db) =>
    db.$client.query(
      `insert into jobs_engine.workers (worker_id, process, last_seen)
       select unnest($1::text[]), $2, now()
       on conflict (worker_id) do update set last_seen = now(), process = excluded.process`,
      [ids, PROCESS],
    ),
  );
}

/** Starts beating for a worker id of this process (idempotent). */
export async function track(workerId: string): Promise<void> {
  tracked.add(workerId);
  await beat([workerId]);
}

/** This process no longer runs this worker (it stopped cleanly): its row goes. */
export async function untrack(workerIds: Iterable<string>): Promise<void> {
  const ids = [...workerIds];
  for (const id of ids) tracked.delete(id);
  if (ids.length === 0) return;
  await withServiceRole("jobs.worker", (db) => db.$client.query(`delete from jobs_engine.workers where worker_id = any($1::text[])`, [ids]));
}

export interface SweepResult {
  deadWorkers: string[];
  requeued: number;
  failed: number;
}

/**
 * Frees every job locked by a worker with no fresh heartbeat (locked longer
 * than the stale time, so a worker that just took a job has time to beat).
 */
export async function sweepDeadWorkers(staleMs = staleAfterMs()): Promise<SweepResult> {
  return withServiceRole("jobs.worker", async (db) => {
    const c = db.$client;
    const { rows } = await c.query<{ worker_id: string }>(
      `select distinct g.locked_by as worker_id
         from graphile_worker._private_jobs g
        where g.locked_by is not null
          and g.locked_at < now() - make_interval(secs => $1::double precision / 1000)
          and not exists (select 1 from jobs_engine.workers w
                           where w.worker_id = g.locked_by
                             and w.last_seen >= now() - make_interval(secs => $1::double precision / 1000))`,
      [staleMs],
    );
    const dead = rows.map((r) => r.worker_id);
    if (dead.length === 0) return { deadWorkers: [], requeued: 0, failed: 0 };
    await c.query(`select graphile_worker.force_unlock_workers($1::text[])`, [dead]);
    await c.query(`delete from jobs_engine.workers where worker_id = any($1::text[])`, [dead]);
    const lastAttempt = await c.query<{ tenant_id: string; id: string }>(
      `update public.jobs
          set status = 'failed', finished_at = now(), locked_by = null,
              last_error = 'The worker running its last attempt stopped before finishing (crashed or was killed). Retry it to carry on from the step it reached.'
        where status = 'running' and locked_by = any($1::text[]) and attempts >= max_attempts
        returning tenant_id, id`,
      [dead],
    );
    for (const j of lastAttempt.rows) {
      await c.query(`select graphile_worker.remove_job($1)`, [`portal-job:${j.tenant_id}:${j.id}`]);
    }
    const requeued = await c.query(
      `update public.jobs set status = 'queued', locked_by = null
        where status = 'running' and locked_by = any($1::text[])`,
      [dead],
    );
    log.warn({ event: "jobs.dead-workers", workers: dead, requeued: requeued.rowCount, failed: lastAttempt.rowCount }, "freed the jobs of workers that stopped beating");
    return { deadWorkers: dead, requeued: requeued.rowCount ?? 0, failed: lastAttempt.rowCount ?? 0 };
  });
}

/** Beats for this process's workers and sweeps dead ones, every third of the stale time, until stopped. */
export function startLiveness(): { stop(): Promise<void> } {
  const every = Math.max(100, Math.floor(staleAfterMs() / 3));
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => beat(tracked))
      .then(() => sweepDeadWorkers())
      .then(() => undefined)
      .catch((error) => log.warn({ event: "jobs.liveness-failed", err: safeError(error) }, "worker heartbeat or sweep failed"));
  }, every);
  timer.unref?.();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
