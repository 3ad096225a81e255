"use server";
// Schedules a weekly or monthly report with its recipients (lib/reports/tasks.ts runs it).
import { revalidatePath } from "next/cache";
import { createSchedule as create } from "@/lib/reports/store";
import { createScheduleSchema } from "@/lib/reports/schemas";
import { reportTenantOf } from "@/lib/reports/allowed";
import { formatTimeWithZone } from "@/lib/locale/time";
import { actionTimeZone } from "@/lib/locale/viewer-zone";
import { tenantAction } from "../guard";

export const createSchedule = tenantAction({ action: "reports:export", audit: "reports:schedule-created", schema: createScheduleSchema, tenantOf: reportTenantOf }, async ({ tx, input }) => {
  const { id, nextRunAt } = await create(tx, input);
  revalidatePath("/reports");
  return {
    data: { id },
    // In the zone the schedules list beside it uses (lib/locale).
    message: `Schedule saved: the first report is made ${formatTimeWithZone(nextRunAt, await actionTimeZone(tx))}.`,
    target: { type: "report_schedule", id },
    details: { kind: input.kind, format: input.format, cadence: input.cadence, recipients: input.recipients.length },
  };
});
