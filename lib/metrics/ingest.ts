// Ingestion series: alerts per batch result (lib/usage/record.ts meterIngestedAlerts calls it).
import { portalMetrics } from "./registry";

export function ingestMetrics(summary: { created: number; duplicates: number; rejected: number }): void {
  const c = portalMetrics().ingestAlerts;
  if (summary.created) c.inc({ result: "created" }, summary.created);
  if (summary.duplicates) c.inc({ result: "duplicate" }, summary.duplicates);
  if (summary.rejected) c.inc({ result: "rejected" }, summary.rejected);
}
