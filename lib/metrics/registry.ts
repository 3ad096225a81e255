// The portal's Prometheus series (docs/metrics.md), in one prom-client
// registry per process. Kept on globalThis: Next may load this module more
// than once in a process (the route's bundle, instrumentation's), and two
// registries would each hold half of the counts.
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { settings } from "@/lib/config";
import { BoundedTenants } from "./tenant-labels";

export interface PortalMetrics {
  registry: Registry;
  tenants: BoundedTenants;
  httpRequests: Counter<"group" | "status">;
  apiTenantRequests: Counter<"tenant" | "outcome">;
  rateLimitDenials: Counter<"limit">;
  pdpDecisions: Counter<"source">;
  ingestAlerts: Counter<"result">;
  jobs: Gauge<"status">;
  jobsFailed: Gauge;
  jobsRetrying: Gauge;
  dbPool: Gauge<"state">;
  usageScannedTo: Gauge;
  tenantLabels: Gauge;
  scrapeDbUp: Gauge;
}

function create(): PortalMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "portal_" });
  const registers = [registry];
  return {
    registry,
    tenants: new BoundedTenants(settings().METRICS_TENANT_LABELS),
    httpRequests: new Counter({
      name: "portal_http_requests_total",
      help: "Requests answered by the portal's route handlers, by route group (api, metrics) and HTTP status.",
      labelNames: ["group", "status"],
      registers,
    }),
    apiTenantRequests: new Counter({
      name: "portal_api_tenant_requests_total",
      help: "API requests past authentication, by addressed tenant (the busiest METRICS_TENANT_LABELS tenants, the rest as 'other') and rate-limit outcome.",
      labelNames: ["tenant", "outcome"],
      registers,
    }),
    rateLimitDenials: new Counter({
      name: "portal_rate_limit_denials_total",
      help: "API requests refused with 429, by which limit: key, tenant, ingest_quota, concurrency, auth_failures.",
      labelNames: ["limit"],
      registers,
    }),
    pdpDecisions: new Counter({
      name: "portal_pdp_decisions_total",
      help: "Authorization decisions the pages, actions and API asked for, by source: pdp (asked of Cerbos) or cache (decided by it within PDP_DECISION_CACHE_MS).",
      labelNames: ["source"],
      registers,
    }),
    ingestAlerts: new Counter({
      name: "portal_ingest_alerts_total",
      help: "Alerts in ingestion batches, by result: created, duplicate, rejected (counted when the batch is processed).",
      labelNames: ["result"],
      registers,
    }),
    jobs: new Gauge({ name: "portal_jobs", help: "Visible jobs (public.jobs) queued or running, at scrape time.", labelNames: ["status"], registers }),
    jobsFailed: new Gauge({ name: "portal_jobs_failed_last_hour", help: "Visible jobs that failed for good in the last hour, at scrape time.", registers }),
    jobsRetrying: new Gauge({
      name: "portal_engine_jobs_retrying",
      help: "graphile-worker jobs (cron tasks included) waiting for a retry after a failed attempt, at scrape time.",
      registers,
    }),
    dbPool: new Gauge({
      name: "portal_db_pool_connections",
      help: "The request pool's connections: total, idle, in_use, and waiting (requests queued for one).",
      labelNames: ["state"],
      registers,
    }),
    usageScannedTo: new Gauge({
      name: "portal_usage_rollup_scanned_to_seconds",
      help: "Unix time up to which usage events have been rolled up (lib/usage); alert when it lags by hours.",
      registers,
    }),
    tenantLabels: new Gauge({ name: "portal_metrics_tenant_labels", help: "Tenants holding a label of their own in per-tenant series.", registers }),
    scrapeDbUp: new Gauge({ name: "portal_metrics_db_up", help: "1 when this scrape could read the database-backed gauges, else 0.", registers }),
  };
}

const holder = globalThis as unknown as { __msspMetrics?: PortalMetrics };

export function portalMetrics(): PortalMetrics {
  holder.__msspMetrics ??= create();
  return holder.__msspMetrics;
}
