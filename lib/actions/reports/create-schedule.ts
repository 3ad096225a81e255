"use server";
// Schedules a weekly or monthly report with its recipients (lib/reports/tasks.ts runs it). Each
// recipient must be someone who can open the tenant's reports: the mail is a link that asks RLS and
// the PDP as whoever follows it (lib/reports/recipients.ts).
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { createSchedule as create } from "@/lib/reports/store";
import { createScheduleSchema, whichAddresses } from "@/lib/reports/schemas";
import { reportTenantOf } from "@/lib/reports/allowed";
import { recipientsWhoMayOpen } from "@/lib/reports/recipients";
import { formatTimeWithZone } from "@/lib/locale/time";
import { actionTimeZone } from "@/lib/locale/viewer-zone";
import { hasUsage } from "@/lib/usage/read";
import { tenantAction } from "../guard";

export const createSchedule = tenantAction({ action: "reports:export", audit: "reports:schedule-created", schema: createScheduleSchema, tenantOf: reportTenantOf }, async ({ tx, input, tenant }) => {
  // The schedule's reports carry usage figures when its author may read them (lib/reports/tasks.ts): so must its readers.
  const includesUsage = await hasUsage(tx, tenant.id);
  const may = await recipientsWhoMayOpen(tenant.id, input.recipients, { includesUsage });
  const cannot = input.recipients.flatMap((address, i) => (may.has(address) ? [] : [i + 1]));
  if (cannot.length > 0) {
    throw new ActionRefusal(
      `${whichAddresses(cannot, input.recipients.length)} not ${cannot.length === 1 ? "the address of someone" : "addresses of people"} who can open this tenant's reports${includesUsage ? " with their usage figures" : ""}, so the emailed link would not open for them. ` +
        "Remove them, or invite them to the portal with a role that may export reports first. Nothing was saved.",
      { reason: "recipients_cannot_open", count: cannot.length },
    );
  }
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
