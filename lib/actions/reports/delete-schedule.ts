"use server";
// Removes a report schedule (reports already made stay).
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "../refusal";
import { deleteSchedule as remove } from "@/lib/reports/store";
import { deleteScheduleSchema } from "@/lib/reports/schemas";
import { tenantAction } from "../guard";

export const deleteSchedule = tenantAction({ action: "reports:export", audit: "reports:schedule-deleted", schema: deleteScheduleSchema }, async ({ tx, input }) => {
  if (!(await remove(tx, input.tenantId, input.scheduleId))) throw new ActionRefusal("No such schedule for this tenant.", { reason: "schedule_unknown" });
  revalidatePath("/reports");
  return { data: { id: input.scheduleId }, message: "Schedule removed.", target: { type: "report_schedule", id: input.scheduleId } };
});
