// The invoice exports (lib/billing/csv.ts, lib/billing/pdf.ts): the CSV is
// RFC 4180 and formula-safe (a customer named "=HYPERLINK(…)" stays text),
// amounts are exact integers with an exact decimal; the PDF renders through
// lib/pdf and reads back with the invoice's number, lines and total.
import assert from "node:assert/strict";
import { test } from "node:test";
import { computeInvoice, periodOf } from "@/lib/billing/compute";
import { CsvNumber, csvField, invoicesCsv } from "@/lib/billing/csv";
import { invoicePdf } from "@/lib/billing/pdf";
import type { InvoiceDetail } from "@/lib/billing/read";
import { pdfTextRuns } from "./helpers/pdf-text";

const period = periodOf("2026-11");
const computed = computeInvoice(
  { name: "+SOC \"Gold\"", currency: "EUR", baseFee: 50_000n, minimum: 0n, prices: [{ metric: "assets_managed", included: 10n, unitSize: 1n, tiers: [{ upTo: 100n, unitPrice: 800n }, { upTo: null, unitPrice: 600n }] }] },
  { assets_managed: 180n },
  period,
);
const invoice: InvoiceDetail = {
  id: "6f1c3a52-0000-4000-8000-000000000001",
  tenantId: "6f1c3a52-0000-4000-8000-000000000002",
  customer: { id: "6f1c3a52-0000-4000-8000-000000000002", slug: "acme", name: '=HYPERLINK("http://evil.test","Acme")', status: "active" },
  msspId: "6f1c3a52-0000-4000-8000-000000000003",
  kind: "invoice",
  status: "finalized",
  number: 42,
  displayNumber: "INV-000042",
  periodStart: period.start,
  periodEnd: period.end,
  currency: "EUR",
  planName: '+SOC "Gold"',
  subtotal: computed.subtotal,
  total: computed.total,
  creditsInvoiceId: null,
  creditsNumber: null,
  reason: null,
  finalizedAt: new Date("2026-12-02T09:00:00Z"),
  lines: computed.lines,
  credits: [],
};

test("csv fields: quoted, quotes doubled, formula-looking text prefixed with '", () => {
  assert.equal(csvField("plain"), '"plain"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("=1+1"), `"'=1+1"`);
  assert.equal(csvField("+1"), `"'+1"`);
  assert.equal(csvField("-1"), `"'-1"`);
  assert.equal(csvField("@SUM(A1)"), `"'@SUM(A1)"`);
  assert.equal(csvField("\tx"), `"'\tx"`);
  assert.equal(csvField("line\r\nbreak"), '"line\r\nbreak"');
  // Numbers we write are data: a credit's -4500 stays a number.
  assert.equal(csvField(-4500n), '"-4500"');
  // And so is the decimal amount the portal formats (a credit's "-45.00"), where typed text would be prefixed.
  assert.equal(csvField(new CsvNumber("-45.00")), '"-45.00"');
  assert.equal(csvField("-45.00"), `"'-45.00"`);
  assert.equal(csvField(null), '""');
});

test("the invoice CSV: one row per line, CRLF, exact amounts, hostile names neutralised", () => {
  const csv = invoicesCsv([invoice]);
  const rows = csv.split("\r\n");
  assert.equal(rows.at(-1), "", "ends with CRLF");
  assert.equal(rows.length - 2, invoice.lines.length);
  assert.ok(rows[0].startsWith('"invoice_number","kind","status","customer"'));
  assert.ok(rows[1].includes(`"'=HYPERLINK(""http://evil.test"",""Acme"")"`), rows[1]);
  assert.ok(rows[1].includes(`"'+SOC ""Gold"""`), rows[1]);
  // 170 billable: 100 × 800 = 80,000 and 70 × 600 = 42,000.
  assert.ok(rows.some((r) => r.includes('"assets_managed","180","10","100","1","100","1","800","80000","800.00"')), csv);
  assert.ok(rows.some((r) => r.includes('"42000","420.00"')), csv);
  assert.ok(!/(^|,)"[=+\-@]/.test(csv.replace(/"-?\d+(\.\d+)?"/g, "")), "no cell starts with a formula character");
});

test("the invoice PDF renders through lib/pdf with its number, lines and total", async () => {
  const bytes = Buffer.from(await invoicePdf(invoice, { name: "Sentinel SOC" }));
  assert.equal(bytes.subarray(0, 4).toString("latin1"), "%PDF");
  const text = pdfTextRuns(bytes).join(" ");
  for (const s of ["Invoice INV-000042", "Sentinel SOC", "Assets managed, units 1–100", "EUR 1,720.00", "EUR 800.00"]) assert.ok(text.includes(s), `${s} in ${text.slice(0, 400)}`);
});
