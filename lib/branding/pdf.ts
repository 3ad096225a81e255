// A tenant's brand for the PDF renderer (lib/pdf PdfBrand): product name,
// primary colour and the light logo when it is a PNG or JPEG (pdfkit draws
// no SVG; an SVG logo leaves the header with the name only). Text is drawn
// by pdfkit as text, never interpreted.
import { withServiceRole } from "@/lib/db/service-role";
import type { PdfBrand } from "@/lib/pdf";
import { brandOfTenant } from "./resolve";

export async function pdfBrandOf(tenantId: string): Promise<PdfBrand & { hideMsspBrand: boolean }> {
  const brand = await brandOfTenant(tenantId);
  let logo: Uint8Array<ArrayBuffer> | undefined;
  const asset = brand.logoLight;
  if (asset && (asset.contentType === "image/png" || asset.contentType === "image/jpeg")) {
    logo = await withServiceRole("branding.resolve", async (db) => {
      const { rows } = await db.$client.query<{ bytes: Buffer }>(
        `select a.bytes from public.brand_assets a
           join public.tenants anc on anc.id = a.tenant_id
           join public.tenants t on t.id = $2 and t.path operator(extensions.<@) anc.path
          where a.sha256 = $1 limit 1`,
        [asset.sha256, tenantId],
      );
      return rows[0] ? (new Uint8Array(rows[0].bytes) as Uint8Array<ArrayBuffer>) : undefined;
    });
  }
  return { productName: brand.productName, primaryColor: brand.primaryColor, ...(logo ? { logo } : {}), hideMsspBrand: brand.hideMsspBrand };
}
