// Running jobs: handlers by kind, and the attempt around each one.
//
//   runWorker({ signal })   the long-running worker (the Next server starts one
//                           in instrumentation.ts; JOBS_WORKER=0 turns it off)
//   runJobsUntilIdle()      for commands and tests: runs what is due, returns
//   runJob(job)             one attempt: PDP check, handler, finish
//
// A handler must be safe to run again after a crash at any point: the job is
// run again once its worker is found dead (lib/jobs/liveness.ts) and the
// handler resumes from what its committed checkpoints (or workflow steps) say.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Task, TaskList } from "graphile-worker";
import { z } from "zod";
import { authorize, isAuthorizationError } from "@/lib/authz";
import type { Action } from "@/lib/authz/actions";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { log, safeError, withLogContext } from "@/lib/log";
import { completeJob, failJob, graphileRetryDelayMs, progress, releaseJob, startAttempt, stillMine } from "./attempt";
import { createEnginePool, drainOnce, startRunner } from "./engine";
import { JobInterruptedError, LeaseLostError, PermanentJobError } from "./errors";
import { startLiveness, sweepDeadWorkers, track, untrack } from "./liveness";
import type { ClaimedJob, JobContext, JobHandler } from "./types";

const registry = new Map<string, JobHandler>();

/** Registers (or replaces) the handler of a kind for every worker in this process. */
export function registerJobHandler(kind: string, handler: JobHandler): void {
  registry.set(kind, handler);
}

const engineTasks = new Map<string, Task>();

/**
 * Registers a plain graphile-worker task, for a queue whose own rows are its
 * record (lib/mail's outbox, task "mail:deliver"): no public.jobs row, no PDP
 * check (only the system queues these, from SQL), retried by graphile-worker
 * with its backoff when the task throws. Run by every worker, like the kinds.
 */
export function registerEngineTask(identifier: string, task: Task): void {
  engineTasks.set(identifier, task);
}

const cronLines = new Set<string>();
/**
 * A schedule for an engine task (a graphile-worker crontab line naming a task
 * registered with registerEngineTask), run by every long-running worker.
 */
export function registerCronItem(line: string): void {
  cronLines.add(line);
}

export function registeredKinds(): string[] {
  return [...registry.keys()];
}

export interface WorkerOptions {
  /** graphile-worker's worker id (tests name a worker they will kill). Default random. */
  workerId?: string;
  /** Kinds to run; default every kind with a handler. */
  kinds?: readonly string[];
  /** Handlers that take precedence over the registry (tests, commands). */
  handlers?: Readonly<Record<string, JobHandler>>;
  /** Stops the worker: a running job is given back to the queue at its next checkpoint. */
  signal?: AbortSignal;
}

