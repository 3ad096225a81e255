// Invoice arithmetic (lib/billing/compute.ts) against hand-computed cases,
// and properties over random plans and usage (fast-check): the lines sum to
// the total, the total never falls below the minimum, and the amount is
// monotone in the quantity (more usage never costs less).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { computeInvoice, lineAmount, periodOf, splitTiers, type PlanPricing } from "@/lib/billing/compute";
import { formatMoney, decimalOf, parseMajor } from "@/lib/billing/money";
import { creditAmountOf, creditNoteSchema, currency, parseTiers, planSchema, tiersText, toPlan } from "@/lib/billing/schemas";

const NOV = periodOf("2026-11");

const plan: PlanPricing = {
  name: "SOC Standard",
  currency: "EUR",
  baseFee: 50_000n, // 500.00
  minimum: 0n,
  prices: [
    // 10 endpoints included; units 1–100 at 8.00, 101–500 at 6.00, above at 4.50
    { metric: "assets_managed", included: 10n, unitSize: 1n, tiers: [{ upTo: 100n, unitPrice: 800n }, { upTo: 500n, unitPrice: 600n }, { upTo: null, unitPrice: 450n }] },
    // 5 seats included, then 15.00 flat
    { metric: "active_seats", included: 5n, unitSize: 1n, tiers: [{ upTo: null, unitPrice: 1500n }] },
    // 0.33 per 1,000 API requests
    { metric: "api_requests", included: 0n, unitSize: 1000n, tiers: [{ upTo: null, unitPrice: 33n }] },
  ],
};

test("graduated tiers, included quantity, flat price, per-1,000 pricing and the base fee (hand-computed)", () => {
  // 620 endpoints: 610 billable = 100 × 800 + 400 × 600 + 110 × 450 = 80,000 + 240,000 + 49,500 = 369,500
  // 12 seats: 7 × 1500 = 10,500
  // 1,234,567 requests: 1,234,567 × 33 / 1000 = 40,740.711 → 40,741 (half up)
  // base 50,000; total 470,741
  const inv = computeInvoice(plan, { assets_managed: 620n, active_seats: 12n, api_requests: 1_234_567n }, NOV);
  const amounts = inv.lines.map((l) => [l.kind, l.metric, l.billable, l.unitPrice, l.amount]);
  assert.deepEqual(amounts, [
    ["base_fee", null, 1n, 50_000n, 50_000n],
    ["usage", "assets_managed", 100n, 800n, 80_000n],
    ["usage", "assets_managed", 400n, 600n, 240_000n],
    ["usage", "assets_managed", 110n, 450n, 49_500n],
    ["usage", "active_seats", 7n, 1500n, 10_500n],
    ["usage", "api_requests", 1_234_567n, 33n, 40_741n],
  ]);
  assert.equal(inv.total, 470_741n);
  assert.equal(inv.subtotal, 470_741n);
  const tier2 = inv.lines[2];
  assert.equal(tier2.quantity, 620n);
  assert.equal(tier2.included, 10n);
  assert.equal(tier2.tierFrom, 101n);
  assert.equal(tier2.tierTo, 500n);
  assert.equal(tier2.usageFrom, "2026-11-01");
  assert.equal(tier2.usageTo, "2026-12-01");
  assert.match(tier2.description, /Assets managed, units 101–500/);
  assert.equal(formatMoney(inv.total, "EUR"), "EUR 4,707.41");
});

test("usage within the included quantity bills nothing but still shows its line; the minimum tops the total up", () => {
  const inv = computeInvoice({ ...plan, minimum: 100_000n }, { assets_managed: 7n, active_seats: 5n }, NOV);
  const usage = inv.lines.filter((l) => l.kind === "usage");
  assert.equal(usage.length, 3); // one line per metric, amount 0
  assert.ok(usage.every((l) => l.amount === 0n && l.billable === 0n));
  assert.equal(usage[0].quantity, 7n);
  const min = inv.lines.at(-1)!;
  assert.equal(min.kind, "minimum");
  assert.equal(min.amount, 50_000n); // 100,000 minimum − 50,000 base fee
  assert.equal(inv.subtotal, 50_000n);
  assert.equal(inv.total, 100_000n);
});

