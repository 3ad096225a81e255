"use server";
// The dry run of a bulk operation (console /bulk): which tenants, what would
// change in each (the PDP asked per tenant), stored as a planned run. Nothing
// else is written; the person confirms on the run's page.
import { ActionRefusal } from "@/lib/actions/refusal";
import { operationSchema, selectionSchema } from "@/lib/bulk/model";
import { planRun } from "@/lib/bulk/runs";
import { selectionRootOf } from "@/lib/bulk/select";
import { bulkAction } from "./bulk-action";
import { planRunSchema } from "./schemas";

export const planBulkRun = bulkAction({ audit: "bulk:planned", schema: planRunSchema }, async ({ tx, input, tenant }) => {
  const rootId = await selectionRootOf(tx, tenant.id, input.rootId);
  const selection = selectionSchema.parse({ rootId, kinds: input.kinds, status: input.status, plan: input.plan, q: input.q });
  const parsed = operationSchema.safeParse(input);
  if (!parsed.success) throw new ActionRefusal(`${parsed.error.issues[0]?.message ?? "Check the operation."} Nothing was changed.`, { problem: "operation" });
  const run = await planRun(tx, { runTenantId: tenant.id, selection, params: parsed.data });
  return {
    data: { runId: run.id },
    message: `Dry run ready: ${run.toChange} of ${run.total} tenant${run.total === 1 ? "" : "s"} would change.`,
    target: { type: "bulk_run", id: run.id },
    details: { operation: parsed.data.operation, total: run.total, to_change: run.toChange },
  };
});
