// The rule language: what a routing and escalation rule may say, validated
// with zod, and how it is evaluated against an alert. Pure: no I/O here.
//
//   { match: "all" | "any",
//     conditions: [{ field, op, value }],          // 1..10
//     actions: { assignTo?: userId, assignGroup?: groupId, notify: [channelId], notifyDefaults?: true },
//     escalation?: { afterMinutes, assignTo?, assignGroup?, notify: [channelId], notifyDefaults?: true } }
//
// assignGroup: an assignee group (lib/groups) of the rule's tenant or an
// ancestor; the store checks it exists there before saving, the engine
// resolves it against the alert's tenant when the rule runs.
//
// notifyDefaults: also notify the alert's tenant's default recipients, read
// when the rule runs from the settings registry (notifications.emails and
// notifications.webhook_ids, inherited down the tree; lib/rules/defaults.ts).
//
// Fields are the alert's own columns (and its asset's criticality): the
// alerts table has no asset tags, so "tag prod" is written as a hostname or
// title condition. A condition on any other field, or an operator its field
// does not have, is refused with a sentence naming what is allowed.
import { z } from "zod";
import type { Severity } from "@/drizzle/schema";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";

const CRITICALITIES = ["critical", "high", "medium", "low"] as const;

interface FieldSpec {
  label: string;
  ops: readonly string[];
  /** A fixed set of values (rendered as a select), ranked from most to least severe. */
  values?: readonly string[];
}

export const FIELDS = {
  severity: { label: "Severity", ops: ["is", "at_least", "at_most"], values: ALERT_SEVERITIES },
  source: { label: "Source", ops: ["is", "is_not", "contains"] },
  title: { label: "Title", ops: ["contains", "not_contains", "is"] },
  hostname: { label: "Host name", ops: ["is", "contains", "starts_with"] },
  detection_rule: { label: "Detection rule", ops: ["is", "contains"] },
  asset_criticality: { label: "Asset criticality", ops: ["is", "at_least"], values: CRITICALITIES },
} as const satisfies Record<string, FieldSpec>;
export type Field = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as Field[];

export const OP_LABELS: Record<string, string> = {
  is: "is",
  is_not: "is not",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  at_least: "is at least",
  at_most: "is at most",
};

export interface Condition {
  field: Field;
  op: string;
  value: string;
}

const uuid = z.string().uuid("Pick someone from the list");
const groupId = z.string().uuid("Pick a group from the list");
const channelIds = z.array(z.string().uuid("Pick a channel from the list")).max(5, "At most 5 channels per action").default([]);

const conditionSchema = z
  .object({ field: z.string(), op: z.string(), value: z.string().trim().min(1, "Enter a value").max(200, "A value is at most 200 characters") })
  .strict()
  .superRefine((c, ctx) => {
    const spec = (FIELDS as Record<string, FieldSpec>)[c.field];
    if (!spec) {
      ctx.addIssue({ code: "custom", path: ["field"], message: `Unknown field: a condition can be on ${FIELD_NAMES.join(", ")}` });
      return;
    }
    if (!spec.ops.includes(c.op)) {
      ctx.addIssue({ code: "custom", path: ["op"], message: `${spec.label} cannot be compared that way: use ${spec.ops.map((o) => OP_LABELS[o]).join(", ")}` });
    }
    if (spec.values && !spec.values.includes(c.value.toLowerCase())) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `${spec.label} is one of ${spec.values.join(", ")}` });
    }
  })
  .transform((c) => ({ ...c, value: (FIELDS as Record<string, FieldSpec>)[c.field].values ? c.value.toLowerCase() : c.value }) as Condition);

const escalationSchema = z
  .object({
    afterMinutes: z.coerce.number().int("Whole minutes").min(1, "At least 1 minute").max(10_080, "At most 7 days (10080 minutes)"),
    assignTo: uuid.optional(),
    assignGroup: groupId.optional(),
    notify: channelIds,
    notifyDefaults: z.boolean().optional(),
  })
  .strict()
  .refine((e) => e.assignTo || e.assignGroup || e.notify.length > 0 || e.notifyDefaults, { message: "An escalation must assign someone or a group, or notify a channel" });

