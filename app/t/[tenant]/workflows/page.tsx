import type { Metadata } from "next";
import { WorkflowsPage } from "@/components/workflows/workflows-page";
import { loadWorkflowsPage } from "@/lib/rules/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Workflows" };

export default async function TenantWorkflows(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/workflows");
  const data = await page.run((tx) => loadWorkflowsPage(tx, page.tenant.id, page.tenant.name));
  return <WorkflowsPage data={data} />;
}
