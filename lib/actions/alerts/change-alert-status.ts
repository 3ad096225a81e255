"use server";
// Status changes of one alert: acknowledge, start work (or reopen a closed
// one), close as resolved or false positive with a reason. The database's
// workflow trigger decides whether the step is allowed and writes the
// timeline; lib/alerts/triage.ts words its refusals.
import { revalidatePath } from "next/cache";
import { STATUS_LABELS } from "@/lib/alerts/labels";
import { triageAlert, type StatusChange } from "@/lib/alerts/triage";
import { isClosed } from "@/lib/alerts/workflow";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { closeAlertSchema, statusStepSchema } from "./schemas";

function outcome(alertId: string, from: string, change: StatusChange, message: string) {
  revalidatePath("/alerts", "layout");
  return {
    data: undefined,
    message,
    target: { type: "alert", id: alertId },
    details: { from, to: change.to, ...("reason" in change ? { reason: change.reason } : {}) },
  };
}

export const acknowledgeAlert = tenantAction({ action: "alerts:triage", audit: "alerts:acknowledge", schema: statusStepSchema }, async ({ tx, input }) => {
  await requireFeature(tx, input.tenantId, "features.alert_triage");
  const change: StatusChange = { to: "acknowledged" };
  const before = await triageAlert(tx, input.tenantId, input.alertId, { kind: "status", change, shown: input.shown });
  return outcome(input.alertId, before.status, change, "Alert acknowledged.");
});

export const startAlert = tenantAction({ action: "alerts:triage", audit: "alerts:start", schema: statusStepSchema }, async ({ tx, input }) => {
  await requireFeature(tx, input.tenantId, "features.alert_triage");
  const change: StatusChange = { to: "in_progress" };
  const before = await triageAlert(tx, input.tenantId, input.alertId, { kind: "status", change, shown: input.shown });
  return outcome(input.alertId, before.status, change, isClosed(before.status) ? "Alert reopened: in progress." : "Alert in progress.");
});

export const closeAlert = tenantAction({ action: "alerts:triage", audit: "alerts:close", schema: closeAlertSchema }, async ({ tx, input }) => {
  await requireFeature(tx, input.tenantId, "features.alert_triage");
  const change: StatusChange = { to: input.resolution, reason: input.reason };
  const before = await triageAlert(tx, input.tenantId, input.alertId, { kind: "status", change, shown: input.shown });
  return outcome(input.alertId, before.status, change, `Alert closed: ${STATUS_LABELS[input.resolution].toLowerCase()}.`);
});
