// lib/jobs: durable background jobs in Postgres (DESIGN.md, "Work in the background").
//   enqueueJob(tx, …) / enqueueServiceJob(…)      queue work (joins an unfinished job of the same kind)
//   runWorker / runJobsUntilIdle / runJob          run it (handlers by kind: registerJobHandler)
//   claimNextJob, progress, heartbeat, completeJob, failJob, updateClaimedJob   the worker's primitives
//   listJobs / getJob / latestJobs                 read jobs under RLS for pages
// Default handlers (key rotation) are registered by lib/jobs/default-handlers.
export * from "./errors";
export * from "./types";
export {
  claimNextJob,
  completeJob,
  DEFAULT_LEASE_MS,
  DEFAULT_RETRY_BACKOFF_MS,
  describeJobError,
  enqueueJob,
  enqueueServiceJob,
  failJob,
  getJobAsService,
  heartbeat,
  KIND_PATTERN,
  progress,
  releaseJob,
  retryDelayMs,
  updateClaimedJob,
  type ClaimOptions,
  type EnqueueRequest,
  type Enqueued,
  type FailOptions,
  type JobPatch,
} from "./queue";
export { getJob, latestJobs, listJobs, type ListJobsOptions } from "./read";
export {
  checkpoint,
  newWorkerId,
  registerJobHandler,
  registeredKinds,
  runJob,
  runJobsUntilIdle,
  runWorker,
  type RunOutcome,
  type RunWorkerOptions,
  type WorkerOptions,
} from "./worker";
