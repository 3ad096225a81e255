"use server";
// Resumes a report schedule the worker paused (its author lacked access): it runs as the caller from its next run.
import { revalidatePath } from "next/cache";
import { formatTimeWithZone } from "@/lib/locale/time";
import { actionTimeZone } from "@/lib/locale/viewer-zone";
import { REPORT_KIND_LABELS } from "@/lib/reports/kinds";
import { resumeSchedule as resume } from "@/lib/reports/resume";
import { resumeScheduleSchema } from "@/lib/reports/schemas";
import { ActionRefusal } from "../refusal";
import { tenantAction } from "../guard";

export const resumeSchedule = tenantAction({ action: "reports:export", audit: "reports:schedule-resumed", schema: resumeScheduleSchema }, async ({ tx, input }) => {
  const resumed = await resume(tx, input.tenantId, input.scheduleId);
  if (!resumed) throw new ActionRefusal("This tenant has no such paused schedule. Nothing was changed.", { reason: "schedule_unknown" });
  revalidatePath("/reports");
  const message = `The ${resumed.cadence} ${REPORT_KIND_LABELS[resumed.kind]} of ${resumed.tenantName} runs again, as you: the next report is made ${formatTimeWithZone(resumed.nextRunAt, await actionTimeZone(tx))}.`;
  return { data: { id: input.scheduleId }, message, target: { type: "report_schedule", id: input.scheduleId } };
});
