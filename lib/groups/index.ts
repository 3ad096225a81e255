// Assignee groups (docs/alert-triage.md#groups, docs/workflows.md).
export * from "./store";
