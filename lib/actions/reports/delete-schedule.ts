"use server";
// Removes a report schedule (reports already made stay).
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "../refusal";
import { deleteSchedule as remove } from "@/lib/reports/store";
import { deleteScheduleSchema } from "@/lib/reports/schemas";
import { REPORT_KIND_LABELS } from "@/lib/reports/kinds";
import { tenantAction } from "../guard";

export const deleteSchedule = tenantAction({ action: "reports:export", audit: "reports:schedule-deleted", schema: deleteScheduleSchema }, async ({ tx, input }) => {
  const removed = await remove(tx, input.tenantId, input.scheduleId);
  if (!removed) throw new ActionRefusal("No such schedule for this tenant.", { reason: "schedule_unknown" });
  revalidatePath("/reports");
  // Said above the list once the row is gone (components/ui/row-removals.tsx), so it names which.
  const message = `The ${removed.cadence} ${REPORT_KIND_LABELS[removed.kind]} of ${removed.tenantName} is no longer scheduled. Reports already made stay.`;
  return { data: { id: input.scheduleId }, message, target: { type: "report_schedule", id: input.scheduleId } };
});
