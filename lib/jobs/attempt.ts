// One attempt at a job, as the worker records it on the job's visible row.
// graphile-worker decides that an attempt runs and when a failed one is
// retried; this module keeps public.jobs telling users the truth about it.
//
// Every write after startAttempt is conditioned on `locked_by = <worker>`, so
// a worker that was given up for dead (lib/jobs/liveness.ts) and whose job
// another worker took over cannot overwrite that worker's progress.
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";
import { safeError } from "@/lib/log";
import { recordJobAudit } from "./audit";
import { LeaseLostError, PermanentJobError } from "./errors";
import { enqueueServiceJobIn, joinLockKey, type JobRowRaw } from "./queue";
import type { ClaimedJob, JobAudit } from "./types";

/**
 * Marks the job running for `workerId` (attempts + 1). Null when there is
 * nothing to run: the row is gone, finished or cancelled (a graphile-worker
 * job can outlive its row's reason to run; it then just completes).
 */
export async function startAttempt(tenantId: string, id: string, workerId: string): Promise<ClaimedJob | null> {
  return withServiceRole("jobs.worker", async (db) => {
    const { rows } = await db.$client.query<JobRowRaw>(
      `update public.jobs
          set status = 'running', attempts = attempts + 1, locked_by = $3, started_at = coalesce(started_at, now())
        where tenant_id = $1 and id = $2 and status in ('queued', 'running')
        returning *`,
      [tenantId, id, workerId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      tenantId: r.tenant_id,
      id: r.id,
      kind: r.kind,
      payload: r.payload,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      progressDone: r.progress_done,
      progressTotal: r.progress_total,
      createdBy: r.created_by,
      lockedBy: workerId,
    };
  });
}

export interface JobPatch {
  progressDone?: number;
  progressTotal?: number | null;
  /** Merged into the payload (jsonb ||): a handler's checkpoint. */
  payload?: Record<string, unknown>;
}

/**
 * Updates the running job inside the caller's service-role transaction, so a
 * handler's checkpoint commits together with the work it describes. Throws
 * LeaseLostError (rolling that work back) if the job is no longer this worker's.
 */
export async function updateClaimedJob(db: Db, job: ClaimedJob, patch: JobPatch = {}): Promise<void> {
  const { rowCount } = await db.$client.query(
    `update public.jobs
        set progress_done = coalesce($3::int, progress_done),
            progress_total = case when $4::boolean then $5::int else progress_total end,
            payload = payload || coalesce($6::jsonb, '{}'::jsonb)
      where tenant_id = $1 and id = $2 and locked_by = $7 and status = 'running'`,
    [
      job.tenantId,
      job.id,
      patch.progressDone ?? null,
      patch.progressTotal !== undefined,
      patch.progressTotal ?? null,
      patch.payload ? JSON.stringify(patch.payload) : null,
      job.lockedBy,
    ],
  );
  if (rowCount !== 1) throw new LeaseLostError(job.id);
  if (patch.progressDone !== undefined) job.progressDone = patch.progressDone;
  if (patch.progressTotal !== undefined) job.progressTotal = patch.progressTotal;
  if (patch.payload) job.payload = { ...job.payload, ...patch.payload };
}

/** Records progress (its own transaction). */
export function progress(job: ClaimedJob, done: number, total?: number | null): Promise<void> {
  return withServiceRole("jobs.worker", (db) =>
    updateClaimedJob(db, job, total === undefined ? { progressDone: done } : { progressDone: done, progressTotal: total }),
  );
}

/** Checks the job is still this worker's (throws LeaseLostError if not). */
export function stillMine(job: ClaimedJob): Promise<void> {
  return withServiceRole("jobs.worker", (db) => updateClaimedJob(db, job));
}

/**
 * Finishes the job as succeeded with its result (and audit row), if this worker still holds it.
 * `workLeft` (the handler's): asked after every enqueue that joined this job has committed (they
 * hold its join lock, taken here alone first); true queues a fresh job of the kind for the same
 * tenant and creator, so work that arrived while this one was finishing is not left with no worker.
 */
export async function completeJob(
  job: ClaimedJob,
  result: Record<string, unknown>,
  audit?: JobAudit,
  workLeft?: (db: Db, job: ClaimedJob) => Promise<boolean>,
): Promise<void> {
  await withServiceRole("jobs.worker", async (db) => {
    if (workLeft) await db.$client.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [joinLockKey(job.tenantId, job.kind)]);
    const { rowCount } = await db.$client.query(
      `update public.jobs
          set status = 'succeeded', result = $4::jsonb, finished_at = now(), last_error = null,
              progress_done = greatest(progress_done, coalesce(progress_total, 0)), locked_by = null
        where tenant_id = $1 and id = $2 and locked_by = $3 and status = 'running'`,
      [job.tenantId, job.id, job.lockedBy, JSON.stringify(result)],
    );
    if (rowCount !== 1) throw new LeaseLostError(job.id);
    if (audit) await recordJobAudit(db, job, audit);
    if (workLeft && (await workLeft(db, job))) {
      await enqueueServiceJobIn(db, { tenantId: job.tenantId, kind: job.kind, maxAttempts: job.maxAttempts }, job.createdBy);
    }
  });
}

