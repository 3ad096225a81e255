// Money is an integer count of the currency's minor units (cents), held as
// bigint in TypeScript and bigint in Postgres: no float ever touches an
// amount. Formatting is for people only (pages, PDF); CSV carries the integers.

/**
 * Minor-unit digits of the currencies whose exponent is not 2 (ISO 4217's list); every other code has 2.
 * Not Intl's digits: CLDR rounds some for display (IQD to 0), an invoice needs the legal minor unit.
 */
const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export const currencyExponent = (currency: string): number => EXPONENTS[currency] ?? 2;

/** "1234.56"-style decimal text of an amount in minor units (exact, no float). */
export function decimalOf(amount: bigint, currency: string): string {
  const exp = currencyExponent(currency);
  const neg = amount < 0n;
  const abs = neg ? -amount : amount;
  if (exp === 0) return `${neg ? "-" : ""}${abs}`;
  const s = abs.toString().padStart(exp + 1, "0");
  return `${neg ? "-" : ""}${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

/** "EUR 1,234.56" (the code, not a symbol: unambiguous on an invoice). */
export function formatMoney(amount: bigint, currency: string): string {
  const [int, frac] = decimalOf(amount, currency).split(".");
  const neg = int.startsWith("-");
  const grouped = (neg ? int.slice(1) : int).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${neg ? "-" : ""}${currency} ${grouped}${frac !== undefined ? `.${frac}` : ""}`;
}

export const formatQuantity = (n: bigint): string => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** What an operator types for an amount: digits, then a point and the cents (no sign, no thousands separators). */
const MAJOR = /^(\d+)(?:\.(\d+))?$/;

/**
 * Whether `text` has an amount's shape (MAJOR): the one rule of it, for parseMajor and for the
 * forms' checks before the currency is known (lib/billing/schemas.ts). No sign, no space.
 */
export const isAmountShape = (text: string): boolean => MAJOR.test(text);

export type MajorParse = { ok: true; minor: bigint } | { ok: false; error: "format" | "negative" | "decimals" };

/**
 * An amount typed in the currency's major units ("15", "15.5", "15.00" EUR; "1500" JPY) as
 * minor units, exactly: the decimal text is split at the point, never read as a float.
 * Refused: more decimals than the currency has (12.345 EUR, 15.5 JPY), a sign, anything else.
 */
export function parseMajor(text: string, currency: string): MajorParse {
  const s = text.trim();
  if (/^-\s*[\d.]/.test(s)) return { ok: false, error: "negative" };
  const m = MAJOR.exec(s);
  if (!m) return { ok: false, error: "format" };
  const exp = currencyExponent(currency);
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac.length > exp) return { ok: false, error: "decimals" };
  return { ok: true, minor: BigInt(m[1]) * 10n ** BigInt(exp) + BigInt(frac.padEnd(exp, "0") || "0") };
}

/** An example amount in the currency's shape, for messages: "15.00", "1500" (JPY), "15.000" (KWD). */
export const exampleAmount = (currency: string): string => {
  const exp = currencyExponent(currency);
  return exp === 0 ? "1500" : `15.${"0".repeat(exp)}`;
};
