// Input of the billing actions (zod). Money and quantities are integers:
// a price of 12.5 cents or −1 is refused here with a sentence, before any
// row is touched (the database refuses them again: checks and
// billing.valid_tiers).
import { z } from "zod";
import { USAGE_METRICS, type UsageMetric } from "@/lib/usage/metrics";

const tenantId = z.string().uuid("Pick a tenant");
const MAX_MINOR = 1_000_000_000_000n;

/** A non-negative integer amount in minor units, as typed ("1500"; not "15.00", not "-1"). */
export const minorUnits = (what: string) =>
  z
    .string()
    .trim()
    .transform((s) => (s === "" ? "0" : s))
    .refine((s) => /^\d+$/.test(s), `${what} is a whole number of minor units (cents), 0 or more: 1500 means 15.00`)
    .transform((s) => BigInt(s))
    .refine((n) => n <= MAX_MINOR, `${what} is at most 1,000,000,000,000 minor units`);

export const quantity = (what: string) =>
  z
    .string()
    .trim()
    .transform((s) => (s === "" ? "0" : s))
    .refine((s) => /^\d+$/.test(s), `${what} is a whole number, 0 or more`)
    .transform((s) => BigInt(s))
    .refine((n) => n <= 1_000_000_000_000_000n, `${what} is too large`);

/** The ISO 4217 codes in use (the runtime's list): an unknown code would be billed with a guessed minor unit. */
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

export const currency = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine((s) => /^[A-Z]{3}$/.test(s) && KNOWN_CURRENCIES.has(s), "A currency is a three-letter ISO 4217 code in use, e.g. EUR or USD");

export interface TierInput {
  upTo: bigint | null;
  unitPrice: bigint;
}

/**
 * Tiers as typed in the editor: "100 @ 500, 1000 @ 400, @ 300" = the first
 * 100 billable units at 500 each, units 101–1000 at 400, above at 300. A
 * single "@ 250" (or "250") is a flat price. Empty = the metric is not billed.
 */
export function parseTiers(text: string): { ok: true; tiers: TierInput[] } | { ok: false; error: string } {
  const parts = text.split(/[,;\n]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return { ok: true, tiers: [] };
  if (parts.length > 10) return { ok: false, error: "At most 10 tiers" };
  const tiers: TierInput[] = [];
  let prev = 0n;
  for (const [i, part] of parts.entries()) {
    const m = /^(?:(\d+)\s*)?@\s*(\S+)$/.exec(part) ?? (/^(\S+)$/.test(part) && i === parts.length - 1 ? [part, undefined, part] : null);
    if (!m) return { ok: false, error: `"${part.slice(0, 30)}" is not "<up to> @ <unit price>"` };
    const price = m[2];
    if (!/^\d+$/.test(price)) return { ok: false, error: `Unit prices are whole numbers of minor units, 0 or more ("${price.slice(0, 20)}" is not)` };
    const last = i === parts.length - 1;
    if (last && m[1] !== undefined) return { ok: false, error: "The last tier has no upper bound: write it as \"@ <unit price>\"" };
    if (!last && m[1] === undefined) return { ok: false, error: "Every tier but the last needs an upper bound: \"<up to> @ <unit price>\"" };
    const upTo = m[1] === undefined ? null : BigInt(m[1]);
    if (upTo !== null && upTo <= prev) return { ok: false, error: "Tier bounds must increase" };
    if (BigInt(price) > MAX_MINOR) return { ok: false, error: "A unit price is at most 1,000,000,000,000 minor units" };
    tiers.push({ upTo, unitPrice: BigInt(price) });
    if (upTo !== null) prev = upTo;
  }
  return { ok: true, tiers };
}

export const tiersText = (tiers: readonly TierInput[]): string =>
  tiers.map((t) => (t.upTo === null ? `@ ${t.unitPrice}` : `${t.upTo} @ ${t.unitPrice}`)).join(", ");

const metricFields = Object.fromEntries(
  USAGE_METRICS.flatMap((m) => [
    [`included_${m}`, quantity("Included quantity").optional().default(0n)],
    [`unitSize_${m}`, z.string().trim().optional().transform((s) => (s ? s : "1")).refine((s) => /^\d+$/.test(s) && BigInt(s) >= 1n && BigInt(s) <= 1_000_000_000n, "Price per: a whole number from 1 to 1,000,000,000").transform((s) => BigInt(s))],
    [`tiers_${m}`, z.string().max(500).optional().default("")],
  ]),
  // Typed as no keys: the per-metric fields are read by name in toPlan; an index
  // signature here would erase the named fields' types for the guard.
) as Record<never, never>;

const planShape = {
  tenantId,
  name: z.string().trim().min(1, "Name the plan").max(80, "A plan name is at most 80 characters").refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "No control characters"),
  currency,
  baseFee: minorUnits("The base fee"),
  minimum: minorUnits("The minimum"),
  ...metricFields,
};

const checkTiers = (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
  for (const m of USAGE_METRICS) {
    const r = parseTiers(String(v[`tiers_${m}`] ?? ""));
    if (!r.ok) ctx.addIssue({ code: "custom", path: [`tiers_${m}`], message: r.error });
  }
};

/** The plan editor's form (tenantId = the MSSP). */
export const planSchema = z.object(planShape).superRefine(checkTiers);
export const updatePlanSchema = z.object({ ...planShape, planId: z.string().uuid("Pick a plan") }).superRefine(checkTiers);
/** Deleting a plan (tenantId = the MSSP). */
export const deletePlanSchema = z.object({ tenantId, planId: z.string().uuid("Pick a plan") });

export interface PlanInput {
  tenantId: string;
  name: string;
  currency: string;
  baseFee: bigint;
  minimum: bigint;
  prices: { metric: UsageMetric; included: bigint; unitSize: bigint; tiers: TierInput[] }[];
}

/** The parsed form as a plan (tiers parsed; metrics without tiers are not billed). */
export const toPlan = (v: z.infer<typeof planSchema>): PlanInput => {
  const o = v as Record<string, unknown>;
  return {
    tenantId: o.tenantId as string,
    name: o.name as string,
    currency: o.currency as string,
    baseFee: o.baseFee as bigint,
    minimum: o.minimum as bigint,
    prices: USAGE_METRICS.flatMap((m) => {
      const r = parseTiers(String(o[`tiers_${m}`] ?? ""));
      if (!r.ok || r.tiers.length === 0) return [];
      return [{ metric: m, included: o[`included_${m}`] as bigint, unitSize: o[`unitSize_${m}`] as bigint, tiers: r.tiers }];
    }),
  };
};


const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "A month is YYYY-MM");

export const assignPlanSchema = z.object({
  /** The customer. */
  tenantId,
  planId: z.string().uuid("Pick a plan"),
  /** First month billed at this plan. */
  from: month,
  /** A checkbox: replace the assignment starting that month (a correction) instead of adding one. */
  replace: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || v === "on", "Replace is either ticked or left out")
    .transform((v) => v === "on"),
});

export const runPeriodSchema = z.object({ tenantId, month });
export const invoiceTarget = z.object({ tenantId, invoiceId: z.string().uuid("Pick an invoice") });
export const creditNoteSchema = z.object({
  tenantId,
  invoiceId: z.string().uuid("Pick an invoice"),
  amount: minorUnits("The amount").refine((n) => n > 0n, "A credit note credits more than 0"),
  reason: z.string().trim().min(3, "Say why (at least 3 characters)").max(500, "At most 500 characters"),
});
