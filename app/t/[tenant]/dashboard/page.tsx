import type { Metadata } from "next";
import { DashboardView } from "@/components/analytics/dashboard-view";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadDashboard } from "@/lib/analytics/dashboard";
import { parseDashboardQuery } from "@/lib/analytics/range";
import { isPdpUnavailable } from "@/lib/authz";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Dashboard" };

type Props = { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function TenantDashboard(props: Props) {
  const { tenant: slug } = await props.params;
  const { query, problems, typed } = parseDashboardQuery(await props.searchParams);
  const page = await tenantPage(slug, "/dashboard");
  let data;
  try {
    data = await page.run((tx) => loadDashboard(tx, query, page.tenant.id));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  return (
    <>
      <PageHeader title="Dashboard" description={`${page.tenant.name}'s alerts over time: by severity, open vs closed, response times against your SLA targets, assets, collectors and health.`} />
      <Notice messages={[...problems, ...data.problems]} />
      <DashboardView
        typed={typed}
        data={data}
        allLabel={`All of ${page.tenant.name}`}
        emptyHint={
          <>
            Widen the range, or connect your sources: alerts arrive through a collector or the{" "}
            <a href="/api-docs" className="font-medium text-brand-dark hover:underline">
              ingest API
            </a>
            .
          </>
        }
      />
    </>
  );
}
