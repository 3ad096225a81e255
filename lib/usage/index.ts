// lib/usage: usage metering (issue 12, point 1; docs/usage.md).
//   recordUsage / recordUsageIn        append events (idempotent per tenant and key)
//   meterIngestedAlerts / apiRequestCountSql   the ingestion and gateway hooks
//   rollupDirty / rollupRange / rerollRecent   hourly and daily rollups from the events
//   takeSnapshots                      the nightly assets / seats / storage readings
//   registerUsageTasks                 their schedules on the job engine's crontab
//   subtreeTotals / subtreeDays / subtreeMonthAndDays   reads under RLS (a tenant's subtree)
//   loadTenantUsage / loadCustomerUsage  the pages' data, PDP billing:view
export * from "./metrics";
export { apiRequestCountSql, meterIngestedAlerts, recordUsage, recordUsageIn, type UsageEvent } from "./record";
export { DAY_MS, REROLL_DAYS, flushApiCounts, rerollRecent, rollupDay, rollupDirty, rollupPairs, rollupRange, utcDay, type RollupStats } from "./rollup";
export { takeSnapshots } from "./snapshot";
export { registerUsageTasks, USAGE_REROLL_TASK, USAGE_ROLLUP_TASK, USAGE_SNAPSHOT_TASK } from "./tasks";
export { emptyTotals, monthStart, subtreeDays, subtreeMonthAndDays, subtreeTotals, type DayUsage, type MetricTotals, type UsageTotals } from "./read";
export { loadCustomerUsage, loadTenantUsage, nothingMetered, USAGE_SOURCES, type CustomerUsageData, type CustomerUsageRow, type MetricRow, type TenantUsageData } from "./page-data";