test("a minimum below the usage adds no line; no base fee adds no line", () => {
  const inv = computeInvoice({ ...plan, baseFee: 0n, minimum: 10n }, { active_seats: 6n }, NOV);
  assert.deepEqual(inv.lines.map((l) => l.kind), ["usage", "usage", "usage"]);
  assert.equal(inv.total, 1500n);
});

test("rounding is half up, once per line", () => {
  assert.equal(lineAmount(1n, 1n, 2n), 1n); // 0.5 → 1
  assert.equal(lineAmount(1n, 1n, 3n), 0n); // 0.33 → 0
  assert.equal(lineAmount(2n, 1n, 3n), 1n); // 0.67 → 1
  assert.equal(lineAmount(1499n, 1n, 1000n), 1n);
  assert.equal(lineAmount(500n, 1n, 1000n), 1n);
  assert.equal(lineAmount(499n, 1n, 1000n), 0n);
});

test("tier text parses in major units and bad prices are refused with a sentence", () => {
  assert.deepEqual(parseTiers("100 @ 5.00, 1000 @ 4, @ 3.5", "EUR"), { ok: true, tiers: [{ upTo: 100n, unitPrice: 500n }, { upTo: 1000n, unitPrice: 400n }, { upTo: null, unitPrice: 350n }] });
  assert.deepEqual(parseTiers("2.50", "EUR"), { ok: true, tiers: [{ upTo: null, unitPrice: 250n }] });
  assert.deepEqual(parseTiers("@ 250", "JPY"), { ok: true, tiers: [{ upTo: null, unitPrice: 250n }] });
  assert.deepEqual(parseTiers("", "EUR"), { ok: true, tiers: [] });
  for (const bad of ["@ -5", "@ 12.505", "@ 1,5", "100 @ 5, 50 @ 4, @ 3", "100 @ 5", "@ 5, @ 4", "abc", "@ 10000000000.01"]) {
    const r = parseTiers(bad, "EUR");
    assert.equal(r.ok, false, bad);
  }
  assert.deepEqual(parseTiers("@ -5", "EUR"), { ok: false, error: 'A unit price cannot be negative ("-5" is not)' });
  assert.deepEqual(parseTiers("@ 8.005", "EUR"), { ok: false, error: 'A unit price has at most 2 decimals in EUR, such as 15.00 ("8.005" is not)' });
  assert.deepEqual(parseTiers("@ 8.5", "JPY"), { ok: false, error: 'JPY has no decimals: a unit price is a whole number, such as 1500 ("8.5" is not)' });
  // Shown again as typed: major units.
  assert.equal(tiersText([{ upTo: 100n, unitPrice: 800n }, { upTo: null, unitPrice: 600n }], "EUR"), "100 @ 8.00, @ 6.00");
  assert.equal(tiersText([{ upTo: null, unitPrice: 800n }], "JPY"), "@ 800");
});

