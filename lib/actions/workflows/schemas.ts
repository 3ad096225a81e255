// Forms of the workflow actions. The rule editor posts plain fields (up to
// MAX_CONDITIONS condition rows, one assignee, one group and one channel per stage);
// they are assembled into a rule definition and checked by the rule
// language here, so an unknown field or a bad operator comes back as a
// message on that row before anything is touched.
import { z } from "zod";
import { recipientSchema } from "@/lib/mail";
import type { NewChannel } from "@/lib/notify/channels";
import { parseDefinition, ruleDefinitionSchema } from "@/lib/rules/language";

export const MAX_CONDITIONS = 3;
const tenantId = z.string().uuid("Pick a tenant");
const id = (what: string) => z.string().uuid(`Pick a ${what}`);
const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);
const name = z
  .string({ message: "Enter a name" })
  .trim()
  .min(1, "Enter a name")
  .max(80, "A name is at most 80 characters")
  .refine(noControl, "A name cannot contain control characters");

const channelFields = z.object({
  tenantId,
  name,
  kind: z.enum(["webhook", "email"], { message: "Pick webhook or email" }),
  url: z.string().trim().max(2048, "A URL is at most 2048 characters").optional(),
  recipients: z.string().max(5000, "Too many recipients").optional(),
});

/** The addresses, and the positions (1-based) of the entries that are not addresses. */
function recipientsOf(text: string | undefined): { recipients: string[]; bad: number[] } {
  const recipients: string[] = [];
  const bad: number[] = [];
  for (const [i, r] of (text ?? "").split(/[\s,;]+/).filter(Boolean).entries()) {
    const parsed = recipientSchema.safeParse(r);
    if (parsed.success) recipients.push(parsed.data);
    else bad.push(i + 1);
  }
  return { recipients: [...new Set(recipients)], bad };
}

export const createChannelSchema = channelFields.superRefine((v, ctx) => {
  if (v.kind === "webhook") {
    if (!v.url) ctx.addIssue({ code: "custom", path: ["url"], message: "Enter the webhook's https URL" });
    return;
  }
  const { recipients, bad } = recipientsOf(v.recipients);
  // Which one, by position: a message never repeats what was typed (the action fuzz checks it).
  for (const n of bad) ctx.addIssue({ code: "custom", path: ["recipients"], message: `Recipient ${n} is not an email address` });
  if (recipients.length === 0 && bad.length === 0) ctx.addIssue({ code: "custom", path: ["recipients"], message: "Enter at least one email address" });
  if (recipients.length > 20) ctx.addIssue({ code: "custom", path: ["recipients"], message: "At most 20 addresses" });
});

/** The checked form as lib/notify's input. */
export function channelInputOf(v: z.output<typeof channelFields>): NewChannel {
  return v.kind === "webhook"
    ? { tenantId: v.tenantId, name: v.name, kind: "webhook", url: v.url ?? "" }
    : { tenantId: v.tenantId, name: v.name, kind: "email", recipients: recipientsOf(v.recipients).recipients };
}

export const channelTarget = z.object({ tenantId, channelId: id("channel") });
export const setChannelEnabledSchema = channelTarget.extend({ enabled: z.enum(["true", "false"]).transform((v) => v === "true") });
export const ruleTarget = z.object({ tenantId, ruleId: id("rule") });
export const setRuleEnabledSchema = ruleTarget.extend({ enabled: z.enum(["true", "false"]).transform((v) => v === "true") });

const optionalId = (what: string) => z.union([z.literal(""), id(what)]).optional().transform((v) => v || undefined);

const condField = z.string().trim().max(60).optional();
const condOp = z.string().trim().max(30).optional();
const condValue = z.string().max(200, "A value is at most 200 characters").optional();

