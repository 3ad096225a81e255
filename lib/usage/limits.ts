// Usage against the tenant's limits (lib/settings limits.*). Only three
// metrics have a limit to compare with, each in its own unit:
//   assets_managed  this month's peak     vs limits.assets
//   active_seats    this month's peak     vs limits.users (members + open invitations)
//   alerts_ingested the month's busiest UTC day of alerts created, beside limits.api_ingest_per_day
//                   (an indication only: the quota is a rolling 24-hour bucket of items sent)
// API requests are limited per minute (limits.api_requests_per_minute), a rate
// no daily total can be compared with: the pages name the rate instead.
// Each tenant has its own limit (a site inherits its own copy of its customer's
// value), so each is compared with the tenant's own use; a page of a subtree
// shows the tenant in it closest to its limit.
import type { EffectiveConfig } from "@/lib/settings";
import type { UsageMetric } from "./metrics";

export interface LimitUse {
  key: string;
  label: string;
  limit: number;
  /** The quantity compared with it: the tenant's own, never a subtree's sum (each tenant has its own limit). */
  used: number;
  /** What `used` is, in words ("peak this month", "busiest day"). */
  basis: string;
  /** 0–100+, rounded down; null when the limit is 0. */
  percent: number | null;
  /** Whose usage and limit these are: the page's tenant, or the tenant of its subtree closest to its own limit. */
  tenant: { id: string; slug: string; name: string };
}

/** Each limited metric's setting, label and basis: the one table the usage pages and the health quota signal (lib/health/thresholds.ts) read. */
export const LIMITED = {
  assets_managed: { key: "limits.assets", label: "Assets", basis: "peak this month" },
  active_seats: { key: "limits.users", label: "Users", basis: "peak this month" },
  // Not the quota's own measure: the gateway refuses by a rolling 24-hour bucket of every item sent
  // (alerts and assets, duplicates included; health's quota signal reads it), which the rollups do not
  // hold. The bar says what it compares: the busiest UTC day of alerts created.
  alerts_ingested: {
    key: "limits.api_ingest_per_day",
    label: "Alerts created, busiest day",
    basis: "alerts created on the busiest UTC day this month; the API's quota counts every item sent in a rolling 24 hours",
  },
} as const satisfies Partial<Record<UsageMetric, { key: string; label: string; basis: string }>>;

/**
 * The metrics with a limit. For each of them the quantity a limit is compared with is the tenant's own
 * largest day of the month: the peak of a snapshot, the busiest day of a counter.
 */
export const LIMITED_METRICS = Object.keys(LIMITED) as UsageMetric[];

export interface LimitCandidate {
  tenant: LimitUse["tenant"];
  /** The tenant's own largest day this month (0 without data). */
  used: number;
  config: EffectiveConfig | undefined;
}

function limitUse(metric: UsageMetric, c: LimitCandidate): LimitUse | null {
  const def = (LIMITED as Partial<Record<UsageMetric, { key: string; label: string; basis: string }>>)[metric];
  if (!def || !c.config) return null;
  const limit = c.config.value<number>(def.key);
  return { key: def.key, label: def.label, limit, used: c.used, basis: def.basis, percent: limit > 0 ? Math.floor((c.used * 100) / limit) : null, tenant: c.tenant };
}

/** How far past its limit a use is, for ranking (a limit of 0 with any use ranks first). */
const pressure = (u: LimitUse) => (u.limit > 0 ? u.used / u.limit : u.used > 0 ? Number.POSITIVE_INFINITY : 0);

/**
 * Of a subtree's tenants (the page's tenant first), the one whose own use is closest to (or furthest
 * past) its own limit; the first on a tie, so a subtree with no use shows its root's limit.
 */
export function closestLimit(metric: UsageMetric, candidates: readonly LimitCandidate[]): LimitUse | null {
  let best: LimitUse | null = null;
  for (const c of candidates) {
    const u = limitUse(metric, c);
    if (u && (!best || pressure(u) > pressure(best))) best = u;
  }
  return best;
}

/** The per-minute API rate, shown beside api_requests. */
export const apiRateOf = (config: EffectiveConfig | undefined): number | null => config?.value<number>("limits.api_requests_per_minute") ?? null;
