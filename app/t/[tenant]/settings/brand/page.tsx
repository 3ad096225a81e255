import type { Metadata } from "next";
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
  const data = await page.run((tx) => loadBrandPageFor(tx, slug, mask));
  if (!data) forbidden();
  return <BrandPage data={data} backHref="/settings" />;
}
