"use server";
// Bulk triage from the alert list: acknowledge, assign or close up to
// MAX_BULK selected alerts in one transaction, with a result per alert. The
// form's tenantId is the list's scope (the host's tenant, or the MSSP on the
// console): the PDP is asked there first, then for each selected alert's own
// tenant; alerts outside the scope, unseen or refused are reported, not changed.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { bulkTriage, summarizeBulk, type BulkRowResult, type TriageChange } from "@/lib/alerts/triage";
import type { ActionContext } from "../guard";
import { tenantAction } from "../guard";
import { bulkAssignSchema, bulkCloseSchema, bulkSchema } from "./schemas";

async function run(ctx: ActionContext<{ alerts: { tenantId: string; alertId: string }[] }>, change: TriageChange, done: string) {
  const results = await bulkTriage(ctx.tx, ctx.tenant, ctx.input.alerts, change);
  if (!results.some((r) => r.outcome !== "refused")) {
    const first = results.find((r) => r.message)?.message ?? "not found here";
    throw new ActionRefusal(`None of the selected alerts could be changed (${first}). Nothing was changed.`);
  }
  revalidatePath("/alerts", "layout");
  return {
    data: results,
    message: summarizeBulk(results, done),
    target: { type: "alerts", id: `${results.length}` },
    details: {
      change: change.kind === "status" ? change.change.to : "assign",
      ...(change.kind === "assign" ? { to: change.assigneeId } : {}),
      ...(change.kind === "status" && "reason" in change.change ? { reason: change.change.reason } : {}),
      results: results.map((r) => ({ tenant_id: r.tenantId, alert_id: r.alertId, outcome: r.outcome, ...(r.message ? { message: r.message } : {}) })),
    },
  };
}

export const bulkAcknowledge = tenantAction<typeof bulkSchema, BulkRowResult[]>(
  { action: "alerts:triage", audit: "alerts:bulk-acknowledge", schema: bulkSchema },
  (ctx) => run(ctx, { kind: "status", change: { to: "acknowledged" } }, "acknowledged"),
);

export const bulkAssign = tenantAction<typeof bulkAssignSchema, BulkRowResult[]>(
  { action: "alerts:triage", audit: "alerts:bulk-assign", schema: bulkAssignSchema },
  (ctx) => run(ctx, { kind: "assign", assigneeId: ctx.input.assigneeId || null }, ctx.input.assigneeId ? "assigned" : "unassigned"),
);

export const bulkClose = tenantAction<typeof bulkCloseSchema, BulkRowResult[]>(
  { action: "alerts:triage", audit: "alerts:bulk-close", schema: bulkCloseSchema },
  (ctx) => run(ctx, { kind: "status", change: { to: ctx.input.resolution, reason: ctx.input.reason } }, "closed"),
);
