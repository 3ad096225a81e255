// What a usage page says before anything was metered. On the tenant's own host
// it speaks to the customer: what will appear, and what they can do about it
// (create an API key for their collector or integrations, or ask their
// provider). On the console it speaks to the operator, naming where each
// reading comes from (lib/usage/metrics.ts recordedBy).
import { METRIC_DEFINITIONS, USAGE_METRICS } from "./metrics";

/** Who reads the page: the customer on its own host, or an operator on the console. */
export type UsageAudience = { kind: "tenant"; providerName: string; canManageKeys: boolean } | { kind: "console" };

export interface UsageEmptyState {
  title: string;
  intro: string;
  items: { metric: string; label: string; text: string }[];
  next: string;
  /** Where to start (the tenant's API keys page), when the reader may use it. */
  action: { href: string; label: string } | null;
}

export function usageEmptyState(tenantName: string, audience: UsageAudience): UsageEmptyState {
  const title = `No usage recorded for ${tenantName} yet.`;
  if (audience.kind === "console") {
    return {
      title,
      intro: "Usage comes from the work itself, and is rolled up every hour (the current hour is not in yet):",
      items: USAGE_METRICS.map((m) => ({ metric: m, label: METRIC_DEFINITIONS[m].label, text: METRIC_DEFINITIONS[m].recordedBy })),
      next: "Alerts and requests appear once the customer's collector or integrations send data with one of its API keys; assets, seats and storage after the next nightly count.",
      action: null,
    };
  }
  return {
    title,
    intro: "This page shows what your account uses each month, against its limits. Once your security data starts arriving you will see:",
    items: USAGE_METRICS.map((m) => ({ metric: m, label: METRIC_DEFINITIONS[m].label, text: METRIC_DEFINITIONS[m].counts })),
    next: audience.canManageKeys
      ? `To start, create an API key for your collector or your integrations: the alerts they send show here within the hour. ${audience.providerName} can help you connect your tools.`
      : `Your account's admin connects your security tools with an API key; ask them, or ${audience.providerName}, if you expected to see usage here.`,
    action: audience.canManageKeys ? { href: "/api-keys", label: "Create an API key" } : null,
  };
}
