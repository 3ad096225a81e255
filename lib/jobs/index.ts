// lib/jobs: durable background jobs (DESIGN.md, "Work in the background") on
// graphile-worker; docs/jobs.md says why that library and how it fits.
//   enqueueJob(tx, …) / enqueueServiceJob(…)      queue work (joins an unfinished job of the same kind)
//   retryJob / cancelJob                          a failed job again, a scheduled one called off
//   runWorker / runJobsUntilIdle / runJob          run it (handlers by kind: registerJobHandler)
//   defineWorkflow                                 a job as named, resumable steps (lib/jobs/workflow.ts)
//   listJobs / getJob / latestJobs / jobSteps      read jobs under RLS for pages
// Default handlers are registered by lib/jobs/default-handlers.
export * from "./errors";
export * from "./types";
export {
  cancelJob,
  enqueueJob,
  enqueueServiceJob,
  enqueueServiceJobIn,
  getJobAsService,
  KIND_PATTERN,
  retryJob,
  tenantQueue,
  type EnqueueRequest,
  type Enqueued,
} from "./queue";
export {
  completeJob,
  describeJobError,
  failJob,
  graphileRetryDelayMs,
  progress,
  releaseJob,
  startAttempt,
  updateClaimedJob,
  type FailOptions,
  type JobPatch,
} from "./attempt";
export { getJob, jobSteps, latestJobs, listJobs, type JobStepView, type ListJobsOptions } from "./read";
export { sweepDeadWorkers } from "./liveness";
export {
  checkpoint,
  newWorkerId,
  registerJobHandler,
  registeredKinds,
  runJob,
  runJobsUntilIdle,
  runWorker,
  type RunOutcome,
  type WorkerOptions,
} from "./worker";
