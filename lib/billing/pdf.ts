// The invoice as a PDF, through the shared renderer (lib/pdf). Branded with
// the MSSP's name and a primary colour; a white-label brand (logo, colours
// per MSSP) does not exist in the portal yet, so the colour is the portal's
// default until it does.
import { renderPdf, type PdfBrand } from "@/lib/pdf";
import { formatMoney, formatQuantity } from "./money";
import type { InvoiceDetail } from "./read";

export const DEFAULT_INVOICE_COLOR = "#4f46e5";

export function invoicePdf(inv: InvoiceDetail, mssp: { name: string }, brand?: Partial<PdfBrand>): Promise<Uint8Array> {
  const money = (n: bigint) => formatMoney(n, inv.currency);
  const title = `${inv.kind === "credit_note" ? "Credit note" : "Invoice"} ${inv.displayNumber}`;
  return renderPdf({
    title,
    subtitle: `${inv.customer.name} · ${inv.periodStart} to ${inv.periodEnd} (exclusive, UTC)`,
    brand: { productName: brand?.productName ?? mssp.name, primaryColor: brand?.primaryColor ?? DEFAULT_INVOICE_COLOR, ...(brand?.logo ? { logo: brand.logo } : {}) },
    blocks: [
      {
        kind: "keyValues",
        rows: [
          ["From", mssp.name],
          ["Bill to", inv.customer.name],
          ["Number", inv.displayNumber],
          ["Status", inv.status === "finalized" ? `Finalized ${inv.finalizedAt?.toISOString().slice(0, 10) ?? ""}` : "Draft (not a valid invoice until finalized)"],
          ["Plan", inv.planName],
          ["Currency", inv.currency],
          ...(inv.creditsNumber ? ([["Corrects", inv.creditsNumber]] as [string, string][]) : []),
          ...(inv.reason ? ([["Reason", inv.reason]] as [string, string][]) : []),
        ],
      },
      { kind: "heading", text: "Lines" },
      {
        kind: "table",
        columns: [
          { label: "Item", weight: 4 },
          { label: "Quantity", align: "right" },
          { label: "Included", align: "right" },
          { label: "Billed units", align: "right" },
          { label: "Unit price", align: "right", weight: 1.5 },
          { label: "Amount", align: "right", weight: 1.5 },
        ],
        rows: inv.lines.map((l) => [
          l.description,
          l.kind === "usage" ? formatQuantity(l.quantity) : "",
          l.kind === "usage" ? formatQuantity(l.included) : "",
          formatQuantity(l.billable),
          `${money(l.unitPrice)}${l.unitSize > 1n ? ` / ${formatQuantity(l.unitSize)}` : ""}`,
          money(l.amount),
        ]),
        footer: ["Total", "", "", "", "", money(inv.total)],
      },
      { kind: "text", muted: true, text: "Usage lines come from the metered usage of the period (UTC calendar month), for the customer and its sites. Amounts are rounded half up to the minor unit once per line." },
    ],
    footer: `${mssp.name} · ${title}`,
  });
}
