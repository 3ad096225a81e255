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
  const name = await deleteFilter(tx, input.tenantId, input.filterId);
  revalidatePath("/alerts");
  // Said beside the views once its own is gone (components/ui/row-removals.tsx), so it names which.
  return {
    data: undefined,
    message: name === null ? "That saved view was already gone." : `Saved view "${name}" deleted.`,
    target: { type: "alert_filter", id: input.filterId },
    details: { deleted: name !== null },
  };
});
