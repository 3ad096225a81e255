// An alert's severities, most severe first: the one list behind the schema
// mirror (drizzle/schema.ts takes it, as it takes the tenant states from
// lib/lifecycle/states.ts), the ingest and API shapes, the reports, the
// analytics and every page that shows counts by severity. The order is the
// order of columns, bars and legends everywhere. The database's own check
// (supabase/migrations) is the source of truth; keep it and this in step.
// No imports: client components use it.
export const ALERT_SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type AlertSeverityName = (typeof ALERT_SEVERITIES)[number];

/** How a severity reads as a heading or legend entry (tables and badges show the lower-case name). */
export const ALERT_SEVERITY_LABELS: Record<AlertSeverityName, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  info: "Info",
};
