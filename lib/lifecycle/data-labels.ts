// What the customer page's Data card calls a tenant's tables. The tables come
// from the catalog (lib/lifecycle/catalog.ts), so a table added later still
// shows, under its name made readable, until it is named here.
// No imports from drizzle/: the customer page's components import this file.

/**
 * The names an operator would use for the tables that hold a tenant's own records.
 * A Map, not an object: `in` and `[]` on an object literal also answer for its prototype's keys.
 */
const LABELS = new Map(Object.entries({
  "public.alerts": "alerts",
  "public.alert_events": "alert timeline entries",
  "public.alert_raw_events": "raw events",
  "public.alert_saved_filters": "saved alert views",
  "public.assets": "assets",
  "public.api_keys": "API keys",
  "public.assignee_groups": "assignee groups",
  "public.assignee_group_members": "group members",
  "public.billing_invoices": "invoices",
  "public.billing_invoice_lines": "invoice lines",
  "public.billing_plan_assignments": "billing plan assignments",
  "public.billing_plans": "billing plans",
  "public.billing_plan_prices": "billing plan prices",
  "public.bulk_runs": "bulk runs",
  "public.bulk_run_items": "bulk run results",
  "mail.outbox": "emails",
  "public.brand_assets": "brand files",
  "public.brand_drafts": "brand drafts",
  "public.collectors": "collectors",
  "public.collector_checkpoints": "collector checkpoints",
  "public.credentials": "credentials",
  "public.custom_domains": "custom domains",
  "public.invitations": "invitations",
  "public.memberships": "memberships",
  "public.notification_channels": "notification channels",
  "public.notification_deliveries": "notifications",
  "public.notification_attempts": "notification attempts",
  "public.reports": "reports",
  "public.report_schedules": "report schedules",
  "public.tenant_settings": "settings",
  "public.usage_events": "usage events",
  "public.workflow_rules": "workflow rules",
  "public.workflow_rule_versions": "workflow rule versions",
  "public.workflow_rule_runs": "workflow runs",
}));

/**
 * Kept by triggers or jobs from the records above and rebuilt from them (the
 * dashboards' rollups, counters, health history): not what the customer
 * holds, so the card neither lists nor counts them.
 */
const DERIVED = new Set([
  "public.alert_daily_rollups",
  "public.alert_open_counts",
  "public.alert_subtree_blocks",
  "public.alert_subtree_rollups",
  "public.asset_counts",
  "public.tenant_health",
  "public.tenant_health_transitions",
  "public.usage_rollups",
  "usage.api_request_counts",
  "usage.rollup_state",
]);

/** The portal's bookkeeping about the tenant (its row, workflows, audit trail, key rows), not its data. */
const BOOKKEEPING = new Set(["public.tenants", "public.jobs", "public.job_steps", "audit.chain_heads", "public.audit_log", "keyring.tenant_keys"]);

/** Whether the Data card lists and counts a table's rows: the tenant's own records, not bookkeeping or rollups. */
export const isTenantRecords = (table: string): boolean => !BOOKKEEPING.has(table) && !DERIVED.has(table);

/** Whether the card has a name for the table or knows to leave it out (tests/data-labels.test.ts: every catalog table). */
export const isClassified = (table: string): boolean => LABELS.has(table) || DERIVED.has(table) || BOOKKEEPING.has(table);

/** What to call a table's rows on the page: its label, else its name without schema, underscores as spaces. */
export function tableLabel(table: string): string {
  return LABELS.get(table) ?? table.replace(/^[a-z_]+\./, "").replace(/_/g, " ");
}
