"use server";
// Starts a planned bulk run after the explicit confirmation (the number of
// tenants that will change, typed), with an optional canary.
import { revalidatePath } from "next/cache";
import { startRun } from "@/lib/bulk/runs";
import { bulkAction } from "./bulk-action";
import { startRunSchema } from "./schemas";

export const startBulkRun = bulkAction({ audit: "bulk:started", schema: startRunSchema }, async ({ tx, input, tenant }) => {
  const { toChange } = await startRun(tx, { runTenantId: tenant.id, runId: input.runId, confirm: input.confirm, canary: input.canary });
  revalidatePath(`/bulk/${input.runId}`);
  return {
    data: undefined,
    message: input.canary ? `Started: the first ${input.canary} tenants run, then it pauses for you.` : `Started: ${toChange} tenants will change.`,
    target: { type: "bulk_run", id: input.runId },
    details: { to_change: toChange, canary: input.canary },
  };
});
