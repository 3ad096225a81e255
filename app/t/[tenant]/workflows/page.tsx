import type { Metadata } from "next";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { WorkflowsPage } from "@/components/workflows/workflows-page";
import { loadWorkflowsPage } from "@/lib/rules/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Workflows" };

export default async function TenantWorkflows(props: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { tenant: slug } = await props.params;
  const { edit } = await props.searchParams;
  // ?edit=<rule id> opens the editor with that rule (anything else is ignored).
  const editRuleId = typeof edit === "string" && /^[0-9a-f-]{36}$/i.test(edit) ? edit : undefined;
  const page = await tenantPage(slug, "/workflows");
  let data;
  try {
    data = await page.run((tx) => loadWorkflowsPage(tx, page.tenant.id, page.tenant.name));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  return <WorkflowsPage data={data} editRuleId={editRuleId} />;
}
