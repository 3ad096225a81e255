// The Postgres-backed queue (supabase/migrations/20261129000300_jobs.sql).
//
//   enqueueJob(tx, …)       a user queues work inside their withTenant
//                           transaction (RLS: admins of the tenant, created_by
//                           = auth.uid()); a second request for the same
//                           (tenant, kind) joins the unfinished job instead.
//   enqueueServiceJob(…)    the same for commands and the system (created_by null).
//   claimNextJob(worker, …) FOR UPDATE SKIP LOCKED over queued jobs and running
//                           jobs whose lease lapsed; attempts + 1; a lease.
//   progress / heartbeat    extend the lease; refuse if another worker took it.
//   completeJob / failJob   finish (with the audit row in the same
//                           transaction), or retry with exponential backoff
//                           until max_attempts; last_error is safeError's
//                           scrubbed message, never the raw error text.
//
// Every write after the claim is conditioned on `locked_by = <this worker>`,
// so a worker whose lease lapsed cannot overwrite the one that took over.
// Everything but enqueueJob runs on the named service-role path "jobs.worker".
import { scrubDetails } from "@/lib/audit/record";
import { withServiceRole } from "@/lib/db/service-role";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import { safeError } from "@/lib/log";
import { EnqueueError, LeaseLostError, PermanentJobError } from "./errors";
import type { ClaimedJob, JobAudit, JobView } from "./types";

export const KIND_PATTERN = /^[a-z]+(\.[a-z-]+)+$/;
export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_RETRY_BACKOFF_MS = 5_000;
const MAX_RETRY_BACKOFF_MS = 15 * 60_000;

export interface JobRowRaw {
  tenant_id: string;
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  status: JobView["status"];
  progress_done: number;
  progress_total: number | null;
  attempts: number;
  max_attempts: number;
  run_after: Date | string;
  locked_by: string | null;
  locked_until: Date | string | null;
  last_error: string | null;
  result: Record<string, unknown> | null;
  created_by: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const dateOrNull = (v: Date | string | null) => (v === null ? null : date(v));

export function jobView(r: JobRowRaw): JobView {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    kind: r.kind,
    status: r.status,
    progressDone: r.progress_done,
    progressTotal: r.progress_total,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    result: r.result,
    payload: r.payload,
    createdBy: r.created_by,
    createdAt: date(r.created_at),
    startedAt: dateOrNull(r.started_at),
    finishedAt: dateOrNull(r.finished_at),
    runAfter: date(r.run_after),
  };
}

export interface EnqueueRequest {
  tenantId: string;
  kind: string;
  payload?: Record<string, unknown>;
  maxAttempts?: number;
}

export interface Enqueued {
  job: JobView;
  /** false: an unfinished job of the same kind already existed for the tenant, and this is it. */
  created: boolean;
}

function checkRequest(req: EnqueueRequest) {
  if (!KIND_PATTERN.test(req.kind)) throw new EnqueueError(`not a job kind: ${req.kind.slice(0, 60)}`);
  if (req.maxAttempts !== undefined && !(Number.isInteger(req.maxAttempts) && req.maxAttempts > 0)) {
    throw new EnqueueError("maxAttempts must be a positive integer");
  }
}

async function enqueueWith(db: Db, req: EnqueueRequest, createdBy: "auth.uid()" | "null"): Promise<Enqueued> {
  checkRequest(req);
  const client = db.$client;
  // Joining the unfinished job is a loop because it can finish between the
  // refused insert and the read; a few rounds settle it.
  for (let round = 0; round < 5; round++) {
    const inserted = await client.query<JobRowRaw>(
      `insert into public.jobs (tenant_id, kind, payload, max_attempts, created_by)
       values ($1, $2, $3::jsonb, coalesce($4::int, 5), ${createdBy})
       on conflict (tenant_id, kind) where status in ('queued', 'running') do nothing
       returning *`,
      [req.tenantId, req.kind, JSON.stringify(req.payload ?? {}), req.maxAttempts ?? null],
    );
    if (inserted.rows[0]) return { job: jobView(inserted.rows[0]), created: true };
    const existing = await client.query<JobRowRaw>(
      `select * from public.jobs where tenant_id = $1 and kind = $2 and status in ('queued', 'running')`,
      [req.tenantId, req.kind],
    );
    if (existing.rows[0]) return { job: jobView(existing.rows[0]), created: false };
  }
  throw new EnqueueError(`could not queue ${req.kind}: jobs of this kind keep starting and finishing; try again`);
}

/**
 * Queues a job as the signed-in user, in their withTenant transaction (so it
 * commits with their audit row). RLS allows it only on tenants where they are
 * an admin; what the job may do is the PDP's call, checked by the caller first.
 */
export function enqueueJob(tx: TenantTx, req: EnqueueRequest): Promise<Enqueued> {
  return enqueueWith(tx.db, req, "auth.uid()");
}

