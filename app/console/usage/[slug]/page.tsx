import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { UsageNoTenant, UsageView } from "@/components/usage/usage-view";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { tenantSlugSchema } from "@/lib/tenancy/slug";
import { loadTenantUsage } from "@/lib/usage/page-data";

export const metadata: Metadata = { title: "Customer usage" };

export default async function ConsoleCustomerUsage(props: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await props.params).slug);
  if (!slug.success) notFound();
  const page = await consolePage(`/usage/${slug.data}`);
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadTenantUsage(tx, slug.data) : ("forbidden" as const)));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (data === "forbidden") forbidden();
  // A tenant outside the caller's MSSP answers like one that does not exist.
  if (!data) return <UsageNoTenant />;
  return <UsageView data={data} backHref="/usage" />;
}
