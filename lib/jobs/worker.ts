// Running jobs: a handler registry by kind, one job at a time per worker.
//
//   runWorker({ signal })   the long-running loop (the Next server starts one
//                           in instrumentation.ts; JOBS_WORKER=0 turns it off)
//   runJobsUntilIdle()      for commands and tests: runs what is due, returns
//   runJob(job)             one claimed job: handler, lease heartbeat, finish
//
// A handler must be safe to run again after a crash at any point: the job is
// claimed again once its lease lapses and the handler resumes from what its
// committed checkpoints say.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { authorize, isAuthorizationError } from "@/lib/authz";
import type { Action } from "@/lib/authz/actions";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";
import { JobInterruptedError, LeaseLostError, PermanentJobError } from "./errors";
import { claimNextJob, completeJob, DEFAULT_LEASE_MS, failJob, heartbeat, progress, releaseJob } from "./queue";
import type { ClaimedJob, JobContext, JobHandler } from "./types";

const registry = new Map<string, JobHandler>();

/** Registers (or replaces) the handler of a kind for every worker in this process. */
export function registerJobHandler(kind: string, handler: JobHandler): void {
  registry.set(kind, handler);
}

export function registeredKinds(): string[] {
  return [...registry.keys()];
}

export interface WorkerOptions {
  /** Defaults to host:pid:random. Shown in jobs.locked_by. */
  workerId?: string;
  /** Kinds to claim; default every kind with a handler. */
  kinds?: readonly string[];
  /** Handlers that take precedence over the registry (tests, commands). */
  handlers?: Readonly<Record<string, JobHandler>>;
  /** Lease per claim, extended by progress and a heartbeat every third of it. Default 60 s (JOBS_LEASE_MS). */
  leaseMs?: number;
  /** Base of the exponential retry backoff. Default 5 s (JOBS_RETRY_BACKOFF_MS). */
  retryBackoffMs?: number;
  /** Stops the worker: a running job is given back to the queue at its next checkpoint. */
  signal?: AbortSignal;
}

