// Routing and escalation rules (docs/workflows.md).
export * from "./language";
export { createRule, deleteRule, getRule, ruleHistory, rulesFor, RULE_NOT_FOUND, RULES_PER_TENANT, setRuleEnabled, updateRule, type Rule, type RuleInput, type RuleVersion } from "./store";
export { dryRun, DRY_RUN_DAYS, type DryRun, type DryRunRule } from "./dry-run";
