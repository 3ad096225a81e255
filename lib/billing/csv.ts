// CSV export of invoices for accounting: RFC 4180 (CRLF line ends, every
// field quoted, quotes doubled) and safe to open in a spreadsheet: a cell
// that starts with = + - @ (or a tab / carriage return) is prefixed with '
// so it is text, never a formula (OWASP "CSV injection"). Amounts are the
// integer minor units and a decimal column beside them (exact, no float).
import { decimalOf } from "./money";
import type { InvoiceDetail } from "./read";

/** A number the portal formats itself (a decimal amount such as "-450.00"): data, never a formula. */
export class CsvNumber {
  constructor(readonly text: string) {}
}

type Cell = string | number | bigint | CsvNumber | null | undefined;

/** One field, quoted; formula-looking text neutralised. */
export function csvField(value: Cell): string {
  // Numbers we produce (e.g. -4500, "-450.00") are data, not formulas: only text is prefixed.
  if (value instanceof CsvNumber) return `"${value.text.replace(/"/g, '""')}"`;
  let s = value === null || value === undefined ? "" : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export const csvRow = (cells: Cell[]): string => cells.map(csvField).join(",");

const HEADER = [
  "invoice_number", "kind", "status", "customer", "period_start", "period_end", "currency", "plan",
  "line_no", "line_kind", "description", "metric", "quantity", "included", "billable", "tier_from", "tier_to",
  "unit_size", "unit_price_minor", "amount_minor", "amount", "usage_from", "usage_to", "credits_invoice",
];

/** The invoices' lines, one row each (an invoice's header fields repeated on each of its lines). */
export function invoicesCsv(invoices: InvoiceDetail[]): string {
  const rows = [csvRow(HEADER)];
  for (const inv of invoices) {
    for (const l of inv.lines) {
      rows.push(
        csvRow([
          inv.displayNumber, inv.kind, inv.status, inv.customer.name, inv.periodStart, inv.periodEnd, inv.currency, inv.planName,
          l.lineNo, l.kind, l.description, l.metric, l.quantity, l.included, l.billable, l.tierFrom, l.tierTo,
          l.unitSize, l.unitPrice, l.amount, new CsvNumber(decimalOf(l.amount, inv.currency)), l.usageFrom, l.usageTo, inv.creditsNumber,
        ]),
      );
    }
  }
  return `${rows.join("\r\n")}\r\n`;
}
