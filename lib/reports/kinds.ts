// What reports exist, as UI values (labels, enums). No imports: client
// components use it (docs/reports.md).
export const REPORT_KINDS = ["executive", "operational"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_FORMATS = ["pdf", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const REPORT_CADENCES = ["weekly", "monthly"] as const;
export type ReportCadence = (typeof REPORT_CADENCES)[number];
export const REPORT_STATUSES = ["queued", "running", "ready", "failed"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_KIND_LABELS: Record<ReportKind, string> = {
  executive: "Executive summary",
  operational: "Operational report",
};
export const REPORT_KIND_HINTS: Record<ReportKind, string> = {
  executive: "Period summary, alert trends by severity, SLA, MTTA/MTTR, top alerts and usage.",
  operational: "Alert breakdowns, top rules and sources, assets, collectors and health, open backlog.",
};
export const REPORT_FORMAT_LABELS: Record<ReportFormat, string> = { pdf: "PDF", csv: "CSV" };
export const REPORT_CADENCE_LABELS: Record<ReportCadence, string> = {
  weekly: "Weekly (Mondays, the week before)",
  monthly: "Monthly (the 1st, the month before)",
};
export const REPORT_STATUS_LABELS: Record<ReportStatus, string> = {
  queued: "Queued",
  running: "Generating",
  ready: "Ready",
  failed: "Failed",
};

/** The longest period one report covers (days). */
export const MAX_REPORT_DAYS = 366;
export const MAX_SCHEDULE_RECIPIENTS = 20;
