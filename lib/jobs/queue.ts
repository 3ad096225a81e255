// Queuing jobs and reading them as the system. A job is a row of public.jobs
// (what users see, under RLS); the trigger in 20261130000100_jobs_engine.sql
// hands each new row to graphile-worker in the same transaction, which then
// schedules, retries and wakes workers (lib/jobs/engine.ts).
//
//   enqueueJob(tx, …)       a user queues work inside their withTenant
//                           transaction (RLS, migration 20261201030800: MSSP
//                           admins of the tenant, a key rotation or a bulk run,
//                           created_by = auth.uid(), due at once: no runAfter);
//                           a second request for the same (tenant, kind) joins
//                           the unfinished job instead; one that never ran and
//                           is due later is first pulled to this request's time
//                           (trigger, migration 20261201031900).
//   enqueueServiceJob(…)    the same for commands and the system (created_by null).
//   retryJob / cancelJob    a failed job queued again (its finished workflow
//                           steps are kept), a queued one called off.
import { withServiceRole } from "@/lib/db/service-role";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import { recordJobAudit } from "./audit";
import { EnqueueError } from "./errors";
import type { JobAudit, JobView } from "./types";

export const KIND_PATTERN = /^[a-z]+(\.[a-z-]+)+$/;

/**
 * The graphile-worker queue of a tenant's jobs (one running job per tenant,
 * docs/jobs.md "Fairness between tenants"). The same name as the SQL side's
 * jobs_engine.tenant_queue, for jobs added from TypeScript.
 */
export function tenantQueue(tenantId: string): string {
  return `tenant:${tenantId}`;
}

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
  /** Not before this time (an offboarding's grace period). Default now. Service paths only: a person's job is due at once. */
  runAfter?: Date;
}

export interface Enqueued {
  job: JobView;
  /**
   * false: an unfinished job of the same kind already existed for the tenant, and this is it (due no
   * later than this request asked, unless it already ran and waits out its retry backoff).
   */
  created: boolean;
}

function checkRequest(req: EnqueueRequest) {
  if (!KIND_PATTERN.test(req.kind)) throw new EnqueueError(`not a job kind: ${req.kind.slice(0, 60)}`);
  if (req.maxAttempts !== undefined && !(Number.isInteger(req.maxAttempts) && req.maxAttempts > 0)) {
    throw new EnqueueError("maxAttempts must be a positive integer");
  }
  if (req.runAfter !== undefined && Number.isNaN(req.runAfter.getTime())) throw new EnqueueError("runAfter is not a date");
}

/** The advisory lock an enqueue that joins an unfinished job shares, and its completion takes alone. */
export function joinLockKey(tenantId: string, kind: string): string {
  return `jobs.join:${tenantId}:${kind}`;
}

/** Who queued it: the transaction's user (under RLS), a named user (service role, after the PDP said yes), or the system. */
type Creator = { sql: "auth.uid()" } | { userId: string | null };

