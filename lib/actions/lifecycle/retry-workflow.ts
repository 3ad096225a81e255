"use server";
// Retry a failed lifecycle workflow from the step that failed (its finished
// steps stay finished). Provisioning needs tenants:provision, offboarding
// tenants:deprovision, on the tenant the workflow is about.
import { retryJob } from "@/lib/jobs";
import { LifecycleRefusal } from "@/lib/lifecycle/errors";
import { OFFBOARD_KIND } from "@/lib/lifecycle/offboard";
import { PROVISION_KIND } from "@/lib/lifecycle/provision";
import { retryWorkflowSchema } from "@/lib/lifecycle/schemas";
import { tenantAction } from "../guard";
import { asLifecycle } from "./service";

function retrying(kind: string) {
  return async ({ input, user }: { input: { tenantId: string; jobId: string }; user: { id: string } }) => {
    const job = await asLifecycle(async (db) => {
      const { rows } = await db.$client.query<{ kind: string; status: string }>(`select kind, status from public.jobs where tenant_id = $1 and id = $2 for update`, [input.tenantId, input.jobId]);
      if (rows[0]?.kind !== kind) throw new LifecycleRefusal("That workflow is not here.");
      // A called-off workflow stays called off: retrying an offboarding the tenant was brought back from
      // would shred and purge an active tenant (its freeze step already done).
      if (rows[0].status !== "failed") return null;
      // The person retrying (tenantAction asked the PDP) carries the workflow on: its first creator may
      // have left, and the worker would refuse every attempt made in their name.
      return retryJob(db, input.tenantId, input.jobId, { userId: user.id });
    });
    if (!job) throw new LifecycleRefusal("Only a failed workflow can be retried; this one is queued, running or done.");
    return { data: { jobId: job.id }, message: "Retrying from the step that failed.", target: { type: "job", id: job.id }, details: { job_kind: kind } };
  };
}

export const retryProvisioning = tenantAction(
  { action: "tenants:provision", audit: "tenant.provision-retried", schema: retryWorkflowSchema },
  retrying(PROVISION_KIND),
);

export const retryOffboarding = tenantAction(
  { action: "tenants:deprovision", audit: "tenant.offboarding-retried", schema: retryWorkflowSchema },
  retrying(OFFBOARD_KIND),
);