const ruleFields = {
  tenantId,
  name,
  position: z.coerce.number({ message: "Enter a number" }).int("A whole number").min(0, "0 or more").max(10_000, "At most 10000").default(100),
  enabled: z.string().optional().transform((v) => v === "on" || v === "true"),
  match: z.enum(["all", "any"], { message: "Pick all or any" }).default("all"),
  assignTo: optionalId("person"),
  assignGroup: optionalId("group"),
  notify: optionalId("channel"),
  // Checkboxes: notify the alert tenant's default recipients (settings registry).
  notifyDefaults: z.string().optional().transform((v) => v === "on" || v === "true"),
  escalateNotifyDefaults: z.string().optional().transform((v) => v === "on" || v === "true"),
  escalateAfter: z.string().trim().optional(),
  escalateAssignTo: optionalId("person"),
  escalateAssignGroup: optionalId("group"),
  escalateNotify: optionalId("channel"),
  cond0_field: condField,
  cond0_op: condOp,
  cond0_value: condValue,
  cond1_field: condField,
  cond1_op: condOp,
  cond1_value: condValue,
  cond2_field: condField,
  cond2_op: condOp,
  cond2_value: condValue,
};

type RuleForm = { [k: string]: unknown } & { tenantId: string; name: string; position: number; enabled: boolean; match: "all" | "any" };

/** The definition the form describes (before the language checks it). */
export function definitionFromForm(v: Record<string, unknown>): unknown {
  const conditions = [];
  for (let i = 0; i < MAX_CONDITIONS; i++) {
    const field = (v[`cond${i}_field`] as string | undefined) ?? "";
    const value = (v[`cond${i}_value`] as string | undefined) ?? "";
    if (!field && !value.trim()) continue;
    conditions.push({ field, op: (v[`cond${i}_op`] as string | undefined) ?? "", value });
  }
  const escalateAfter = (v.escalateAfter as string | undefined) ?? "";
  return {
    match: v.match ?? "all",
    conditions,
    actions: { ...(v.assignTo ? { assignTo: v.assignTo } : {}), ...(v.assignGroup ? { assignGroup: v.assignGroup } : {}), notify: v.notify ? [v.notify] : [], ...(v.notifyDefaults ? { notifyDefaults: true } : {}) },
    ...(escalateAfter
      ? {
          escalation: {
            afterMinutes: escalateAfter,
            ...(v.escalateAssignTo ? { assignTo: v.escalateAssignTo } : {}),
            ...(v.escalateAssignGroup ? { assignGroup: v.escalateAssignGroup } : {}),
            notify: v.escalateNotify ? [v.escalateNotify] : [],
            ...(v.escalateNotifyDefaults ? { notifyDefaults: true } : {}),
          },
        }
      : {}),
  };
}

/** The language's complaints, on the form field they are about. */
function fieldOf(path: PropertyKey[]): string {
  if (path[0] === "conditions" && typeof path[1] === "number") return `cond${path[1]}_${String(path[2] ?? "field")}`;
  if (path[0] === "escalation") {
    return path[1] === "assignTo" ? "escalateAssignTo" : path[1] === "assignGroup" ? "escalateAssignGroup" : path[1] === "notify" ? "escalateNotify" : "escalateAfter";
  }
  if (path[0] === "actions") return path[1] === "notify" ? "notify" : path[1] === "assignGroup" ? "assignGroup" : "assignTo";
  return "form";
}

function checkDefinition(v: Record<string, unknown>, ctx: z.RefinementCtx) {
  const parsed = ruleDefinitionSchema.safeParse(definitionFromForm(v));
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: [fieldOf(issue.path)], message: issue.message });
}

const ruleObject = z.object(ruleFields);
export const createRuleSchema = ruleObject.superRefine((v, ctx) => checkDefinition(v, ctx));
export const updateRuleSchema = ruleObject
  .extend({ ruleId: id("rule"), version: z.coerce.number({ error: "Reload the page: the form does not say which version it edits." }).int().positive().max(2_147_483_647) })
  .superRefine((v, ctx) => checkDefinition(v, ctx));

/** The checked form as lib/rules' input (the language checked it already; the store checks again). */
export function ruleInputOf(v: z.output<typeof ruleObject>) {
  const f = v as unknown as RuleForm;
  return { tenantId: f.tenantId, name: f.name, position: f.position, enabled: f.enabled, definition: definitionFromForm(v as Record<string, unknown>) };
}
export { parseDefinition };