test("amounts typed in major units become minor units exactly (decimal text, never a float)", () => {
  const ok = (text: string, currency: string) => {
    const r = parseMajor(text, currency);
    assert.ok(r.ok, `${text} ${currency}`);
    return r.minor;
  };
  assert.equal(ok("15", "EUR"), 1500n);
  assert.equal(ok("15.5", "EUR"), 1550n);
  assert.equal(ok("15.50", "EUR"), 1550n);
  assert.equal(ok(" 0.07 ", "EUR"), 7n);
  // 19.99 * 100 is 1998.9999999999998 as a float; 4.35 * 100 is 434.99999999999994.
  assert.equal(ok("19.99", "EUR"), 1999n);
  assert.equal(ok("4.35", "USD"), 435n);
  assert.equal(ok("1720.00", "EUR"), 172000n);
  assert.equal(ok("9007199254740993.01", "EUR"), 900719925474099301n, "past 2^53: exact");
  assert.equal(ok("1500", "JPY"), 1500n);
  assert.equal(ok("1500.0", "JPY"), 1500n, "a zero decimal is the same amount");
  assert.equal(ok("1.234", "KWD"), 1234n);
  assert.equal(ok("0.0001", "CLF"), 1n);
  assert.deepEqual(parseMajor("12.345", "EUR"), { ok: false, error: "decimals" });
  assert.deepEqual(parseMajor("15.5", "JPY"), { ok: false, error: "decimals" });
  assert.deepEqual(parseMajor("-1", "EUR"), { ok: false, error: "negative" });
  for (const bad of ["", "1,720.00", "15,00", "1e3", "15.", ".5", "+5", "0x10", "EUR 5", "Infinity", "NaN"]) assert.deepEqual(parseMajor(bad, "EUR"), { ok: false, error: "format" }, bad);
});

test("the forms' amounts: clear messages for decimals, negatives and the limit, in the currency's terms", () => {
  const fields = (e: { issues: { path: PropertyKey[]; message: string }[] }) => Object.fromEntries(e.issues.map((i) => [String(i.path[0]), i.message]));
  const tenantId = "00000000-0000-4000-8000-000000000001";
  const plan = (extra: Record<string, string>) => planSchema.safeParse({ tenantId, name: "P", currency: "EUR", baseFee: "500.00", minimum: "", tiers_assets_managed: "100 @ 8.00, @ 6.00", ...extra });
  const good = plan({});
  assert.ok(good.success);
  const p = toPlan(good.data);
  assert.equal(p.baseFee, 50000n);
  assert.equal(p.minimum, 0n);
  assert.deepEqual(p.prices.find((x) => x.metric === "assets_managed")?.tiers, [{ upTo: 100n, unitPrice: 800n }, { upTo: null, unitPrice: 600n }]);
  assert.equal(toPlan(plan({ currency: "jpy", baseFee: "50000", tiers_assets_managed: "@ 800" }).data!).baseFee, 50000n);
  const bad = plan({ baseFee: "12.345", minimum: "-1", tiers_assets_managed: "@ 8.005" });
  assert.ok(!bad.success);
  assert.deepEqual(fields(bad.error), {
    baseFee: "The base fee has at most 2 decimals in EUR, such as 15.00",
    minimum: "The minimum cannot be negative",
    tiers_assets_managed: 'A unit price has at most 2 decimals in EUR, such as 15.00 ("8.005" is not)',
  });
  assert.deepEqual(fields(plan({ currency: "JPY", baseFee: "500.50", tiers_assets_managed: "" }).error!), { baseFee: "JPY has no decimals: the base fee is a whole number, such as 1500" });
  assert.deepEqual(fields(plan({ baseFee: "10000000000.01" }).error!), { baseFee: "The base fee is at most EUR 10,000,000,000.00" });
  assert.deepEqual(fields(plan({ baseFee: "1,500" }).error!), { baseFee: "The base fee is an amount such as 15.00: digits and a point, no thousands separators" });

  const credit = (amount: string, currency = "EUR") => creditNoteSchema.safeParse({ tenantId, invoiceId: tenantId, currency, amount, reason: "Goodwill" });
  const c = credit("15.00");
  assert.ok(c.success);
  assert.equal(creditAmountOf(c.data), 1500n);
  assert.equal(creditAmountOf(credit("1500", "JPY").data!), 1500n);
  assert.deepEqual(fields(credit("0.00").error!), { amount: "A credit note credits more than 0" });
  assert.deepEqual(fields(credit("-5").error!), { amount: "The amount cannot be negative" });
  assert.deepEqual(fields(credit("1.005").error!), { amount: "The amount has at most 2 decimals in EUR, such as 15.00" });
  assert.deepEqual(fields(credit("10000000000.01").error!), { amount: "The amount is at most EUR 10,000,000,000.00" });
});

