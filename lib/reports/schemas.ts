// The forms' schemas (zod), for the server actions in lib/actions/reports.
import { z } from "zod";
import { recipientSchema } from "@/lib/mail/outbox";
import { typedTenantSchema } from "@/lib/tenancy/tenant-filter";
import { MAX_SCHEDULE_RECIPIENTS, REPORT_CADENCES, REPORT_FORMATS, REPORT_KINDS } from "./kinds";
import { periodFields } from "./period";

const tenantId = z.string().uuid("Choose a customer.");
/** The report forms' tenant: its id from the list, or (past TENANT_SELECT_UP_TO tenants) a name or slug, resolved by the action (reportTenantOf). */
const namedTenant = typedTenantSchema("Choose a customer or site.");

export const generateReportSchema = z
  .object({
    tenantId: namedTenant,
    kind: z.enum(REPORT_KINDS, { message: "Choose executive or operational." }),
    format: z.enum(REPORT_FORMATS, { message: "Choose PDF or CSV." }),
    from: z.string().max(40),
    to: z.string().max(40),
  })
  .superRefine((v, ctx) => {
    const p = periodFields.safeParse({ from: v.from, to: v.to });
    if (!p.success) for (const i of p.error.issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
  });

/** "Address 2 of 3 is" / "Addresses 1 and 3 of 3 are": which entries of a list, by position (a message never quotes input back). */
export function whichAddresses(positions: readonly number[], total: number): string {
  if (positions.length === 1) return `Address ${positions[0]} of ${total} is`;
  return `Addresses ${positions.slice(0, -1).join(", ")} and ${positions[positions.length - 1]} of ${total} are`;
}

const recipientList = z
  .string()
  .max(5000)
  .transform((s) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean))
  .superRefine((list, ctx) => {
    if (list.length > MAX_SCHEDULE_RECIPIENTS) ctx.addIssue({ code: "custom", message: `At most ${MAX_SCHEDULE_RECIPIENTS} recipients.` });
    // Which ones, by position, so the person knows what to fix: a message never quotes input back.
    const bad = list.flatMap((x, i) => (recipientSchema.safeParse(x).success ? [] : [i + 1]));
    if (bad.length) {
      ctx.addIssue({ code: "custom", message: `${whichAddresses(bad, list.length)} not ${bad.length === 1 ? "a valid email address" : "valid email addresses"}.` });
    }
  })
  .transform((list) => list.map((x) => recipientSchema.parse(x)));

export const createScheduleSchema = z.object({
  tenantId: namedTenant,
  kind: z.enum(REPORT_KINDS, { message: "Choose executive or operational." }),
  format: z.enum(REPORT_FORMATS, { message: "Choose PDF or CSV." }),
  cadence: z.enum(REPORT_CADENCES, { message: "Choose weekly or monthly." }),
  recipients: recipientList,
});

export const deleteScheduleSchema = z.object({ tenantId, scheduleId: z.string().uuid() });

export const resumeScheduleSchema = z.object({ tenantId, scheduleId: z.string().uuid() });
