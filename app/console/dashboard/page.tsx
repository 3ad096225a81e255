import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { DashboardView } from "@/components/analytics/dashboard-view";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadDashboard } from "@/lib/analytics/dashboard";
import { parseDashboardQuery } from "@/lib/analytics/range";
import { isPdpUnavailable } from "@/lib/authz";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Dashboard" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleDashboard(props: Props) {
  const { query, problems, typed } = parseDashboardQuery(await props.searchParams);
  const page = await consolePage("/dashboard");
  let data;
  try {
    data = await page.run(async (tx) => (isOperator(tx) ? loadDashboard(tx, query, null) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Alerts over time across every customer you operate: by severity, open vs closed, response times against SLA, the riskiest customers, assets, collectors and health."
      />
      <Notice messages={[...problems, ...data.problems]} />
      <DashboardView
        typed={typed}
        data={data}
        allLabel="All customers"
        emptyHint={
          <>
            Widen the range or the scope, or connect a customer&apos;s sources: alerts arrive through collectors and the{" "}
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