test("money formats exactly, whatever the exponent", () => {
  assert.equal(decimalOf(-5n, "EUR"), "-0.05");
  assert.equal(formatMoney(123456789n, "USD"), "USD 1,234,567.89");
  assert.equal(formatMoney(1500n, "JPY"), "JPY 1,500");
  assert.equal(formatMoney(1234n, "KWD"), "KWD 1.234");
  // ISO 4217's other exponents (they were all taken for 2: XOF 150,000 read as 1,500.00).
  assert.equal(decimalOf(150000n, "XOF"), "150000");
  assert.equal(formatMoney(150000n, "UGX"), "UGX 150,000");
  assert.equal(decimalOf(1234n, "IQD"), "1.234");
  assert.equal(decimalOf(12345n, "CLF"), "1.2345");
});

test("a plan's currency is an ISO 4217 code in use", () => {
  for (const good of ["EUR", "usd", " XOF "]) assert.equal(currency.safeParse(good).success, true, good);
  for (const bad of ["ABC", "EURO", "E1R", ""]) assert.equal(currency.safeParse(bad).success, false, bad);
});

const tiersArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 100_000 })), { minLength: 0, maxLength: 4 })
  .chain((steps) =>
    fc.integer({ min: 0, max: 100_000 }).map((last) => {
      let bound = 0;
      return [
        ...steps.map(([gap, price]) => ({ upTo: BigInt((bound += gap)), unitPrice: BigInt(price) })),
        { upTo: null, unitPrice: BigInt(last) },
      ];
    }),
  );

const planArb = fc.record({
  baseFee: fc.bigInt({ min: 0n, max: 1_000_000n }),
  minimum: fc.bigInt({ min: 0n, max: 5_000_000n }),
  included: fc.bigInt({ min: 0n, max: 500n }),
  unitSize: fc.constantFrom(1n, 10n, 1000n),
  tiers: tiersArb,
});

const planFrom = (p: { baseFee: bigint; minimum: bigint; included: bigint; unitSize: bigint; tiers: { upTo: bigint | null; unitPrice: bigint }[] }): PlanPricing => ({
  name: "P",
  currency: "EUR",
  baseFee: p.baseFee,
  minimum: p.minimum,
  prices: [{ metric: "assets_managed", included: p.included, unitSize: p.unitSize, tiers: p.tiers }],
});

test("property: the lines sum to the total, the total is at least the minimum, the tiers' units add up to the billable quantity", () => {
  fc.assert(
    fc.property(planArb, fc.bigInt({ min: 0n, max: 100_000n }), (p, q) => {
      const pl = planFrom(p);
      const inv = computeInvoice(pl, { assets_managed: q }, NOV);
      assert.equal(inv.lines.reduce((s, l) => s + l.amount, 0n), inv.total);
      assert.ok(inv.total >= p.minimum);
      assert.ok(inv.lines.every((l) => l.amount >= 0n));
      const billable = q > p.included ? q - p.included : 0n;
      assert.equal(splitTiers(billable, pl.prices[0]).reduce((s, t) => s + t.units, 0n), billable);
    }),
    { numRuns: 500 },
  );
});

test("property: tiers are monotone (more usage never costs less)", () => {
  fc.assert(
    fc.property(planArb, fc.bigInt({ min: 0n, max: 100_000n }), fc.bigInt({ min: 0n, max: 1000n }), (p, q, extra) => {
      const pl = planFrom(p);
      const a = computeInvoice(pl, { assets_managed: q }, NOV).total;
      const b = computeInvoice(pl, { assets_managed: q + extra }, NOV).total;
      assert.ok(b >= a, `${q}→${a}, ${q + extra}→${b}`);
    }),
    { numRuns: 500 },
  );
});
