import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { BulkWizard } from "@/components/bulk/bulk-wizard";
import { RunList } from "@/components/bulk/run-list";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadBulkHome } from "@/lib/bulk/page-data";
import { consolePage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Bulk operations" };

export default async function BulkPage() {
  const page = await consolePage("/bulk");
  let data;
  try {
    data = await page.run((tx) => loadBulkHome(tx));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  return (
    <>
      <PageHeader
        title="Bulk operations"
        description="One change over many customers: choose the tenants and the change, read the dry run's diff per tenant, confirm (optionally with a canary), follow the progress, and undo where the change allows."
      />
      <BulkWizard msspId={data.mssp.id} roots={data.roots} rootCount={data.rootCount} plans={data.plans} settings={data.settings} />
      <RunList runs={data.runs} timeZone={data.timeZone} />
    </>
  );
}
