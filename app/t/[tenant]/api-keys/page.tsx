import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApiKeysView } from "@/components/api-keys/api-keys-view";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadApiKeysPage } from "@/lib/api/keys/page-data";
import { isPdpUnavailable } from "@/lib/authz";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "API keys" };

export default async function TenantApiKeys(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/api-keys");
  let data;
  try {
    data = await page.run((tx) => loadApiKeysPage(tx, page.tenant.slug, page.tenant.id));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) notFound();
  return <ApiKeysView data={data} />;
}
