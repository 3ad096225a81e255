// Input of the billing actions (zod). Money is typed in the currency's major
// units ("15.00" EUR, "1500" JPY) and kept as an integer count of its minor
// units: the decimal text is converted exactly (lib/billing/money.ts
// parseMajor, never a float), with the currency's own number of decimals.
// Quantities are integers. A price of 12.345 EUR or −1 is refused here with
// a sentence, before any row is touched (the database refuses them again:
// checks and billing.valid_tiers).
import { z } from "zod";
import { USAGE_METRICS, type UsageMetric } from "@/lib/usage/metrics";
import { currencyExponent, decimalOf, exampleAmount, formatMoney, isAmountShape, parseMajor } from "./money";

const tenantId = z.string().uuid("Pick a tenant");
/** The largest amount, in minor units (the database's bigint has room; no invoice comes near). */
export const MAX_MINOR = 1_000_000_000_000n;

type AmountError = "format" | "negative" | "decimals" | "over";

/** Why an amount typed for `what` ("The base fee") was refused, in the currency's terms. */
export function amountMessage(what: string, currency: string, error: AmountError): string {
  const exp = currencyExponent(currency);
  switch (error) {
    case "negative":
      return `${what} cannot be negative`;
    case "format":
      return `${what} is an amount in ${currency} such as ${exampleAmount(currency)}: digits${exp === 0 ? "" : " and a point"}, no thousands separators`;
    case "decimals":
      return exp === 0 ? `${currency} has no decimals: ${what.toLowerCase()} is a whole number, such as 1500` : `${what} has at most ${exp} decimals in ${currency}, such as ${exampleAmount(currency)}`;
    case "over":
      return `${what} is at most ${formatMoney(MAX_MINOR, currency)}`;
  }
}

/** An amount typed in major units, as minor units, within 0..MAX_MINOR; or why not. */
export function amountIn(text: string, currency: string, what: string): { ok: true; minor: bigint } | { ok: false; message: string } {
  const r = parseMajor(text, currency);
  if (!r.ok) return { ok: false, message: amountMessage(what, currency, r.error) };
  if (r.minor > MAX_MINOR) return { ok: false, message: amountMessage(what, currency, "over") };
  return r;
}

/**
 * An amount as typed, before its currency is known ("" is 0): a sign or a shape that is no amount
 * is refused here; its decimals and the limit are checked against the form's currency (checkAmounts).
 */
export const amountText = (what: string) =>
  z
    .string()
    .trim()
    .transform((s) => (s === "" ? "0" : s))
    .refine((s) => !s.startsWith("-"), `${what} cannot be negative`)
    .refine((s) => s.startsWith("-") || isAmountShape(s), `${what} is an amount such as 15.00: digits and a point, no thousands separators`);

const knownCurrency = (c: unknown): c is string => typeof c === "string" && KNOWN_CURRENCIES.has(c);

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
 * Tiers as typed in the editor, unit prices in the currency's major units: "100 @ 5.00, 1000 @ 4.00,
 * @ 3.00" = the first 100 billable units at 5.00 each, units 101–1000 at 4.00, above at 3.00. A
 * single "@ 2.50" (or "2.50") is a flat price. Empty = the metric is not billed.
 */
export function parseTiers(text: string, currency: string): { ok: true; tiers: TierInput[] } | { ok: false; error: string } {
  const parts = text.split(/[,;\n]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return { ok: true, tiers: [] };
  if (parts.length > 10) return { ok: false, error: "At most 10 tiers" };
  const tiers: TierInput[] = [];
  let prev = 0n;
  for (const [i, part] of parts.entries()) {
    const m = /^(?:(\d+)\s*)?@\s*(\S+)$/.exec(part) ?? (/^(\S+)$/.test(part) && i === parts.length - 1 ? [part, undefined, part] : null);
    if (!m) return { ok: false, error: `"${part.slice(0, 30)}" is not "<up to> @ <unit price>"` };
    const price = amountIn(m[2], currency, "A unit price");
    if (!price.ok) return { ok: false, error: `${price.message} ("${m[2].slice(0, 20)}" is not)` };
    const last = i === parts.length - 1;
    if (last && m[1] !== undefined) return { ok: false, error: "The last tier has no upper bound: write it as \"@ <unit price>\"" };
    if (!last && m[1] === undefined) return { ok: false, error: "Every tier but the last needs an upper bound: \"<up to> @ <unit price>\"" };
    const upTo = m[1] === undefined ? null : BigInt(m[1]);
    if (upTo !== null && upTo <= prev) return { ok: false, error: "Tier bounds must increase" };
    tiers.push({ upTo, unitPrice: price.minor });
    if (upTo !== null) prev = upTo;
  }
  return { ok: true, tiers };
}

/** Tiers as the editor shows them again, unit prices in major units ("100 @ 8.00, @ 6.00"). */
export const tiersText = (tiers: readonly TierInput[], currency: string): string =>
  tiers.map((t) => (t.upTo === null ? `@ ${decimalOf(t.unitPrice, currency)}` : `${t.upTo} @ ${decimalOf(t.unitPrice, currency)}`)).join(", ");

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
  baseFee: amountText("The base fee"),
  minimum: amountText("The minimum"),
  ...metricFields,
};

