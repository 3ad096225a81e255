// The metered quantities (issue 12, point 1; docs/usage.md). The kind decides
// how a period's events become its total:
//   counter   events are amounts of work done; a period's total is their sum
//   snapshot  events are readings of a level (assets, seats, bytes); a
//             period's total is the largest reading in it (the peak: order-
//             independent, so a late or repeated reading changes nothing)
// Migration 20261201012000 holds the same list (usage.metric_kind); a test
// compares the two.
export const USAGE_METRICS = ["alerts_ingested", "api_requests", "connector_pulls", "assets_managed", "active_seats", "storage_bytes"] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];
export type MetricKind = "counter" | "snapshot";

export interface MetricDefinition {
  metric: UsageMetric;
  kind: MetricKind;
  label: string;
  unit: string;
  /** Where the events come from, in an operator's words (the console's empty state and docs/usage.md say the same). */
  recordedBy: string;
  /** What it counts, in a customer's words (their usage page's empty state): no endpoints, jobs or internals. */
  counts: string;
}

export const METRIC_DEFINITIONS: Record<UsageMetric, MetricDefinition> = {
  alerts_ingested: {
    metric: "alerts_ingested",
    kind: "counter",
    label: "Alerts ingested",
    unit: "alerts",
    recordedBy: "each POST /api/v1/alerts batch, counting the alerts it created (re-sent alerts are not counted)",
    counts: "the alerts your security tools send in, each counted once (an alert sent again is not counted twice)",
  },
  api_requests: {
    metric: "api_requests",
    kind: "counter",
    label: "API requests",
    unit: "requests",
    recordedBy: "the API gateway, per request admitted past the rate limits, per minute",
    counts: "the requests your integrations and scripts make with your API keys",
  },
  connector_pulls: {
    metric: "connector_pulls",
    kind: "counter",
    label: "Connector pulls",
    unit: "pulls",
    recordedBy: "the collector's checkpoint advances through the API, one per page pulled and sent on",
    counts: "each batch the collector fetches from your security tools and sends on",
  },
  assets_managed: {
    metric: "assets_managed",
    kind: "snapshot",
    label: "Assets managed",
    unit: "assets",
    recordedBy: "the nightly snapshot: the tenant's assets",
    counts: "the devices and systems watched for you, counted each night",
  },
  active_seats: {
    metric: "active_seats",
    kind: "snapshot",
    label: "Active seats",
    unit: "seats",
    recordedBy: "the nightly snapshot: people holding a role on the tenant itself",
    counts: "the people with access to this account, counted each night",
  },
  storage_bytes: {
    metric: "storage_bytes",
    kind: "snapshot",
    label: "Storage",
    unit: "bytes",
    recordedBy: "the nightly snapshot: the size of the tenant's alerts, timelines, raw events and assets",
    counts: "the space your alerts, their history and your assets take up, measured each night",
  },
};

export const metricKind = (m: UsageMetric): MetricKind => METRIC_DEFINITIONS[m].kind;
export const isUsageMetric = (m: string): m is UsageMetric => (USAGE_METRICS as readonly string[]).includes(m);

/** Combines two quantities of one period the way the metric's kind does. */
export function combine(kind: MetricKind, a: bigint, b: bigint): bigint {
  if (kind === "counter") return a + b;
  return a > b ? a : b;
}
