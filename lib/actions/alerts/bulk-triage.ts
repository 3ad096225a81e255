"use server";
// Bulk triage from the alert list: acknowledge, assign or close up to
// MAX_BULK selected alerts in one transaction, with a result per alert. The
// form's tenantId is the list's scope (the host's tenant, or the MSSP on the
// console): the PDP is asked there first, then for each selected alert's own
// tenant; alerts outside the scope, unseen or refused are reported, not changed.
// Audited in the list's tenant (the guard's row, every result) and in each
// other tenant whose alerts were selected (its own results: lib/alerts/bulk-audit.ts).
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { recordPerTenantBulkAudit, resultDetail } from "@/lib/alerts/bulk-audit";
import { bulkTriage, summarizeBulk, type BulkRowResult, type TriageChange } from "@/lib/alerts/triage";
import type { ActionContext } from "../guard";
import { tenantAction } from "../guard";
import { bulkAssignSchema, bulkCloseSchema, bulkSchema } from "./schemas";

// Each action's audit name, for the guard's row and the per-tenant rows alike.
const BULK_ACKNOWLEDGE = "alerts:bulk-acknowledge";
const BULK_ASSIGN = "alerts:bulk-assign";
const BULK_CLOSE = "alerts:bulk-close";

async function run(ctx: ActionContext<{ alerts: { tenantId: string; alertId: string }[] }>, change: TriageChange, done: string, audit: string) {
  const results = await bulkTriage(ctx.tx, ctx.tenant, ctx.input.alerts, change);
  if (!results.some((r) => r.outcome !== "refused")) {
    const first = results.find((r) => r.message)?.message ?? "not found here";
    throw new ActionRefusal(`None of the selected alerts could be changed (${first}). Nothing was changed.`);
  }
  const shared = {
    change: change.kind === "status" ? change.change.to : "assign",
    ...(change.kind === "assign" ? { to: change.assigneeId } : {}),
    ...(change.kind === "status" && "reason" in change.change ? { reason: change.change.reason } : {}),
  };
  await recordPerTenantBulkAudit(ctx.tx, ctx.tenant.id, audit, shared, results);
  revalidatePath("/alerts", "layout");
  return {
    data: results,
    message: summarizeBulk(results, done),
    target: { type: "alerts", id: `${results.length}` },
    details: { ...shared, results: results.map(resultDetail) },
  };
}

export const bulkAcknowledge = tenantAction<typeof bulkSchema, BulkRowResult[]>(
  { action: "alerts:triage", audit: BULK_ACKNOWLEDGE, schema: bulkSchema },
  (ctx) => run(ctx, { kind: "status", change: { to: "acknowledged" } }, "acknowledged", BULK_ACKNOWLEDGE),
);

export const bulkAssign = tenantAction<typeof bulkAssignSchema, BulkRowResult[]>(
  { action: "alerts:triage", audit: BULK_ASSIGN, schema: bulkAssignSchema },
  (ctx) => run(ctx, { kind: "assign", assigneeId: ctx.input.assigneeId || null }, ctx.input.assigneeId ? "assigned" : "unassigned", BULK_ASSIGN),
);

export const bulkClose = tenantAction<typeof bulkCloseSchema, BulkRowResult[]>(
  { action: "alerts:triage", audit: BULK_CLOSE, schema: bulkCloseSchema },
  (ctx) => run(ctx, { kind: "status", change: { to: ctx.input.resolution, reason: ctx.input.reason } }, "closed", BULK_CLOSE),
);
