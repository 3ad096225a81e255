// The metrics the comparison (console /compare) and benchmark (tenant
// /benchmark) pages show: what each means, its unit and how it reads. The
// figures themselves are computed once, in SQL (analytics.customer_metrics,
// migration 20261201016500), from the alert rollups; this module only names
// and formats them. Every metric is lower-is-better, so a percentile reads
// "better than p% of peers" for all of them.
import { formatDuration } from "@/lib/alerts/sla";

export const COMPARE_METRICS = ["alerts_per_asset", "critical_per_asset", "mtta_minutes", "mttr_minutes", "sla_breach_rate", "open_per_asset"] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

export interface MetricDefinition {
  label: string;
  /** Short column heading. */
  short: string;
  /** What it counts, in one sentence (the page and docs/console.md say the same). */
  definition: string;
  unit: "per asset" | "duration" | "percent";
}

export const METRIC_DEFINITIONS: Record<CompareMetric, MetricDefinition> = {
  alerts_per_asset: {
    label: "Alerts per asset",
    short: "Alerts / asset",
    definition: "Alerts detected in the range (every severity), divided by the customer's assets now.",
    unit: "per asset",
  },
  critical_per_asset: {
    label: "Critical alerts per asset",
    short: "Critical / asset",
    definition: "Critical alerts detected in the range, divided by the customer's assets now.",
    unit: "per asset",
  },
  mtta_minutes: {
    label: "Mean time to acknowledge",
    short: "MTTA",
    definition: "Mean time from detection to the first acknowledgement, of the alerts acknowledged in the range.",
    unit: "duration",
  },
  mttr_minutes: {
    label: "Mean time to resolve",
    short: "MTTR",
    definition: "Mean time from detection to closing (resolved or false positive), of the alerts closed in the range with a recorded close time.",
    unit: "duration",
  },
  sla_breach_rate: {
    label: "SLA breach rate",
    short: "SLA breached",
    definition: "SLA clocks stopped in the range past their target (acknowledge and resolve counted apart; info alerts have none), as a share of the clocks stopped.",
    unit: "percent",
  },
  open_per_asset: {
    label: "Open backlog per asset",
    short: "Open / asset",
    definition: "Alerts still open (new, acknowledged, in progress) at the end of the range, divided by the customer's assets now.",
    unit: "per asset",
  },
};

export const metricLabel = (m: CompareMetric) => METRIC_DEFINITIONS[m].label;

/** What a chart's value axis counts in, per unit: the axis shows plain numbers. */
export const AXIS_UNITS: Record<MetricDefinition["unit"], string> = {
  "per asset": "alerts per asset",
  duration: "minutes",
  percent: "% of SLA clocks",
};

/** A metric's value as the pages show it ("0.42", "1 h 5 min", "12.5 %"); "—" when there is none. */
export function formatMetric(metric: CompareMetric, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  switch (METRIC_DEFINITIONS[metric].unit) {
    case "per asset":
      return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: value < 1 ? 3 : 2 });
    case "duration":
      return value < 1 ? `${Math.round(value * 60)} s` : formatDuration(value * 60_000);
    case "percent":
      return `${value.toLocaleString("en-US", { maximumFractionDigits: 1 })} %`;
  }
}

/** "better than 73% of peers"-style ordinal: 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${s}`;
}
