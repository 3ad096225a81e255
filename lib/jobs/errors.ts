// Errors of the job queue. Their messages name jobs, never payload values.

/** Another worker holds the job now (this one was given up for dead and the job taken over). */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor(readonly jobId: string) {
    super(`job ${jobId}: another worker took it over`);
  }
}

/**
 * A failure that retrying cannot fix (bad payload, a refused precondition):
 * the job fails at once instead of after max_attempts. The message is shown
 * to operators as the job's error, so write it for them.
 */
export class PermanentJobError extends Error {
  override readonly name = "PermanentJobError";
}

/** The worker is stopping; the job goes back to the queue untouched by this attempt's count. */
export class JobInterruptedError extends Error {
  override readonly name = "JobInterruptedError";
  constructor(readonly jobId: string) {
    super(`job ${jobId} was interrupted because the worker is stopping`);
  }
}

/** A job could not be queued (the payload did not validate, the tenant is unknown). */
export class EnqueueError extends Error {
  override readonly name = "EnqueueError";
}
