// lib/metrics: the Prometheus endpoint (issue 12, point 4; docs/metrics.md).
export { observeApiAdmission, observeApiRefusal, observeHttp } from "./api";
export { scrapeAccess, type ScrapeAccess } from "./auth";
export { handleMetricsRequest } from "./handler";
export { ingestMetrics } from "./ingest";
export { portalMetrics, type PortalMetrics } from "./registry";
export { scrape } from "./scrape";
export { BoundedTenants, OTHER } from "./tenant-labels";
