"use server";
// Offboard a customer or site (tenants:deprovision): typed-name confirmation,
// then a grace period before the offboarding workflow removes its data; or
// call it off during the grace period.
import { cancelOffboarding as cancel, startOffboarding } from "@/lib/lifecycle/offboard";
import { cancelOffboardSchema, offboardSchema } from "@/lib/lifecycle/schemas";
import { tenantAction } from "../guard";
import { asLifecycle } from "./service";

export const offboardTenant = tenantAction(
  { action: "tenants:deprovision", audit: "tenant.offboarding-started", schema: offboardSchema },
  async ({ input, user }) => {
    const started = await asLifecycle((db) => startOffboarding(db, input, user.id));
    const when = input.graceDays === 0 ? "now" : `after ${input.graceDays} day${input.graceDays === 1 ? "" : "s"} (${started.purgeAfter.toISOString().slice(0, 10)})`;
    return {
      data: { jobId: started.job.id, purgeAfter: started.purgeAfter.toISOString() },
      message: `${started.tenant.name} is locked and will be exported and removed ${when}.`,
      target: { type: "tenant", id: started.tenant.id },
      details: { grace_days: input.graceDays, purge_after: started.purgeAfter.toISOString(), job_id: started.job.id },
    };
  },
);

export const cancelOffboarding = tenantAction(
  { action: "tenants:deprovision", audit: "tenant.offboarding-cancelled", schema: cancelOffboardSchema },
  async ({ input, user }) => {
    const t = await asLifecycle((db) => cancel(db, input.tenantId, user.id));
    return {
      data: { status: t.status },
      message: `Offboarding of ${t.name} called off; it is ${t.status} again.`,
      target: { type: "tenant", id: t.id },
      details: { back_to: t.status },
    };
  },
);
