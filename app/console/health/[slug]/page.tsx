import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { HealthNoTenant, TenantHealthView } from "@/components/health/tenant-health-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadTenantHealth } from "@/lib/health/page-data";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const metadata: Metadata = { title: "Customer health" };

export default async function ConsoleCustomerHealth(props: { params: Promise<{ slug: string }> }) {
  const slug = tenantSlugSchema.safeParse((await props.params).slug);
  if (!slug.success) notFound();
  const page = await consolePage(`/health/${slug.data}`);
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadTenantHealth(tx, slug.data) : ("forbidden" as const)));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (data === "forbidden") forbidden();
  // A tenant outside the caller's MSSP answers like one that does not exist.
  if (!data) return <HealthNoTenant />;
  return (
    <>
      <PageHeader title={`Health: ${data.tenant.name}`} description="The current state, every signal, and each change of state." />
      <TenantHealthView data={data} backHref="/health" settingsHint={`Thresholds: the health.* settings of ${data.tenant.name} (Configuration, or its own Settings page).`} />
    </>
  );
}