/** graphile-worker's backoff after its nth attempt failed: exp(min(n, 10)) seconds (its fail_jobs). */
export function graphileRetryDelayMs(graphileAttempts: number): number {
  return Math.round(Math.exp(Math.min(Math.max(graphileAttempts, 1), 10)) * 1000);
}

/** What the job row keeps of an error: safeError's scrubbed message (and SQLSTATE), never the raw text. */
export function describeJobError(error: unknown): string {
  const e = safeError(error);
  return e.code && /^[0-9A-Z]{5}$/.test(e.code) ? `${e.message} (SQLSTATE ${e.code})` : e.message;
}

export interface FailOptions {
  /** When graphile-worker will try again (only shown to users). */
  retryDelayMs?: number;
  /** Audit row if this failure is final. */
  finalAudit?: JobAudit;
}

/**
 * Records a failed attempt. With attempts left (and a retryable error) the
 * job shows as queued again (graphile-worker retries it after its backoff);
 * otherwise it fails for good. Returns which.
 */
export async function failJob(job: ClaimedJob, error: unknown, opts: FailOptions = {}): Promise<"retrying" | "failed"> {
  const message = describeJobError(error);
  const final = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
  return withServiceRole("jobs.worker", async (db) => {
    const { rowCount } = final
      ? await db.$client.query(
          `update public.jobs set status = 'failed', last_error = $4, finished_at = now(), locked_by = null
            where tenant_id = $1 and id = $2 and locked_by = $3 and status = 'running'`,
          [job.tenantId, job.id, job.lockedBy, message],
        )
      : await db.$client.query(
          `update public.jobs
              set status = 'queued', last_error = $4, locked_by = null,
                  run_after = now() + make_interval(secs => $5::double precision / 1000)
            where tenant_id = $1 and id = $2 and locked_by = $3 and status = 'running'`,
          [job.tenantId, job.id, job.lockedBy, message, opts.retryDelayMs ?? 0],
        );
    if (rowCount !== 1) throw new LeaseLostError(job.id);
    if (final && opts.finalAudit) await recordJobAudit(db, job, { outcome: "failure", ...opts.finalAudit });
    return final ? "failed" : "retrying";
  });
}

/** Gives the job back (the worker is stopping): queued again, this attempt not counted. */
export async function releaseJob(job: ClaimedJob): Promise<void> {
  await withServiceRole("jobs.worker", (db) =>
    db.$client.query(
      `update public.jobs
          set status = 'queued', attempts = greatest(attempts - 1, 0), locked_by = null, run_after = now()
        where tenant_id = $1 and id = $2 and locked_by = $3 and status = 'running'`,
      [job.tenantId, job.id, job.lockedBy],
    ),
  );
}
