// An invoice as a download (PDF or CSV), for a route handler: read under the
// caller's RLS, after the PDP allowed billing:view on the invoice's customer.
// Null when the invoice is not visible (another customer's: RLS hides it) or
// the PDP refuses; the route answers 404 either way, so nothing tells the
// caller whether someone else's invoice exists.
import { permissions } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { invoicesCsv } from "./csv";
import { pdfBrandOf } from "@/lib/branding/pdf";
import { invoicePdf } from "./pdf";
import { getInvoice } from "./read";

export type InvoiceFormat = "pdf" | "csv";

export async function invoiceDownload(
  tx: TenantTx,
  invoiceId: string,
  format: InvoiceFormat,
  /** The issuer's name when the caller cannot read the MSSP's row (a customer's admin). */
  fallbackIssuer: string,
): Promise<{ body: Uint8Array | string; type: string; filename: string } | null> {
  const inv = await getInvoice(tx, invoiceId);
  if (!inv) return null;
  const can = await permissions(tx, ["billing:view"], inv.tenantId);
  if (!can["billing:view"]) return null;
  const name = `${inv.displayNumber === "Draft" ? `draft-${inv.id.slice(0, 8)}` : inv.displayNumber}-${inv.customer.slug}-${inv.periodStart.slice(0, 7)}`;
  if (format === "csv") return { body: invoicesCsv([inv]), type: "text/csv; charset=utf-8", filename: `${name}.csv` };
  const { rows } = await tx.client.query<{ name: string }>("select name from public.tenants where id = $1", [inv.msspId]);
  // The customer's brand (lib/branding): with "hide the MSSP's brand" the issuer shown is the reseller's brand, not the MSSP.
  const { hideMsspBrand, ...brand } = await pdfBrandOf(inv.tenantId);
  const issuer = hideMsspBrand ? brand.productName : (rows[0]?.name ?? fallbackIssuer);
  return { body: await invoicePdf(inv, { name: issuer }, { ...brand, productName: hideMsspBrand ? brand.productName : issuer }), type: "application/pdf", filename: `${name}.pdf` };
}
