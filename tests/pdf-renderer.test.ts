// The shared PDF renderer (lib/pdf): a real document rendered by pdfkit and
// read back (tests/helpers/pdf-text.ts), not a snapshot of calls.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PdfInputError, renderPdf, type PdfDocument } from "@/lib/pdf";
import { pdfPageCount, pdfTextRuns } from "./helpers/pdf-text";

const brand = { productName: "Sentinel SOC", primaryColor: "#4f46e5" };
const base = (blocks: PdfDocument["blocks"], extra: Partial<PdfDocument> = {}): PdfDocument => ({
  title: "Invoice INV-2026-0042",
  subtitle: "Acme Corp · November 2026",
  brand,
  blocks,
  footer: "Sentinel SOC, 1 Example Street",
  createdAt: new Date("2026-12-01T00:00:00Z"),
  ...extra,
});

test("a one-page document: brand, title, key values, a table with totals, bars; page n of m in the foot", async () => {
  const pdf = await renderPdf(
    base([
      { kind: "keyValues", rows: [["Customer", "Acme Corp"], ["Period", "1–30 November 2026"]] },
      { kind: "heading", text: "Line items" },
      {
        kind: "table",
        columns: [{ label: "Item", weight: 3 }, { label: "Quantity", align: "right" }, { label: "Amount", align: "right" }],
        rows: [["Protected endpoints", "412", "€2,060.00"], ["Alerts ingested (over 100k)", "12,500", "€125.00"]],
        footer: ["Total", "", "€2,185.00"],
      },
      { kind: "bars", title: "Alerts by severity", rows: [{ label: "critical", value: 12 }, { label: "high", value: 40 }] },
    ]),
  );
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.equal(pdfPageCount(pdf), 1);
  const text = pdfTextRuns(pdf);
  for (const expected of ["Sentinel SOC", "Invoice INV-2026-0042", "Acme Corp", "Protected endpoints", "€2,185.00", "Alerts by severity", "critical", "Page 1 of 1"]) {
    assert.ok(text.some((t) => t.includes(expected)), `"${expected}" not in ${JSON.stringify(text)}`);
  }
});

test("a long table breaks across pages and repeats its header on each; every page is numbered", async () => {
  const rows = Array.from({ length: 300 }, (_, i) => [`alert ${i + 1}`, String(i + 1)]);
  const pdf = await renderPdf(base([{ kind: "table", columns: [{ label: "Alert title" }, { label: "Count", align: "right" }], rows }]));
  const pages = pdfPageCount(pdf);
  assert.ok(pages >= 5, `300 rows on ${pages} pages`);
  const text = pdfTextRuns(pdf);
  assert.equal(text.filter((t) => t === "Alert title").length, pages, "the header once per page");
  assert.ok(text.includes(`Page ${pages} of ${pages}`));
  assert.ok(text.includes("alert 300"), "the last row is drawn");
  assert.ok(!text.some((t) => /Page \d+ of \d+/.test(t) && !t.endsWith(`of ${pages}`)), "no page counted wrongly");
});

test("text the standard fonts cannot draw becomes '?', control characters go; markup is text", async () => {
  const pdf = await renderPdf(base([{ kind: "text", text: "Kunde: 東京 \u0007<script>alert(1)</script> Ünïcödé" }]));
  const text = pdfTextRuns(pdf).join(" ");
  assert.ok(text.includes("Kunde: ?? <script>alert(1)</script> Ünïcödé"), text);
});

test("bad input is refused with a clear error before anything is drawn", async () => {
  await assert.rejects(renderPdf(base([], { brand: { productName: "X", primaryColor: "indigo" } })), (e: unknown) => {
    assert.ok(e instanceof PdfInputError);
    assert.match(e.message, /brand\.primaryColor: a colour is #rrggbb/);
    return true;
  });
  await assert.rejects(renderPdf(base([{ kind: "table", columns: [], rows: [] }])), PdfInputError);
  await assert.rejects(renderPdf(base([{ kind: "bars", title: "x", rows: [{ label: "a", value: -1 }] }])), PdfInputError);
});

test("a logo that is not an image does not stop the document (the name alone is drawn)", async () => {
  const pdf = await renderPdf(base([{ kind: "text", text: "hello" }], { brand: { ...brand, logo: new Uint8Array([1, 2, 3]) } }));
  assert.ok(pdfTextRuns(pdf).includes("Sentinel SOC"));
});

test("empty tables and charts say so", async () => {
  const pdf = await renderPdf(base([{ kind: "table", columns: [{ label: "Item" }], rows: [] }, { kind: "bars", title: "Trend", rows: [] }]));
  const text = pdfTextRuns(pdf);
  assert.ok(text.includes("No rows."));
  assert.ok(text.includes("No data for this period."));
});
