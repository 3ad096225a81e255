// Money is an integer count of the currency's minor units (cents), held as
// bigint in TypeScript and bigint in Postgres: no float ever touches an
// amount. Formatting is for people only (pages, PDF); CSV carries the integers.

/** Minor-unit digits of the currencies whose exponent is not 2 (ISO 4217); every other code has 2. */
const EXPONENTS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, HUF: 2, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 };

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