export const ruleDefinitionSchema = z
  .object({
    match: z.enum(["all", "any"]).default("all"),
    conditions: z.array(conditionSchema).min(1, "Add at least one condition").max(10, "At most 10 conditions"),
    actions: z.object({ assignTo: uuid.optional(), assignGroup: groupId.optional(), notify: channelIds, notifyDefaults: z.boolean().optional() }).strict(),
    escalation: escalationSchema.optional(),
  })
  .strict()
  .refine((d) => d.actions.assignTo || d.actions.assignGroup || d.actions.notify.length > 0 || d.actions.notifyDefaults || d.escalation, {
    message: "A rule must do something: assign someone or a group, notify or escalate",
    path: ["actions"],
  });
export type RuleDefinition = z.output<typeof ruleDefinitionSchema>;

/** The channels, people and groups a definition names (checked against the tenant before it is saved). */
export function referencesOf(d: RuleDefinition): { channels: string[]; people: string[]; groups: string[] } {
  const channels = new Set([...d.actions.notify, ...(d.escalation?.notify ?? [])]);
  const people = new Set([d.actions.assignTo, d.escalation?.assignTo].filter((x): x is string => !!x));
  const groups = new Set([d.actions.assignGroup, d.escalation?.assignGroup].filter((x): x is string => !!x));
  return { channels: [...channels], people: [...people], groups: [...groups] };
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/** What a rule sees of an alert. */
export interface AlertFacts {
  severity: Severity;
  source: string;
  title: string;
  hostname: string | null;
  detectionRule: string | null;
  assetCriticality: string | null;
}

const rank = (list: readonly string[], v: string | null) => (v === null ? -1 : list.length - list.indexOf(v));

function factOf(a: AlertFacts, field: Field): string | null {
  switch (field) {
    case "severity":
      return a.severity;
    case "source":
      return a.source;
    case "title":
      return a.title;
    case "hostname":
      return a.hostname;
    case "detection_rule":
      return a.detectionRule;
    case "asset_criticality":
      return a.assetCriticality;
  }
}

export function conditionHolds(c: Condition, a: AlertFacts): boolean {
  const fact = factOf(a, c.field);
  const spec: FieldSpec = FIELDS[c.field];
  if (spec.values) {
    if (fact === null || !spec.values.includes(fact)) return false;
    if (c.op === "is") return fact === c.value;
    // Lists are ordered most severe first: "at least high" is critical or high.
    if (c.op === "at_least") return rank(spec.values, fact) >= rank(spec.values, c.value);
    if (c.op === "at_most") return rank(spec.values, fact) <= rank(spec.values, c.value);
    return false;
  }
  const text = (fact ?? "").toLowerCase();
  const value = c.value.toLowerCase();
  switch (c.op) {
    case "is":
      return text === value;
    case "is_not":
      return text !== value;
    case "contains":
      return text.includes(value);
    case "not_contains":
      return !text.includes(value);
    case "starts_with":
      return text.startsWith(value);
    default:
      return false;
  }
}

export function ruleMatches(d: RuleDefinition, a: AlertFacts): boolean {
  return d.match === "all" ? d.conditions.every((c) => conditionHolds(c, a)) : d.conditions.some((c) => conditionHolds(c, a));
}

/** "Severity is at least high and host name contains prod". */
export function describeConditions(d: RuleDefinition): string {
  return d.conditions.map((c) => `${FIELDS[c.field].label.toLowerCase()} ${OP_LABELS[c.op]} ${c.value}`).join(d.match === "all" ? " and " : " or ");
}

/** Parses a stored or submitted definition; errors as "path: message" lines. */
export function parseDefinition(raw: unknown): { ok: true; definition: RuleDefinition } | { ok: false; errors: string[] } {
  const parsed = ruleDefinitionSchema.safeParse(raw);
  if (parsed.success) return { ok: true, definition: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((i) => {
      const where = i.path.length ? `${i.path.join(".")}: ` : "";
      // zod's own message for a key it does not know names it; keep ours plain.
      if (i.code === "unrecognized_keys") return `${where}unknown ${i.keys.length === 1 ? "key" : "keys"} ${i.keys.map((k) => `"${String(k).slice(0, 40)}"`).join(", ")}`;
      return `${where}${i.message}`;
    }),
  };
}
