import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { DomainsView } from "@/components/domains/domains-view";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadDomainsPage } from "@/lib/domains/page-data";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const metadata: Metadata = { title: "Customer custom domains" };

// MSSP staff only. RLS decides whether the customer (and which of its domains)
// exist for the caller; the PDP (domains:manage, asked on the customer) whether
// they see and act on them. Another MSSP's customer answers like a missing one.
export default async function ConsoleCustomerDomains(props: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await props.params).slug);
  if (!slug.success) notFound();
  const page = await consolePage(`/customers/${slug.data}/domains`);
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadDomainsPage(tx, slug.data, null) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  return <DomainsView data={data} backHref={`/customers/${slug.data}`} audience="console" />;
}