async function enqueueWith(db: Db, req: EnqueueRequest, creator: Creator): Promise<Enqueued> {
  checkRequest(req);
  const client = db.$client;
  // A person (under RLS) writes only the columns `authenticated` may insert (migration
  // 20261201030800): the job is due at once, run_after takes its default.
  const asPerson = "sql" in creator;
  if (asPerson && req.runAfter !== undefined) throw new EnqueueError("only the system schedules a job for later (runAfter)");
  const insert = asPerson
    ? `insert into public.jobs (tenant_id, kind, payload, max_attempts, created_by)
       values ($1, $2, $3::jsonb, coalesce($4::int, 5), ${creator.sql})`
    : `insert into public.jobs (tenant_id, kind, payload, max_attempts, run_after, created_by)
       values ($1, $2, $3::jsonb, coalesce($4::int, 5), coalesce($5::timestamptz, now()), $6::uuid)`;
  const params = [req.tenantId, req.kind, JSON.stringify(req.payload ?? {}), req.maxAttempts ?? null, ...(asPerson ? [] : [req.runAfter ?? null, creator.userId])];
  // Joining the unfinished job is a loop because it can finish between the
  // refused insert and the read; a few rounds settle it.
  for (let round = 0; round < 5; round++) {
    const inserted = await client.query<JobRowRaw>(
      `${insert}
       on conflict (tenant_id, kind) where status in ('queued', 'running') do nothing
       returning *`,
      params,
    );
    if (inserted.rows[0]) return { job: jobView(inserted.rows[0]), created: true };
    // Joining a job that may be finishing: hold its kind's join lock until this transaction ends,
    // so its completion waits for whatever this transaction adds and sees it (completeJob's workLeft).
    // Read after the lock: a job that finished while we waited is not joined; the loop queues anew.
    await client.query("select pg_advisory_xact_lock_shared(hashtextextended($1, 0))", [joinLockKey(req.tenantId, req.kind)]);
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
 * commits with their audit row). RLS allows it only to an MSSP admin of the
 * tenant, for the kinds people start (a key rotation, a bulk run; migration
 * 20261201030800), due at once; what the job may do is the PDP's call, checked
 * by the caller first and by the worker before it runs.
 */
export function enqueueJob(tx: TenantTx, req: EnqueueRequest): Promise<Enqueued> {
  return enqueueWith(tx.db, req, { sql: "auth.uid()" });
}

/**
 * Queues a job inside a service-role transaction the caller holds (with its
 * other writes). `createdBy`: the user the PDP already allowed (the worker
 * asks again before it runs), or null for the system.
 */
export function enqueueServiceJobIn(db: Db, req: EnqueueRequest, createdBy: string | null = null): Promise<Enqueued> {
  return enqueueWith(db, req, { userId: createdBy });
}

/**
 * Queues a job as the system (commands, schedules): created_by is null. With
 * `audit`, a newly created job gets that audit row (no actor) in the same
 * transaction.
 */
export function enqueueServiceJob(req: EnqueueRequest, opts: { audit?: JobAudit } = {}): Promise<Enqueued> {
  return withServiceRole("jobs.worker", async (db) => {
    const enqueued = await enqueueWith(db, req, { userId: null });
    if (enqueued.created && opts.audit) await recordJobAudit(db, { ...enqueued.job, attempts: 0 }, opts.audit);
    return enqueued;
  });
}

/**
 * A failed (or cancelled) job queued again from where it stopped: attempts
 * start over, finished workflow steps stay finished. Null if the job is not
 * failed/cancelled (already running, finished well, or unknown).
 */
/**
 * `by`: who carries the job on, when not its creator: a person (the caller checked they may do the job's
 * action) or null for the system (an operator's command). The worker asks the PDP about the creator
 * before each run, so a job whose first creator has since lost the right (left the MSSP, a narrower
 * role) would otherwise fail again at every retry.
 */
export async function retryJob(db: Db, tenantId: string, id: string, by?: { userId: string | null }): Promise<JobView | null> {
  const { rows } = await db.$client.query<JobRowRaw>(
    `update public.jobs
        set status = 'queued', attempts = 0, last_error = null, finished_at = null, locked_by = null, run_after = now(),
            created_by = case when $4 then $3::uuid else created_by end
      where tenant_id = $1 and id = $2 and status in ('failed', 'cancelled')
      returning *`,
    [tenantId, id, by?.userId ?? null, by !== undefined],
  );
  return rows[0] ? jobView(rows[0]) : null;
}

/** Calls off a job that has not started (a scheduled one); null if it is running or finished. */
export async function cancelJob(db: Db, tenantId: string, id: string, reason: string): Promise<JobView | null> {
  const { rows } = await db.$client.query<JobRowRaw>(
    `update public.jobs set status = 'cancelled', last_error = $3, finished_at = now()
      where tenant_id = $1 and id = $2 and status = 'queued'
      returning *`,
    [tenantId, id, reason.slice(0, 500)],
  );
  return rows[0] ? jobView(rows[0]) : null;
}

/** A job by id for commands and the worker (service role; pages use getJob under RLS). */
export async function getJobAsService(tenantId: string, id: string): Promise<JobView | null> {
  return withServiceRole("jobs.worker", async (db) => {
    const { rows } = await db.$client.query<JobRowRaw>(`select * from public.jobs where tenant_id = $1 and id = $2`, [tenantId, id]);
    return rows[0] ? jobView(rows[0]) : null;
  });
}