/**
 * Queues a job as the system (commands, schedules): created_by is null. With
 * `audit`, a newly created job gets that audit row (no actor) in the same
 * transaction.
 */
export function enqueueServiceJob(req: EnqueueRequest, opts: { audit?: JobAudit } = {}): Promise<Enqueued> {
  return withServiceRole("jobs.worker", async (db) => {
    const enqueued = await enqueueWith(db, req, "null");
    if (enqueued.created && opts.audit) await recordJobAudit(db, { ...enqueued.job, attempts: 0 }, opts.audit);
    return enqueued;
  });
}

// ---------------------------------------------------------------------------
// The worker's side
// ---------------------------------------------------------------------------

export interface ClaimOptions {
  /** Only these kinds (the ones the worker has handlers for). */
  kinds: readonly string[];
  leaseMs?: number;
}

const LEASE_SQL = `now() + make_interval(secs => $LEASE::double precision / 1000)`;
const lease = (param: number) => LEASE_SQL.replace("$LEASE", `$${param}`);

/**
 * Claims the next runnable job of `kinds`: queued and due, or running with a
 * lapsed lease (its worker died). Two workers never get the same job (SKIP
 * LOCKED, and the status/lease condition re-checked by the UPDATE). A job
 * whose worker died during its last attempt is failed here instead of run again.
 */
export async function claimNextJob(workerId: string, opts: ClaimOptions): Promise<ClaimedJob | null> {
  if (opts.kinds.length === 0) return null;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  for (;;) {
    const outcome = await withServiceRole("jobs.worker", async (db) => {
      const { rows } = await db.$client.query<JobRowRaw>(
        `with next as (
           select tenant_id, id from public.jobs
            where kind = any($1::text[]) and run_after <= now()
              and (status = 'queued' or (status = 'running' and (locked_until is null or locked_until < now())))
            order by run_after, created_at
            limit 1
              for update skip locked)
         update public.jobs j
            set status = 'running', attempts = j.attempts + 1, locked_by = $2,
                locked_until = ${lease(3)}, started_at = coalesce(j.started_at, now())
           from next
          where j.tenant_id = next.tenant_id and j.id = next.id
         returning j.*`,
        [opts.kinds, workerId, leaseMs],
      );
      const row = rows[0];
      if (!row) return { kind: "none" as const };
      if (row.attempts > row.max_attempts) {
        // Its worker stopped (crashed, killed) during the last attempt it had.
        await db.$client.query(
          `update public.jobs set status = 'failed', attempts = max_attempts, finished_at = now(),
                  locked_by = null, locked_until = null,
                  last_error = 'The worker running its last attempt stopped before finishing (crashed or was killed). Queue it again.'
            where tenant_id = $1 and id = $2`,
          [row.tenant_id, row.id],
        );
        return { kind: "abandoned" as const };
      }
      return { kind: "claimed" as const, row };
    });
    if (outcome.kind === "none") return null;
    if (outcome.kind === "claimed") {
      const r = outcome.row;
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
        leaseMs,
      };
    }
  }
}

export interface JobPatch {
  progressDone?: number;
  progressTotal?: number | null;
  /** Merged into the payload (jsonb ||): a handler's checkpoint. */
  payload?: Record<string, unknown>;
}

/**
 * Updates the claimed job inside the caller's service-role transaction and
 * extends its lease, so a handler's checkpoint commits together with the work
 * it describes. Throws LeaseLostError (rolling that work back) if the job is
 * no longer this worker's.
 */
export async function updateClaimedJob(db: Db, job: ClaimedJob, patch: JobPatch = {}): Promise<void> {
  const { rowCount } = await db.$client.query(
    `update public.jobs
        set progress_done = coalesce($3::int, progress_done),
            progress_total = case when $4::boolean then $5::int else progress_total end,
            payload = payload || coalesce($6::jsonb, '{}'::jsonb),
            locked_until = ${lease(8)}
      where tenant_id = $1 and id = $2 and locked_by = $7 and status = 'running'`,
    [
      job.tenantId,
      job.id,
      patch.progressDone ?? null,
      patch.progressTotal !== undefined,
      patch.progressTotal ?? null,
      patch.payload ? JSON.stringify(patch.payload) : null,
      job.lockedBy,
      job.leaseMs,
    ],
  );
  if (rowCount !== 1) throw new LeaseLostError(job.id);
  if (patch.progressDone !== undefined) job.progressDone = patch.progressDone;
  if (patch.progressTotal !== undefined) job.progressTotal = patch.progressTotal;
  if (patch.payload) job.payload = { ...job.payload, ...patch.payload };
}

/** Records progress and extends the lease (its own transaction). */
export function progress(job: ClaimedJob, done: number, total?: number | null): Promise<void> {
  return withServiceRole("jobs.worker", (db) =>
    updateClaimedJob(db, job, total === undefined ? { progressDone: done } : { progressDone: done, progressTotal: total }),
  );
}

/** Extends the lease. */
export function heartbeat(job: ClaimedJob): Promise<void> {
  return withServiceRole("jobs.worker", (db) => updateClaimedJob(db, job));
}

