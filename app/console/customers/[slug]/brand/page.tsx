import type { Metadata } from "next";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { forbidden, notFound } from "next/navigation";
import { BrandPage } from "@/components/branding/brand-page";
import { loadBrandPageFor } from "@/lib/branding/draft";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const metadata: Metadata = { title: "Customer brand" };

export default async function ConsoleCustomerBrand(props: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await props.params).slug);
  if (!slug.success) notFound();
  const page = await consolePage(`/customers/${slug.data}/brand`);
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadBrandPageFor(tx, slug.data, null, { onAnotherHost: true }) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  return <BrandPage data={data} backHref={`/customers/${slug.data}`} />;
}
