// What both key actions do once the guard has allowed keys:rotate: queue the
// rotation job on the tenant (or find the one already queued) and answer with
// the job as the progress bar starts from, a message, and the audit details.
import type { TenantTx } from "@/lib/db/with-tenant";
import { enqueueJob, type EnqueueRequest } from "@/lib/jobs";
import { jobJson } from "@/lib/vault/rotation-page";
import type { QueuedRotation } from "./schemas";

export async function queueRotation(
  tx: TenantTx,
  request: EnqueueRequest,
  messages: { started: string; alreadyQueued: string },
): Promise<{ data: QueuedRotation; message: string; target: { type: string; id: string }; details: Record<string, unknown> }> {
  const { job, created } = await enqueueJob(tx, request);
  return {
    data: { jobId: job.id, tenantId: request.tenantId, created, job: jobJson(job) },
    message: created ? messages.started : messages.alreadyQueued,
    target: { type: "tenant", id: request.tenantId },
    details: { job_id: job.id, already_queued: !created },
  };
}
