import type { Metadata } from "next";
import { ReportsView } from "@/components/reports/reports-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadReportsPage } from "@/lib/reports/page-data";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Reports" };

export default async function TenantReports(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/reports");
  const data = await page.run((tx) => loadReportsPage(tx, { withinTenant: page.tenant.id }));
  if (data.pdpUnavailable) return <PdpUnavailable />;
  return (
    <>
      <PageHeader title="Reports" description={`${page.tenant.name}'s executive and operational reports, as PDF or CSV: generate one, download it, or schedule it weekly or monthly.`} />
      {!data.allowed ? (
        <p className="rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-700" data-testid="reports-not-allowed">
          Reports are for your organisation&apos;s admins and analysts who may export them (reports:export). Ask one of your admins for a copy.
        </p>
      ) : (
        <ReportsView data={data} showTenant={data.tenants.length > 1} hostTenantId={page.tenant.id} />
      )}
    </>
  );
}