export function newWorkerId(label = "worker"): string {
  return `${label}:${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

function handlersFor(opts: WorkerOptions): Map<string, JobHandler> {
  const all = new Map(registry);
  for (const [kind, h] of Object.entries(opts.handlers ?? {})) all.set(kind, h);
  const kinds = opts.kinds ?? [...all.keys()];
  return new Map(kinds.map((k) => [k, all.get(k)] as const).filter((e): e is [string, JobHandler] => e[1] !== undefined));
}

/** Throws JobInterruptedError if the worker is stopping (or lost the job): call between units of work. */
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
      throw new PermanentJobError(`The person who queued this job may not do it on this tenant (${handler.requires}). Nothing was changed.`);
    }
    throw error;
  }
}

export type RunOutcome = "succeeded" | "retrying" | "failed" | "released" | "lease-lost" | "skipped";

/** Runs one attempt of a started job to its end (or back to the queue). Never throws for the job's own failure. */
export async function runJob(
  job: ClaimedJob,
  handler: JobHandler | undefined,
  opts: { signal?: AbortSignal; graphileAttempts?: number } = {},
): Promise<RunOutcome> {
  const jobLog = { jobId: job.id, kind: job.kind, tenantId: job.tenantId, attempt: job.attempts };
  if (!handler) {
    await failJob(job, new PermanentJobError(`no worker here knows how to run "${job.kind}" jobs`));
    return "failed";
  }
  const controller = new AbortController();
  const stop = () => controller.abort(new JobInterruptedError(job.id));
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener("abort", stop, { once: true });
  const lost = (error: unknown) => {
    if (error instanceof LeaseLostError && !controller.signal.aborted) controller.abort(error);
  };
  const ctx: JobContext = {
    job,
    workerId: job.lockedBy,
    signal: controller.signal,
    progress: (done, total) => progress(job, done, total).catch((e) => (lost(e), Promise.reject(e))),
    heartbeat: () => stillMine(job).catch((e) => (lost(e), Promise.reject(e))),
  };
  const started = Date.now();
  try {
    log.info({ event: "jobs.started", ...jobLog }, `job ${job.kind} started`);
    await requireCreatorMay(handler, job);
    const outcome = await handler.run(ctx);
    await completeJob(job, outcome.result, outcome.audit, handler.workLeft?.bind(handler));
    log.info({ event: "jobs.succeeded", ...jobLog, ms: Date.now() - started }, `job ${job.kind} succeeded`);
    return "succeeded";
  } catch (error) {
    if (error instanceof LeaseLostError || controller.signal.reason instanceof LeaseLostError) {
      log.warn({ event: "jobs.lease-lost", ...jobLog }, `job ${job.kind}: another worker took it over`);
      return "lease-lost";
    }
    if (error instanceof JobInterruptedError && opts.signal?.aborted) {
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
      const result = await failJob(job, error, { retryDelayMs: graphileRetryDelayMs(opts.graphileAttempts ?? job.attempts), finalAudit });
      log.warn({ event: `jobs.${result}`, ...jobLog, err: summary }, `job ${job.kind} attempt ${job.attempts} failed (${result})`);
      return result;
    } catch (failError) {
      if (failError instanceof LeaseLostError) return "lease-lost";
      throw failError;
    }
  } finally {
    opts.signal?.removeEventListener("abort", stop);
  }
}

/**
 * A job of a suspended tenant (or one being offboarded) waits: its row stays
 * queued with the reason, graphile-worker's job completes, and resuming the
 * tenant hands it over again (jobs_engine.dispatch_pending).
 */
async function pauseIfFrozen(tenantId: string, jobId: string): Promise<boolean> {
  return withServiceRole("jobs.worker", async (db) => {
    const { rows } = await db.$client.query<{ frozen: boolean }>(
      `select jobs_engine.tenant_is_frozen($1) as frozen`,
      [tenantId],
    );
    if (!rows[0]?.frozen) return false;
    await db.$client.query(
      `update public.jobs set status = 'queued', locked_by = null,
              last_error = 'Paused: the tenant is suspended. It carries on when the tenant is resumed.'
        where tenant_id = $1 and id = $2 and status in ('queued', 'running')`,
      [tenantId, jobId],
    );
    return true;
  });
}

/** Tells graphile-worker to run the job again later (its backoff); the row already says why. */
class RetryLater extends Error {
  override readonly name = "RetryLater";
}

const payloadSchema = z.object({ tenant_id: z.string().uuid(), job_id: z.string().uuid() });

/** One graphile-worker task per kind: start the attempt on the visible row, run it, report back. */
function taskList(opts: WorkerOptions, onOutcome: (o: RunOutcome) => void): TaskList {
  const tasks: TaskList = {};
  for (const [kind, handler] of handlersFor(opts)) {
    const task: Task = async (payload, helpers) => {
      const parsed = payloadSchema.safeParse(payload);
      if (!parsed.success) {
        log.error({ event: "jobs.bad-payload", kind }, "a queued job does not point at a job row; dropped");
        return;
      }
      // Every line logged while this job runs (deep in lib/ too) names it and its tenant.
      await withLogContext({ job_id: parsed.data.job_id, job_kind: kind, tenant_id: parsed.data.tenant_id }, async () => {
        const workerId = helpers.job.locked_by ?? opts.workerId ?? "unknown-worker";
        await track(workerId);
        if (!handler.runsWhileFrozen && (await pauseIfFrozen(parsed.data.tenant_id, parsed.data.job_id))) return onOutcome("skipped");
        const job = await startAttempt(parsed.data.tenant_id, parsed.data.job_id, workerId);
        if (!job) return onOutcome("skipped");
        const outcome = await runJob(job, handler, { signal: opts.signal, graphileAttempts: helpers.job.attempts });
        onOutcome(outcome);
        if (outcome === "retrying" || outcome === "released") throw new RetryLater(`job ${job.id}: ${outcome}`);
      });
    };
    tasks[kind] = task;
  }
  for (const [identifier, task] of engineTasks) {
    if (opts.kinds && !opts.kinds.includes(identifier)) continue;
    tasks[identifier] ??= async (payload, helpers) => {
      // A heartbeat for this worker too, so the sweeper does not free its job as a dead worker's.
      await track(helpers.job.locked_by ?? opts.workerId ?? "unknown-worker");
      return task(payload, helpers);
    };
  }
  return tasks;
}

/** Runs jobs as they come until `signal` aborts; a running job is given back at its next checkpoint. */
export async function runWorker(opts: WorkerOptions & { pollMs?: number; concurrency?: number } = {}): Promise<void> {
  const pool = createEnginePool();
  const liveness = startLiveness();
  const workerIds = new Set<string>();
  try {
    await withServiceRole("jobs.worker", (db) => db.$client.query("select jobs_engine.dispatch_pending()"));
    const runner = await startRunner({ pool, tasks: taskList(opts, () => {}), pollMs: opts.pollMs, concurrency: opts.concurrency, crontab: [...cronLines] });
    runner.events.on("worker:create", ({ worker }) => workerIds.add(worker.workerId));
    log.info({ event: "jobs.worker-started", kinds: [...handlersFor(opts).keys()] }, "job worker started");
    await new Promise<void>((resolve) => {
      if (opts.signal?.aborted) return resolve();
      opts.signal?.addEventListener("abort", () => resolve(), { once: true });
      runner.promise.then(resolve, resolve);
    });
    await runner.stop();
    log.info({ event: "jobs.worker-stopped" }, "job worker stopped");
  } finally {
    await liveness.stop();
    await untrack(workerIds).catch(() => {});
    await pool.end();
  }
}

/** The same tasks, each calling `onCall` as it starts. */
function countingCalls(tasks: TaskList, onCall: () => void): TaskList {
  const counted: TaskList = {};
  for (const [id, task] of Object.entries(tasks)) {
    if (!task) continue;
    counted[id] = (payload, helpers) => {
      onCall();
      return task(payload, helpers);
    };
  }
  return counted;
}

/**
 * Runs every job that is due now (and those that become due while it runs)
 * until none is left, then returns how many ran and how each ended. Jobs
 * retrying later are not waited for. Dead workers' jobs are freed first.
 */
export async function runJobsUntilIdle(opts: WorkerOptions = {}): Promise<{ ran: number; outcomes: RunOutcome[] }> {
  const outcomes: RunOutcome[] = [];
  const pool = createEnginePool();
  const liveness = startLiveness();
  const workerId = opts.workerId ?? newWorkerId("once");
  try {
    await sweepDeadWorkers();
    await withServiceRole("jobs.worker", (db) => db.$client.query("select jobs_engine.dispatch_pending()"));
    // Passes until one starts no job (drainOnce says why one pass is not enough).
    let started = 0;
    const tasks = countingCalls(taskList({ ...opts, workerId }, (o) => outcomes.push(o)), () => started++);
    do {
      started = 0;
      await drainOnce({ pool, workerId, tasks });
    } while (started > 0);
  } finally {
    await liveness.stop();
    await untrack([workerId]).catch(() => {});
    await pool.end();
  }
  return { ran: outcomes.filter((o) => o !== "skipped").length, outcomes: outcomes.filter((o) => o !== "skipped") };
}