const PLAN_AMOUNTS = [
  ["baseFee", "The base fee"],
  ["minimum", "The minimum"],
] as const;

/** The fees' decimals and limits, and the tiers, in the plan's currency (only once that is a currency). */
const checkAmounts = (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
  if (!knownCurrency(v.currency)) return;
  for (const [field, what] of PLAN_AMOUNTS) {
    const text = v[field];
    if (typeof text !== "string" || !isAmountShape(text)) continue; // said by the field's own check
    const r = amountIn(text, v.currency, what);
    if (!r.ok) ctx.addIssue({ code: "custom", path: [field], message: r.message });
  }
  for (const m of USAGE_METRICS) {
    const r = parseTiers(String(v[`tiers_${m}`] ?? ""), v.currency);
    if (!r.ok) ctx.addIssue({ code: "custom", path: [`tiers_${m}`], message: r.error });
  }
};

/** The plan editor's form (tenantId = the MSSP). */
export const planSchema = z.object(planShape).superRefine(checkAmounts);
export const updatePlanSchema = z.object({ ...planShape, planId: z.string().uuid("Pick a plan") }).superRefine(checkAmounts);
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

/** An amount the schema accepted, in minor units (the schema said why any other is refused). */
const minorOf = (text: string, currency: string, what: string): bigint => {
  const r = amountIn(text, currency, what);
  if (!r.ok) throw new Error(`not validated: ${r.message}`);
  return r.minor;
};

/** The parsed form as a plan (amounts in minor units, tiers parsed; metrics without tiers are not billed). */
export const toPlan = (v: z.infer<typeof planSchema>): PlanInput => {
  const o = v as Record<string, unknown>;
  const cur = o.currency as string;
  return {
    tenantId: o.tenantId as string,
    name: o.name as string,
    currency: cur,
    baseFee: minorOf(o.baseFee as string, cur, "The base fee"),
    minimum: minorOf(o.minimum as string, cur, "The minimum"),
    prices: USAGE_METRICS.flatMap((m) => {
      const r = parseTiers(String(o[`tiers_${m}`] ?? ""), cur);
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
/**
 * A credit note: the amount in the invoice's currency, which the form names (the action checks
 * it is the invoice's: lib/billing/invoices.ts createCreditNote).
 */
export const creditNoteSchema = z
  .object({
    tenantId,
    invoiceId: z.string().uuid("Pick an invoice"),
    currency,
    amount: amountText("The amount"),
    reason: z.string().trim().min(3, "Say why (at least 3 characters)").max(500, "At most 500 characters"),
  })
  .superRefine((v, ctx) => {
    if (!knownCurrency(v.currency) || typeof v.amount !== "string" || !isAmountShape(v.amount)) return;
    const r = amountIn(v.amount, v.currency, "The amount");
    if (!r.ok) ctx.addIssue({ code: "custom", path: ["amount"], message: r.message });
    else if (r.minor === 0n) ctx.addIssue({ code: "custom", path: ["amount"], message: "A credit note credits more than 0" });
  });

/** The credit note's amount in minor units (creditNoteSchema accepted it). */
export const creditAmountOf = (v: z.infer<typeof creditNoteSchema>): bigint => minorOf(v.amount, v.currency, "The amount");
