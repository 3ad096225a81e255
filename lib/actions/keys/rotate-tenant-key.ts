"use server";
// Rotate one tenant's data-encryption key: queues a "vault.rotate-dek" job
// (lib/vault/rotation.ts) after the PDP allows keys:rotate on that tenant.
// The job re-seals the tenant's credentials in the background; the audit row
// here records who asked, the worker's records how it ended.
import { enqueueJob } from "@/lib/jobs";
import { ROTATE_DEK_KIND } from "@/lib/vault/rotation";
import { jobJson } from "@/lib/vault/rotation-page";
import { tenantAction } from "../guard";
import { rotateKeySchema, type QueuedRotation } from "./schemas";

export const rotateTenantKey = tenantAction(
  { action: "keys:rotate", audit: "keys.dek-rotation-queued", schema: rotateKeySchema },
  async ({ tx, input, tenant }) => {
    const { job, created } = await enqueueJob(tx, { tenantId: tenant.id, kind: ROTATE_DEK_KIND });
    const data: QueuedRotation = { jobId: job.id, tenantId: tenant.id, created, job: jobJson(job) };
    return {
      data,
      message: created ? "Key rotation started." : "A key rotation for this tenant is already under way; showing its progress.",
      target: { type: "tenant", id: input.tenantId },
      details: { job_id: job.id, already_queued: !created },
    };
  },
);
