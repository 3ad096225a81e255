// The guard every bulk action goes through (plan, start, stop, continue, undo, discard): tenantAction
// with the PDP's bulk:run, and a run's tenant is always an MSSP. The PDP grants an MSSP admin bulk:run
// on every customer below the MSSP too, and a run stored on a customer would be out of the console's
// sight (it lists the MSSP's runs) and queued on the customer, not serialised with the MSSP's other
// runs. The database refuses such a run as well (migration 20261201030500).
import type { z } from "zod";
import { ActionRefusal } from "../refusal";
import { tenantAction, type ActionContext, type ActionOutcome } from "../guard";

export const NOT_AN_MSSP = "Bulk operations run from the MSSP's console, on the MSSP itself: not on one of its customers or sites. Nothing was changed.";

export function bulkAction<S extends z.ZodObject<{ tenantId: z.ZodString }>, T>(
  spec: { audit: string; schema: S },
  run: (ctx: ActionContext<z.infer<S>>) => Promise<ActionOutcome<T>>,
) {
  return tenantAction({ action: "bulk:run", ...spec }, async (ctx) => {
    if (ctx.tenant.kind !== "mssp") throw new ActionRefusal(NOT_AN_MSSP, { problem: "not_mssp" });
    return run(ctx);
  });
}
