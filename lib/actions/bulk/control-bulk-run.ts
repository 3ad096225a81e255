"use server";
// Stop, continue, undo and discard a bulk run (console /bulk/<id>).
import { revalidatePath } from "next/cache";
import { continueRun, discardRun, stopRun, undoRun } from "@/lib/bulk/runs";
import { bulkAction } from "./bulk-action";
import { runRefSchema } from "./schemas";

export const stopBulkRun = bulkAction({ audit: "bulk:stopped", schema: runRefSchema }, async ({ tx, input, tenant }) => {
  await stopRun(tx, tenant.id, input.runId);
  revalidatePath(`/bulk/${input.runId}`);
  return { data: undefined, message: "Stopping: the tenant in hand finishes, the rest wait.", target: { type: "bulk_run", id: input.runId } };
});

export const continueBulkRun = bulkAction({ audit: "bulk:continued", schema: runRefSchema }, async ({ tx, input, tenant }) => {
  await continueRun(tx, tenant.id, input.runId);
  revalidatePath(`/bulk/${input.runId}`);
  return { data: undefined, message: "Carrying on with the tenants left.", target: { type: "bulk_run", id: input.runId } };
});

export const undoBulkRun = bulkAction({ audit: "bulk:undo-started", schema: runRefSchema }, async ({ tx, input, tenant }) => {
  await undoRun(tx, tenant.id, input.runId);
  revalidatePath(`/bulk/${input.runId}`);
  return { data: undefined, message: "Undoing: each tenant gets back exactly what it had.", target: { type: "bulk_run", id: input.runId } };
});

export const discardBulkRun = bulkAction({ audit: "bulk:discarded", schema: runRefSchema }, async ({ tx, input, tenant }) => {
  await discardRun(tx, tenant.id, input.runId);
  revalidatePath("/bulk");
  return { data: undefined, message: "Dry run discarded: nothing was changed.", target: { type: "bulk_run", id: input.runId } };
});