export function newWorkerId(label = "worker"): string {
  return `${label}:${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

function envMs(name: string): number | undefined {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function resolved(opts: WorkerOptions) {
  const handlers = new Map(registry);
  for (const [kind, h] of Object.entries(opts.handlers ?? {})) handlers.set(kind, h);
  return {
    workerId: opts.workerId ?? newWorkerId(),
    kinds: opts.kinds ?? [...handlers.keys()],
    handlers,
    leaseMs: opts.leaseMs ?? envMs("JOBS_LEASE_MS") ?? DEFAULT_LEASE_MS,
    retryBackoffMs: opts.retryBackoffMs ?? envMs("JOBS_RETRY_BACKOFF_MS"),
    signal: opts.signal,
  };
}

/** Throws JobInterruptedError if the worker is stopping (or lost the lease): call between units of work. */
export function checkpoint(ctx: JobContext): void {
  if (ctx.signal.aborted) {
    if (ctx.signal.reason instanceof LeaseLostError) throw ctx.signal.reason;
    throw new JobInterruptedError(ctx.job.id);
  }
}

/**
 * A job a user queued runs only if the PDP still lets that user do the
 * handler's action on the job's tenant (the role may have been revoked since
 * the click, or the row inserted directly: RLS checks the role, not the
 * action). A PDP that cannot answer makes the attempt fail and retry.
 */
async function requireCreatorMay(handler: JobHandler, job: ClaimedJob): Promise<void> {
  if (job.createdBy === null) return;
  if (handler.requires === "system-only") {
    throw new PermanentJobError(`"${job.kind}" jobs are queued by the system only; this one was queued by a user and did not run.`);
  }
  try {
    await withTenant({ userId: job.createdBy, activeTenantId: null }, (tx) => authorize(tx, handler.requires as Action, job.tenantId));
  } catch (error) {
    if (isAuthorizationError(error)) {
      throw new PermanentJobError(
        `The person who queued this job may not do it on this tenant (${handler.requires}). Nothing was changed.`,
      );
    }
    throw error;
  }
}

export type RunOutcome = "succeeded" | "retrying" | "failed" | "released" | "lease-lost";

/** Runs one claimed job to its end (or back to the queue). Never throws for the job's own failure. */
export async function runJob(job: ClaimedJob, opts: WorkerOptions = {}): Promise<RunOutcome> {
  const o = resolved(opts);
  const handler = o.handlers.get(job.kind);
  const jobLog = { jobId: job.id, kind: job.kind, tenantId: job.tenantId, attempt: job.attempts };
  if (!handler) {
    await failJob(job, new PermanentJobError(`no worker here knows how to run "${job.kind}" jobs`));
    return "failed";
  }

  const controller = new AbortController();
  const stop = () => controller.abort(new JobInterruptedError(job.id));
  if (o.signal?.aborted) stop();
  o.signal?.addEventListener("abort", stop, { once: true });
  const lost = (error: unknown) => {
    if (error instanceof LeaseLostError && !controller.signal.aborted) controller.abort(error);
  };
  const timer = setInterval(() => {
    heartbeat(job).catch((error) => {
      lost(error);
      if (!(error instanceof LeaseLostError)) log.warn({ event: "jobs.heartbeat-failed", ...jobLog, err: safeError(error) }, "job heartbeat failed");
    });
  }, Math.max(250, Math.floor(job.leaseMs / 3)));
  timer.unref?.();

  const ctx: JobContext = {
    job,
    workerId: job.lockedBy,
    signal: controller.signal,
    progress: (done, total) => progress(job, done, total).catch((e) => (lost(e), Promise.reject(e))),
    heartbeat: () => heartbeat(job).catch((e) => (lost(e), Promise.reject(e))),
  };

  const started = Date.now();
  try {
    log.info({ event: "jobs.started", ...jobLog }, `job ${job.kind} started`);
    await requireCreatorMay(handler, job);
    const outcome = await handler.run(ctx);
    clearInterval(timer);
    await completeJob(job, outcome.result, outcome.audit);
    log.info({ event: "jobs.succeeded", ...jobLog, ms: Date.now() - started }, `job ${job.kind} succeeded`);
    return "succeeded";
  } catch (error) {
    clearInterval(timer);
    if (error instanceof LeaseLostError || controller.signal.reason instanceof LeaseLostError) {
      log.warn({ event: "jobs.lease-lost", ...jobLog }, `job ${job.kind}: another worker took it over`);
      return "lease-lost";
    }
    if (error instanceof JobInterruptedError && o.signal?.aborted) {
      await releaseJob(job).catch((e) => log.error({ event: "jobs.release-failed", ...jobLog, err: safeError(e) }, "could not give the job back"));
      log.info({ event: "jobs.released", ...jobLog }, `job ${job.kind} given back to the queue (worker stopping)`);
      return "released";
    }
    const summary = safeError(error);
    let finalAudit;
    try {
      finalAudit = handler.auditFailure?.(job, summary);
    } catch {
      finalAudit = undefined;
    }
    try {
      const result = await failJob(job, error, { retryBackoffMs: o.retryBackoffMs, finalAudit });
      log.warn({ event: `jobs.${result}`, ...jobLog, err: summary }, `job ${job.kind} attempt ${job.attempts} failed (${result})`);
      return result;
    } catch (failError) {
      if (failError instanceof LeaseLostError) return "lease-lost";
      throw failError;
    }
  } finally {
    clearInterval(timer);
    o.signal?.removeEventListener("abort", stop);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export interface RunWorkerOptions extends WorkerOptions {
  /** How long to wait when nothing is due. Default 1 s (JOBS_POLL_MS). */
  pollMs?: number;
}

/** Claims and runs jobs until `signal` aborts. Database errors are logged and retried with backoff. */
export async function runWorker(opts: RunWorkerOptions = {}): Promise<void> {
  const o = resolved(opts);
  const pollMs = opts.pollMs ?? envMs("JOBS_POLL_MS") ?? 1_000;
  let idleErrors = 0;
  log.info({ event: "jobs.worker-started", workerId: o.workerId, kinds: o.kinds }, "job worker started");
  while (!o.signal?.aborted) {
    let job: ClaimedJob | null = null;
    try {
      job = await claimNextJob(o.workerId, { kinds: o.kinds, leaseMs: o.leaseMs });
      idleErrors = 0;
    } catch (error) {
      idleErrors++;
      log.error({ event: "jobs.claim-failed", workerId: o.workerId, err: safeError(error) }, "could not claim a job");
      await sleep(Math.min(30_000, pollMs * 2 ** Math.min(idleErrors, 5)), o.signal);
      continue;
    }
    if (!job) {
      await sleep(pollMs, o.signal);
      continue;
    }
    try {
      await runJob(job, { ...opts, workerId: o.workerId });
    } catch (error) {
      log.error({ event: "jobs.run-failed", jobId: job.id, err: safeError(error) }, "job bookkeeping failed");
      await sleep(pollMs, o.signal);
    }
  }
  log.info({ event: "jobs.worker-stopped", workerId: o.workerId }, "job worker stopped");
}

/**
 * Runs every job that is due now (and those that become due while it runs)
 * until none is left, then returns how many ran and how each ended. Jobs
 * retrying later are not waited for.
 */
export async function runJobsUntilIdle(opts: WorkerOptions & { maxJobs?: number } = {}): Promise<{ ran: number; outcomes: RunOutcome[] }> {
  const o = resolved(opts);
  const outcomes: RunOutcome[] = [];
  while (!o.signal?.aborted && outcomes.length < (opts.maxJobs ?? Infinity)) {
    const job = await claimNextJob(o.workerId, { kinds: o.kinds, leaseMs: o.leaseMs });
    if (!job) break;
    outcomes.push(await runJob(job, { ...opts, workerId: o.workerId }));
  }
  return { ran: outcomes.length, outcomes };
}
