// graphile-worker keeps a job whose attempts are used up (attempts >=
// max_attempts) for ever, unlocked: it never runs it again and never deletes
// it. For the tasks whose own rows are their record (the mail outbox, webhook
// deliveries), such a job says only "this row got no outcome": their sweeps
// (lib/mail/stranded.ts, lib/notify/stranded.ts) record that on the row, and
// then its job is noise, kept a while for whoever investigates and then
// deleted here. (The fair-queue priority, jobs_engine.waiting_in, ignores
// spent jobs already: migration 20261201029950.)
import type { Db } from "@/lib/db/with-tenant";

/** graphile-worker's count for the running job (a task's helpers.job). */
export interface JobAttempts {
  attempts: number;
  max_attempts: number;
}

/**
 * Whether this attempt of a row-backed delivery is its last: the row's own count reached its
 * maximum, or graphile-worker's did (its count runs ahead of the row's when an attempt died
 * before or after the row's claim, and it will not run the job again).
 */
export function isLastAttempt(row: JobAttempts, job?: JobAttempts): boolean {
  return row.attempts >= row.max_attempts || (job !== undefined && job.attempts >= job.max_attempts);
}

/**
 * SQL condition for a sweep: no graphile-worker job keyed `keyExpr` (an SQL expression naming the
 * row's job key) will still run: there is none, or it is spent and not locked within graphile-worker's
 * own 4 hours (a running attempt keeps its lock).
 */
export function noLiveJobSql(keyExpr: string): string {
  return `not exists (select 1 from graphile_worker._private_jobs j
                       where j.key = ${keyExpr}
                         and (j.attempts < j.max_attempts or j.locked_at > now() - interval '4 hours'))`;
}

/**
 * After a sweep failed its rows: removes their jobs (by key) and purges the task's spent jobs older than
 * the retention. Inside the sweep's service-role transaction. Returns how many spent jobs were purged.
 */
export async function dropSweptJobs(db: Db, keys: readonly string[], task: string): Promise<number> {
  for (const key of keys) await db.$client.query("select graphile_worker.remove_job($1)", [key]);
  return purgeSpentJobs(db, task);
}

/** How long a spent job of a swept task is kept before it is deleted. */
export const SPENT_JOB_RETENTION_DAYS = 7;

/**
 * Deletes the spent, unlocked jobs of `task` (a graphile-worker task
 * identifier) last touched more than `days` days ago. Inside a service-role
 * transaction. Returns how many went.
 */
export async function purgeSpentJobs(db: Db, task: string, days = SPENT_JOB_RETENTION_DAYS): Promise<number> {
  const { rowCount } = await db.$client.query(
    `delete from graphile_worker._private_jobs j
      using graphile_worker._private_tasks t
      where t.id = j.task_id and t.identifier = $1
        and j.attempts >= j.max_attempts and j.locked_at is null
        and j.updated_at < now() - make_interval(days => $2::int)`,
    [task, days],
  );
  return rowCount ?? 0;
}
