import { z } from "zod";
import type { AlertStatus } from "@/drizzle/schema";
import { STATUS_LABELS } from "@/lib/alerts/labels";
import { MAX_BULK } from "@/lib/alerts/triage";

const tenantId = z.string().uuid("Pick a tenant");
const alertId = z.string().uuid("Pick an alert");
const noControl = (s: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);

export const reasonField = z
  .string({ message: "Say why you are closing it (at least 3 characters)" })
  .trim()
  .min(3, "Say why you are closing it (at least 3 characters)")
  .max(1000, "Keep the reason under 1,000 characters")
  .refine(noControl, "The reason cannot contain control characters");
export const resolutionField = z.enum(["resolved", "false_positive"], { message: "Choose resolved or false positive" });
/** A person's id, or "" to unassign. */
export const assigneeField = z.union([z.literal(""), z.string().uuid("Pick a person from the list")], { message: "Pick a person from the list" });

export const alertTarget = z.object({ tenantId, alertId });
/**
 * The status the page showed when the person clicked: a status change is refused if the alert has
 * moved on since (a colleague closed it meanwhile: "Start work" would reopen it unseen).
 */
const shownStatus = z.enum(Object.keys(STATUS_LABELS) as [AlertStatus, ...AlertStatus[]], { message: "Reload the alert" }).optional();
export const statusStepSchema = alertTarget.extend({ shown: shownStatus });
export const closeAlertSchema = alertTarget.extend({ resolution: resolutionField, reason: reasonField, shown: shownStatus });
export const assignAlertSchema = alertTarget.extend({ assigneeId: assigneeField });
/** A group (lib/groups) by id, "" to take the alert from its group; a person in it optionally. */
export const assignAlertGroupSchema = alertTarget.extend({
  groupId: z.union([z.literal(""), z.string().uuid("Pick a group from the list")], { message: "Pick a group from the list" }),
  assigneeId: assigneeField.optional(),
});
export const commentSchema = alertTarget.extend({
  body: z
    .string({ message: "Write a comment first" })
    .trim()
    .min(1, "Write a comment first")
    .max(4000, "Keep a comment under 4,000 characters")
    .refine(noControl, "The comment cannot contain control characters"),
});

/** "tenantId:alertId,tenantId:alertId…" (one form field, so a GET-free form can carry the selection). */
export const alertKeysField = z
  .string()
  .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
  .pipe(
    z
      .array(z.string().regex(/^[0-9a-f-]{36}:[0-9a-f-]{36}$/i, "A selected alert is not valid; reload the list"))
      .min(1, "Select at least one alert")
      .max(MAX_BULK, `Select at most ${MAX_BULK} alerts at a time`),
  )
  .transform((pairs) => [...new Set(pairs.map((p) => p.toLowerCase()))].map((p) => ({ tenantId: p.slice(0, 36), alertId: p.slice(37) })))
  .pipe(z.array(z.object({ tenantId: z.string().uuid("A selected alert is not valid; reload the list"), alertId: z.string().uuid("A selected alert is not valid; reload the list") })));

export const bulkSchema = z.object({ tenantId, alerts: alertKeysField });
export const bulkAssignSchema = bulkSchema.extend({ assigneeId: assigneeField });
export const bulkCloseSchema = bulkSchema.extend({ resolution: resolutionField, reason: reasonField });

export const saveFilterSchema = z.object({
  tenantId,
  name: z.string().trim().min(1, "Name the filter").max(80, "Keep the name under 80 characters").refine(noControl, "The name cannot contain control characters"),
  query: z.string().max(1000, "This view's filters are too long to save"),
});
export const deleteFilterSchema = z.object({ tenantId, filterId: z.string().uuid("Pick a saved filter") });
