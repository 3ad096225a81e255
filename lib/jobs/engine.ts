// graphile-worker, set up for the portal: its own small pool whose sessions
// act as service_role (the login role, portal_app, owns and may do nothing),
// one task per job kind (so a worker only takes kinds it has handlers for),
// concurrency 1 per process by default, no signal handlers of its own (instrumentation.ts
// shuts everything down in order).
import { parseCrontab, run, runOnce, type Runner, type RunnerOptions, type Task, type TaskList } from "graphile-worker";
import pg from "pg";
import { pgConnectionConfig } from "@/lib/db/connection";
import { databaseUrl } from "@/lib/db/pool";
import { log, safeError } from "@/lib/log";
import { quietGraphileLogger } from "./install";
import { settings } from "@/lib/config";

export function createEnginePool(): pg.Pool {
  // The role is a startup parameter: the session is service_role before
  // graphile-worker sends anything (and a login that may not switch fails to connect).
  const pool = new pg.Pool({
    ...pgConnectionConfig(databaseUrl()),
    max: settings().JOBS_POOL_MAX,
    options: "-c role=service_role",
    application_name: "service:jobs.engine",
  });
  const onError = (err: Error) => log.warn({ event: "jobs.engine-pool-error", err: safeError(err) }, "job engine connection error");
  pool.on("error", onError);
  pool.on("connect", (client) => client.on("error", onError));
  return pool;
}

export interface EngineOptions {
  pool: pg.Pool;
  tasks: TaskList;
  workerId?: string;
  /** How often to look for jobs that became due (retries, schedules); new jobs arrive by NOTIFY at once. Default 1 s. */
  pollMs?: number;
  /**
   * graphile-worker crontab lines ("<min> <hour> <dom> <month> <dow> <task>"),
   * validated with its parseCrontab before the runner starts. Its own cron
   * keeps one run per slot across every worker (graphile_worker's known-crontabs
   * table), so a schedule fires once however many portals run.
   */
  crontab?: readonly string[];
  /**
   * Jobs this runner runs at once (default 1). Whatever the number, one
   * tenant's jobs run one at a time (its named queue) and a tenant's backlog
   * ranks behind other tenants' next jobs (migration 20261201013500).
   */
  concurrency?: number;
}

/** The long-running runner (a worker pool of one). */
export function startRunner(o: EngineOptions): Promise<Runner> {
  const crontab = o.crontab?.length ? o.crontab.join("\n") : undefined;
  if (crontab) parseCrontab(crontab); // a malformed line fails here, at start, not silently
  return run({
    crontab,
    pgPool: o.pool,
    taskList: o.tasks,
    concurrency: o.concurrency ?? 1,
    noHandleSignals: true,
    pollInterval: o.pollMs ?? 1_000,
    logger: quietGraphileLogger,
  });
}

/**
 * One pass over the jobs that are due now, one at a time, then returns. A pass
 * can end early: graphile-worker does not await a job's completion before
 * asking for the next, so the next job of the same named queue (a tenant's
 * mail, say) is still behind that queue's lock and the pass sees nothing to
 * do. Completions are batched (delay 0) so that the pass flushes them before
 * it resolves; runJobsUntilIdle (worker.ts) runs passes until one finds no job.
 */
export function drainOnce(o: EngineOptions): Promise<void> {
  // workerId is honoured by runOnce (RunOnceOptions) though its declared parameter type omits it.
  const options = {
    pgPool: o.pool,
    taskList: o.tasks,
    noHandleSignals: true,
    logger: quietGraphileLogger,
    workerId: o.workerId,
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  };
  return runOnce(options as RunnerOptions);
}

export type { Task, TaskList };