/**
 * An audit row about a job, written by the worker (service role) in the
 * transaction that finishes the job. No actor: the system did it; who queued
 * the job is in the details.
 */
async function recordJobAudit(
  db: Db,
  job: Pick<ClaimedJob, "tenantId" | "id" | "kind" | "createdBy" | "attempts">,
  audit: JobAudit,
): Promise<void> {
  const details = scrubDetails({ ...(audit.details ?? {}), job_id: job.id, job_kind: job.kind, queued_by: job.createdBy, attempt: job.attempts });
  await db.$client.query(
    `insert into public.audit_log (tenant_id, actor_id, action, target_type, target_id, outcome, details)
     values ($1, null, $2, $3, $4, $5, $6::jsonb)`,
    [job.tenantId, audit.action, audit.targetType ?? "job", audit.targetId ?? job.id, audit.outcome ?? "success", JSON.stringify(details)],
  );
}

/** Finishes the job as succeeded with its result (and audit row), if this worker still holds it. */
export async function completeJob(job: ClaimedJob, result: Record<string, unknown>, audit?: JobAudit): Promise<void> {
  await withServiceRole("jobs.worker", async (db) => {
    const { rowCount } = await db.$client.query(
      `update public.jobs
          set status = 'succeeded', result = $4::jsonb, finished_at = now(), last_error = null,
              progress_done = greatest(progress_done, coalesce(progress_total, 0)),
              locked_by = null, locked_until = null
        where tenant_id = $1 and id = $2 and locked_by = $3 and status = 'running'`,
      [job.tenantId, job.id, job.lockedBy, JSON.stringify(result)],
    );
    if (rowCount !== 1) throw new LeaseLostError(job.id);
    if (audit) await recordJobAudit(db, job, audit);
  });
}

/** The delay before attempt n + 1 after attempt n failed: base · 2^(n-1), at most 15 minutes. */
export function retryDelayMs(attempts: number, baseMs = DEFAULT_RETRY_BACKOFF_MS): number {
  return Math.min(MAX_RETRY_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** What the job row keeps of an error: safeError's scrubbed message (and SQLSTATE), never the raw text. */
export function describeJobError(error: unknown): string {
  const e = safeError(error);
  return e.code && /^[0-9A-Z]{5}$/.test(e.code) ? `${e.message} (SQLSTATE ${e.code})` : e.message;
}

export interface FailOptions {
  retryBackoffMs?: number;
  /** Audit row if this failure is final. */
  finalAudit?: JobAudit;
}

/**
 * Records a failed attempt. With attempts left (and a retryable error) the job
 * goes back to the queue, due after the backoff; otherwise it fails for good.
 * Returns what happened.
 */
export async function failJob(job: ClaimedJob, error: unknown, opts: FailOptions = {}): Promise<"retrying" | "failed"> {
  const message = describeJobError(error);
  const final = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
  return withServiceRole("jobs.worker", async (db) => {
    const { rowCount } = final
      ? await db.$client.query(
          `update public.jobs
              set status = 'failed', last_error = $4, finished_at = now(), locked_by = null, locked_until = null
            where tenant_id = $1 and id = $2 and locked_by = $3 and status = 'running'`,
          [job.tenantId, job.id, job.lockedBy, message],
        )
      : await db.$client.query(
          `update public.jobs
              set status = 'queued', last_error = $4, locked_by = null, locked_until = null,
                  run_after = now() + make_interval(secs => $5::double precision / 1000)
            where tenant_id = $1 and id = $2 and locked_by = $3 and status = 'running'`,
          [job.tenantId, job.id, job.lockedBy, message, retryDelayMs(job.attempts, opts.retryBackoffMs)],
        );
    if (rowCount !== 1) throw new LeaseLostError(job.id);
    if (final && opts.finalAudit) await recordJobAudit(db, job, { outcome: "failure", ...opts.finalAudit });
    return final ? "failed" : "retrying";
  });
}

/** Gives the job back (the worker is stopping): queued again at once, this attempt not counted. */
export async function releaseJob(job: ClaimedJob): Promise<void> {
  await withServiceRole("jobs.worker", (db) =>
    db.$client.query(
      `update public.jobs
          set status = 'queued', attempts = greatest(attempts - 1, 0), locked_by = null, locked_until = null, run_after = now()
        where tenant_id = $1 and id = $2 and locked_by = $3 and status = 'running'`,
      [job.tenantId, job.id, job.lockedBy],
    ),
  );
}

/** A job by id for commands and the worker (service role; pages use getJob under RLS). */
export async function getJobAsService(tenantId: string, id: string): Promise<JobView | null> {
  return withServiceRole("jobs.worker", async (db) => {
    const { rows } = await db.$client.query<JobRowRaw>(`select * from public.jobs where tenant_id = $1 and id = $2`, [tenantId, id]);
    return rows[0] ? jobView(rows[0]) : null;
  });
}
