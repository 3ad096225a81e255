"use server";
// Saved alert-list filters: a person's own, per tenant. Reading alerts there
// (alerts:read) is what a saved view needs; nobody else's are touched.
import { revalidatePath } from "next/cache";
import { deleteFilter, saveFilter } from "@/lib/alerts/saved-filters";
import { tenantAction } from "../guard";
import { deleteFilterSchema, saveFilterSchema } from "./schemas";

export const saveAlertFilter = tenantAction({ action: "alerts:read", audit: "alerts:save-filter", schema: saveFilterSchema }, async ({ tx, input }) => {
  const saved = await saveFilter(tx, input.tenantId, input.name, input.query);
  revalidatePath("/alerts");
  // The message does not quote the name back (tests/fuzz-actions: no answer echoes what was typed); the saved view shows it.
  return { data: saved, message: "View saved: it is listed with your saved views.", target: { type: "alert_filter", id: saved.id }, details: { name: input.name } };
});

export const deleteAlertFilter = tenantAction({ action: "alerts:read", audit: "alerts:delete-filter", schema: deleteFilterSchema }, async ({ tx, input }) => {
  const deleted = await deleteFilter(tx, input.tenantId, input.filterId);
  revalidatePath("/alerts");
  return {
    data: undefined,
    message: deleted ? "Saved filter deleted." : "That saved filter was already gone.",
    target: { type: "alert_filter", id: input.filterId },
    details: { deleted },
  };
});
