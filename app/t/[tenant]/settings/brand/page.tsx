import type { Metadata } from "next";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { forbidden } from "next/navigation";
import { BrandPage } from "@/components/branding/brand-page";
import { loadBrandPageFor } from "@/lib/branding/draft";
import { requestProviderMask } from "@/lib/branding/mask";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Brand" };

export default async function TenantBrand(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/settings/brand");
  const mask = await requestProviderMask();
  let data;
  try {
    data = await page.run((tx) => loadBrandPageFor(tx, slug, mask));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  return <BrandPage data={data} backHref="/settings" />;
}
