// Usage against the tenant's limits (lib/settings limits.*). Only three
// metrics have a limit to compare with, each in its own unit:
//   assets_managed  this month's peak     vs limits.assets
//   active_seats    this month's peak     vs limits.users (members + open invitations)
//   alerts_ingested the month's busiest day vs limits.api_ingest_per_day
// API requests are limited per minute (limits.api_requests_per_minute), a rate
// no daily total can be compared with: the pages name the rate instead.
import type { EffectiveConfig } from "@/lib/settings";
import type { MetricTotals } from "./read";
import type { UsageMetric } from "./metrics";

export interface LimitUse {
  key: string;
  label: string;
  limit: number;
  /** The quantity compared with it. */
  used: number;
  /** What `used` is, in words ("peak this month", "busiest day"). */
  basis: string;
  /** 0–100+, rounded down; null when the limit is 0. */
  percent: number | null;
}

const LIMITED: Partial<Record<UsageMetric, { key: string; label: string; basis: string; pick: (t: MetricTotals) => number }>> = {
  assets_managed: { key: "limits.assets", label: "Assets", basis: "peak this month", pick: (t) => t.value },
  active_seats: { key: "limits.users", label: "Users", basis: "peak this month", pick: (t) => t.value },
  alerts_ingested: { key: "limits.api_ingest_per_day", label: "Items ingested per day", basis: "busiest day this month", pick: (t) => t.peakDay },
};

export function limitUse(metric: UsageMetric, totals: MetricTotals, config: EffectiveConfig | undefined): LimitUse | null {
  const def = LIMITED[metric];
  if (!def || !config) return null;
  const limit = config.value<number>(def.key);
  const used = def.pick(totals);
  return { key: def.key, label: def.label, limit, used, basis: def.basis, percent: limit > 0 ? Math.floor((used * 100) / limit) : null };
}

/** The per-minute API rate, shown beside api_requests. */
export const apiRateOf = (config: EffectiveConfig | undefined): number | null => config?.value<number>("limits.api_requests_per_minute") ?? null;
