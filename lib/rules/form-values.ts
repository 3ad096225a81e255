// An existing rule as the editor's plain fields (the inverse of
// lib/actions/workflows/schemas.ts definitionFromForm), for "Edit" on the
// workflows page. The editor holds up to MAX_EDITOR_CONDITIONS conditions and
// one channel per stage; a rule saved with more (through an older editor or
// the store directly) is not offered for editing here rather than silently
// losing the rest on save.
import type { Rule } from "./store";

export const MAX_EDITOR_CONDITIONS = 3;

export interface RuleFormValues {
  ruleId: string;
  version: number;
  name: string;
  position: number;
  enabled: boolean;
  match: "all" | "any";
  conditions: { field: string; op: string; value: string }[];
  assignTo: string;
  assignGroup: string;
  notify: string;
  notifyDefaults: boolean;
  escalateAfter: string;
  escalateAssignTo: string;
  escalateAssignGroup: string;
  escalateNotify: string;
  escalateNotifyDefaults: boolean;
}

/** The editor's values for `rule`, or null when the editor cannot hold it (inherited, invalid, or more than it shows). */
export function formValuesOf(rule: Rule): RuleFormValues | null {
  const d = rule.definition;
  if (rule.inherited || !d) return null;
  if (d.conditions.length > MAX_EDITOR_CONDITIONS || d.actions.notify.length > 1 || (d.escalation?.notify.length ?? 0) > 1) return null;
  return {
    ruleId: rule.id,
    version: rule.version,
    name: rule.name,
    position: rule.position,
    enabled: rule.enabled,
    match: d.match,
    conditions: d.conditions.map((c) => ({ field: c.field, op: c.op, value: c.value })),
    assignTo: d.actions.assignTo ?? "",
    assignGroup: d.actions.assignGroup ?? "",
    notify: d.actions.notify[0] ?? "",
    notifyDefaults: d.actions.notifyDefaults ?? false,
    escalateAfter: d.escalation ? String(d.escalation.afterMinutes) : "",
    escalateAssignTo: d.escalation?.assignTo ?? "",
    escalateAssignGroup: d.escalation?.assignGroup ?? "",
    escalateNotify: d.escalation?.notify[0] ?? "",
    escalateNotifyDefaults: d.escalation?.notifyDefaults ?? false,
  };
}
