// A job as pages and their live routes send it to the browser (dates as ISO
// strings, no payload: it may name things only staff should see).
import type { JobView } from "./types";

export type JobJson = Omit<JobView, "payload" | "createdBy" | "createdAt" | "startedAt" | "finishedAt" | "runAfter"> & {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  runAfter: string;
  /** Queued from the console (a user) or by a command (null creator). */
  queuedBy: "user" | "system";
};

export function jobJson(job: JobView): JobJson {
  return {
    id: job.id,
    tenantId: job.tenantId,
    kind: job.kind,
    status: job.status,
    progressDone: job.progressDone,
    progressTotal: job.progressTotal,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    lastError: job.lastError,
    result: job.result,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    runAfter: job.runAfter.toISOString(),
    queuedBy: job.createdBy ? "user" : "system",
  };
}
