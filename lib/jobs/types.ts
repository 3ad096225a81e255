// Shapes shared by the queue, the worker and the handlers.
import type { JobStatus } from "@/drizzle/credentials";
import type { Action } from "@/lib/authz/actions";
import type { Db } from "@/lib/db/with-tenant";

export type { JobStatus };

/** A job as the worker holds it during one attempt. */
export interface ClaimedJob {
  tenantId: string;
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  progressDone: number;
  progressTotal: number | null;
  createdBy: string | null;
  /** The graphile-worker worker running this attempt; every write checks it still is. */
  lockedBy: string;
}

/** A job as pages and commands read it. */
export interface JobView {
  tenantId: string;
  id: string;
  kind: string;
  status: JobStatus;
  progressDone: number;
  progressTotal: number | null;
  attempts: number;
  maxAttempts: number;
  /** Scrubbed reason of the last failure (safeError): safe to show. */
  lastError: string | null;
  result: Record<string, unknown> | null;
  payload: Record<string, unknown>;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  runAfter: Date;
}

export const UNFINISHED: readonly JobStatus[] = ["queued", "running"];

export function isFinished(status: JobStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}

/** What a handler gets: its job, and the ways to report progress. */
export interface JobContext {
  job: ClaimedJob;
  workerId: string;
  /** Aborted when the worker stops or another worker took the job over: stop at the next safe point. */
  signal: AbortSignal;
  /** Records progress; throws LeaseLostError if another worker took the job. */
  progress(done: number, total?: number | null): Promise<void>;
  /** Checks the job is still this worker's, without changing anything. */
  heartbeat(): Promise<void>;
}

/** Audit row written in the same transaction that finishes the job. */
export interface JobAudit {
  action: string;
  outcome?: "success" | "failure";
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export interface JobOutcome {
  result: Record<string, unknown>;
  audit?: JobAudit;
}

export interface JobHandler {
  /**
   * What a user who queued a job of this kind must still be allowed to do on
   * the job's tenant when it runs (asked of the PDP by the worker before run):
   * RLS lets any tenant admin insert a job row, so the queue alone proves
   * nothing about the action. "system-only": no user may queue this kind;
   * such a row fails without running. Jobs queued by the system (created_by
   * null, which only the service role can insert) are not checked.
   */
  requires: Action | "system-only";
  /**
   * Jobs of a tenant that is not active (suspended, being offboarded) pause
   * until it is active again, except kinds that exist to change that state
   * (the lifecycle workflows).
   */
  runsWhileFrozen?: boolean;
  run(ctx: JobContext): Promise<JobOutcome>;
  /**
   * For kinds that drain a tenant's work and are joined rather than queued twice (bulk runs):
   * whether work is waiting, asked in the transaction that completes the job after every enqueue
   * that joined it has committed. True queues a fresh job (lib/jobs/attempt.ts completeJob).
   */
  workLeft?(db: Db, job: ClaimedJob): Promise<boolean>;
  /** Audit row for a job that failed for good (no retries left). */
  auditFailure?(job: ClaimedJob, error: { name: string; message: string }): JobAudit | undefined;
}
