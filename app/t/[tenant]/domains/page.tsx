import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DomainsView } from "@/components/domains/domains-view";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadDomainsPage } from "@/lib/domains/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Custom domains" };

export default async function TenantDomains(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/domains");
  let data;
  try {
    data = await page.run((tx) => loadDomainsPage(tx, page.tenant.slug, page.tenant.id));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) notFound();
  return <DomainsView data={data} />;
}
