// What the billing console's forms say and show: the plan editor's values
// (amounts in the currency's major units, as an operator types them) and the
// words around money fields. The actions parse the same shapes back
// (lib/billing/schemas.ts: exact decimal text, never a float).
import { METRIC_DEFINITIONS, USAGE_METRICS } from "@/lib/usage/metrics";
import { decimalOf, exampleAmount, formatMoney } from "./money";
import type { Plan } from "./plans";
import { tiersText } from "./schemas";

export interface PlanFormValues {
  planId?: string;
  name: string;
  currency: string;
  /** In the currency's major units ("500.00"), as typed. */
  baseFee: string;
  minimum: string;
  metrics: { metric: string; label: string; included: string; unitSize: string; tiers: string }[];
}

/** The plan editor's values: a saved plan's, or a new plan's defaults (EUR). */
export function planFormValues(plan?: Plan): PlanFormValues {
  const currency = plan?.currency ?? "EUR";
  return {
    planId: plan?.id,
    name: plan?.name ?? "",
    currency,
    baseFee: decimalOf(plan?.baseFee ?? 0n, currency),
    minimum: decimalOf(plan?.minimum ?? 0n, currency),
    metrics: USAGE_METRICS.map((m) => {
      const p = plan?.prices.find((x) => x.metric === m);
      return { metric: m, label: METRIC_DEFINITIONS[m].label, included: p?.included.toString() ?? "0", unitSize: p?.unitSize.toString() ?? "1", tiers: p ? tiersText(p.tiers, currency) : "" };
    }),
  };
}

/** Above the plans. */
export const PLANS_HELP =
  "Amounts are in the plan's currency, with its decimals: 15.00 EUR, 1500 JPY (no thousands separators). Per metric: the included quantity is free; the billable rest is priced by graduated tiers (\"100 @ 8.00, @ 6.00\": the first 100 billable units at 8.00 each, the rest at 6.00).";

export const TIERS_PLACEHOLDER = "100 @ 8.00, @ 6.00";

/** The credit note's amount field: its label names the currency and the most that is left to credit. */
export const creditAmountField = (currency: string, remaining: bigint) => ({
  label: `Amount to credit in ${currency} (at most ${formatMoney(remaining, currency)})`,
  placeholder: `e.g. ${exampleAmount(currency)}`,
});
