// lib/reports: customer reports (issue 13, point 4; docs/reports.md).
//   generateReport(tx, {tenantId, kind, from, to, format})   queue one under the caller's RLS (PDP asked first)
//   listReports / getReport / listSchedules / createSchedule / deleteSchedule
//   computeFigures / reportPdf / reportCsv                     the figures and the files
//   generateQueuedReport                                       the worker's side (reports:generate)
//   runDueSchedules / registerReportTasks                      schedules on the job engine
//   customerPeriodRows / customerPeriodCsv / exportCustomers   the console's cross-tenant CSV (exportCustomers audits it)
//   reportDownload                                             a stored file for the routes (audited reports:downloaded)
export * from "./kinds";
export { periodLabel, periodProblem, parseInstant, previousPeriod, nextRun, type Period } from "./period";
export { computeFigures, type ReportFigures } from "./figures";
export { reportPdf, reportCsv, DEFAULT_REPORT_BRAND } from "./render";
export { generateReport, getReport, listReports, listSchedules, createSchedule, deleteSchedule, type ReportRow, type ScheduleRow, type GenerateReportInput } from "./store";
export { generateQueuedReport, renderReport, type GenerateOutcome } from "./generate";
export { runDueSchedules, registerReportTasks, REPORTS_GENERATE_TASK, REPORTS_SCHEDULES_TASK, REPORTS_SCHEDULES_CRONTAB } from "./tasks";
export { customerPeriodRows, customerPeriodCsv, exportCustomers, CUSTOMERS_EXPORTED_AUDIT, type CustomerPeriodRow } from "./cross-tenant";
export { exportableTenants, type ExportableTenant } from "./allowed";
export { reportDownload, REPORT_DOWNLOADED_AUDIT } from "./download";
