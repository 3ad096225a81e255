import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { ApiKeysNoTenant, ApiKeysView } from "@/components/api-keys/api-keys-view";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadApiKeysPage } from "@/lib/api/keys/page-data";
import { isPdpUnavailable } from "@/lib/authz";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const metadata: Metadata = { title: "Customer API keys" };

export default async function ConsoleCustomerApiKeys(props: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await props.params).slug);
  if (!slug.success) notFound();
  const page = await consolePage(`/customers/${slug.data}/api-keys`);
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadApiKeysPage(tx, slug.data, null) : ("forbidden" as const)));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (data === "forbidden") forbidden();
  // A tenant outside the caller's MSSP answers like one that does not exist.
  if (!data) return <ApiKeysNoTenant />;
  return <ApiKeysView data={data} backHref={`/customers/${slug.data}`} />;
}
