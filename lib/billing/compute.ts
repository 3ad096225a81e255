// Invoice arithmetic: pure, integer-only (bigint), no database. One plan and
// one period's usage in, the invoice's lines and totals out. docs/billing.md
// states the rules; tests/billing-arithmetic.test.ts checks them against
// hand-computed cases and properties.
//
// Per metric: billable = max(0, quantity − included). The tiers are graduated
// over the billable units: tier k prices the units above the previous tier's
// up_to and up to its own (the last tier is open). One line per tier that
// has units; a metric with no billable units still gets one line (amount 0)
// so the invoice shows the usage it came from. A tier's amount is
// units × unit_price / unit_size rounded half up to a minor unit — the only
// rounding, once per line. Then the monthly base fee; then, if the total is
// below the plan's minimum, a "minimum commitment" line tops it up.
import { METRIC_DEFINITIONS, type UsageMetric } from "@/lib/usage/metrics";
import { formatQuantity } from "./money";

export interface Tier {
  /** Last billable unit of this tier (inclusive), null = open. */
  upTo: bigint | null;
  /** Minor units per unit_size units. */
  unitPrice: bigint;
}

export interface MetricPrice {
  metric: UsageMetric;
  included: bigint;
  unitSize: bigint;
  tiers: Tier[];
}

export interface PlanPricing {
  name: string;
  currency: string;
  baseFee: bigint;
  minimum: bigint;
  prices: MetricPrice[];
}

export interface Period {
  /** First day, YYYY-MM-DD (UTC). */
  start: string;
  /** First day after, YYYY-MM-DD. */
  end: string;
}

export type LineKind = "usage" | "base_fee" | "minimum" | "credit";

export interface InvoiceLine {
  lineNo: number;
  kind: LineKind;
  description: string;
  metric: UsageMetric | null;
  quantity: bigint;
  included: bigint;
  /** Units priced on this line (this tier's share of the billable units). */
  billable: bigint;
  tierFrom: bigint | null;
  tierTo: bigint | null;
  unitSize: bigint;
  unitPrice: bigint;
  amount: bigint;
  usageFrom: string | null;
  usageTo: string | null;
}

export interface ComputedInvoice {
  lines: InvoiceLine[];
  /** Usage and base fee, before the minimum. */
  subtotal: bigint;
  total: bigint;
}

/** units × price / size, rounded half up (all non-negative). */
export function lineAmount(units: bigint, unitPrice: bigint, unitSize: bigint): bigint {
  return (units * unitPrice * 2n + unitSize) / (2n * unitSize);
}

export interface TierShare {
  from: bigint;
  to: bigint | null;
  units: bigint;
  unitPrice: bigint;
  amount: bigint;
}

/** How `billable` units fall into the graduated tiers. */
export function splitTiers(billable: bigint, price: Pick<MetricPrice, "tiers" | "unitSize">): TierShare[] {
  const out: TierShare[] = [];
  let lower = 0n;
  for (const tier of price.tiers) {
    const upper = tier.upTo;
    const cap = upper === null ? billable : billable < upper ? billable : upper;
    const units = cap > lower ? cap - lower : 0n;
    out.push({ from: lower + 1n, to: upper, units, unitPrice: tier.unitPrice, amount: lineAmount(units, tier.unitPrice, price.unitSize) });
    if (upper === null || billable <= upper) break;
    lower = upper;
  }
  return out;
}

const range = (from: bigint, to: bigint | null) => (to === null ? `units ${formatQuantity(from)}+` : `units ${formatQuantity(from)}–${formatQuantity(to)}`);

export function computeInvoice(plan: PlanPricing, usage: Partial<Record<UsageMetric, bigint>>, period: Period): ComputedInvoice {
  const lines: InvoiceLine[] = [];
  const push = (l: Omit<InvoiceLine, "lineNo">) => lines.push({ ...l, lineNo: lines.length + 1 });
  const blank = { metric: null, quantity: 0n, included: 0n, billable: 0n, tierFrom: null, tierTo: null, unitSize: 1n, usageFrom: null, usageTo: null };

  if (plan.baseFee > 0n) push({ ...blank, kind: "base_fee", description: `${plan.name}: monthly base fee`, unitPrice: plan.baseFee, billable: 1n, amount: plan.baseFee });

  for (const price of plan.prices) {
    const quantity = usage[price.metric] ?? 0n;
    const billable = quantity > price.included ? quantity - price.included : 0n;
    const label = METRIC_DEFINITIONS[price.metric].label;
    const per = price.unitSize === 1n ? "" : ` (price per ${formatQuantity(price.unitSize)})`;
    const shares = splitTiers(billable, price).filter((s, i) => s.units > 0n || i === 0);
    const multi = price.tiers.length > 1;
    for (const s of shares) {
      push({
        kind: "usage",
        description: `${label}${multi ? `, ${range(s.from, s.to)}` : ""}${per}`,
        metric: price.metric,
        quantity,
        included: price.included,
        billable: s.units,
        tierFrom: multi ? s.from : null,
        tierTo: multi ? s.to : null,
        unitSize: price.unitSize,
        unitPrice: s.unitPrice,
        amount: s.amount,
        usageFrom: period.start,
        usageTo: period.end,
      });
    }
  }

  const subtotal = lines.reduce((sum, l) => sum + l.amount, 0n);
  if (subtotal < plan.minimum) {
    push({ ...blank, kind: "minimum", description: `${plan.name}: minimum monthly commitment`, unitPrice: plan.minimum - subtotal, billable: 1n, amount: plan.minimum - subtotal });
  }
  const total = lines.reduce((sum, l) => sum + l.amount, 0n);
  return { lines, subtotal, total };
}

/** The months [start, end) of a period key "YYYY-MM" (UTC calendar month). */
export function periodOf(month: string): Period {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new Error(`not a month: ${month}`);
  const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  const end = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

/** The month before `now`'s, "YYYY-MM". */
export function previousMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}
