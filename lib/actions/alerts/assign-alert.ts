"use server";
// Assign one alert to an analyst or admin who covers its tenant, or unassign
// it (assigneeId ""). The database refuses anyone else (lib/alerts/triage.ts).
import { revalidatePath } from "next/cache";
import { triageAlert } from "@/lib/alerts/triage";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { assignAlertSchema } from "./schemas";

export const assignAlert = tenantAction({ action: "alerts:triage", audit: "alerts:assign", schema: assignAlertSchema }, async ({ tx, input }) => {
  await requireFeature(tx, input.tenantId, "features.alert_triage");
  const to = input.assigneeId || null;
  const before = await triageAlert(tx, input.tenantId, input.alertId, { kind: "assign", assigneeId: to });
  revalidatePath("/alerts", "layout");
  return {
    data: undefined,
    message: to ? (before.assignedTo === to ? "Already assigned to that person." : "Alert assigned.") : "Alert unassigned.",
    target: { type: "alert", id: input.alertId },
    details: { from: before.assignedTo, to },
  };
});
