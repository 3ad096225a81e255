// The health.* settings (lib/settings/registry.ts) as the Thresholds the
// signals take. Inherited and lockable like every setting: an MSSP sets its
// defaults at its root, a customer may tune its own unless the MSSP locked them.
import type { EffectiveConfig } from "@/lib/settings";
import type { Thresholds } from "./signals";
import { LIMITED } from "@/lib/usage/limits";

export const THRESHOLD_KEYS: Record<keyof Thresholds, string> = {
  collectorSilentWarnMinutes: "health.collector_silent_warn_minutes",
  collectorSilentCriticalMinutes: "health.collector_silent_critical_minutes",
  alertSilenceHours: "health.alert_silence_hours",
  credentialExpiringDays: "health.credential_expiring_days",
  jobFailuresWarn: "health.job_failures_per_hour",
  apiErrorWarnPercent: "health.api_error_warn_percent",
  apiErrorCriticalPercent: "health.api_error_critical_percent",
  quotaWarnPercent: "health.quota_warn_percent",
  signInFailuresWarn: "health.sign_in_failures_per_hour",
  deniedWarn: "health.denied_per_hour",
};

export function thresholdsOf(config: EffectiveConfig): Thresholds {
  return Object.fromEntries(Object.entries(THRESHOLD_KEYS).map(([k, key]) => [k, config.value<number>(key)])) as unknown as Thresholds;
}

/**
 * The limits the quota signal compares usage with: the latest reading of assets and seats (the current
 * level; the usage pages show the month's peak, what a bill counts), and the ingestion quota's own rolling
 * 24-hour bucket (alerts and assets sent through the API), which is what the gateway refuses by, not a
 * day's count of created alerts.
 */
export const QUOTA_LIMITS = (["assets_managed", "active_seats"] as const).map((metric) => ({ metric, key: LIMITED[metric].key, label: LIMITED[metric].label }));
export const INGEST_QUOTA = { key: "limits.api_ingest_per_day", label: "Items ingested in the last 24 hours" } as const;
