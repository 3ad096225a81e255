import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { CrossTenantExport } from "@/components/reports/cross-tenant-export";
import { defaultPeriod, ReportsView } from "@/components/reports/reports-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadReportsPage } from "@/lib/reports/page-data";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Reports" };

export default async function ConsoleReports() {
  const page = await consolePage("/reports");
  // The console is the MSSP staff's: tenant people use their own host's /reports.
  const data = await page.run(async (tx) => (isOperator(tx) ? loadReportsPage(tx) : null));
  if (!data) forbidden();
  if (data.pdpUnavailable) return <PdpUnavailable />;
  const period = defaultPeriod();
  return (
    <>
      <PageHeader title="Reports" description="Executive and operational reports per customer, as PDF or CSV: generate one, download it, or schedule it weekly or monthly with an email to its recipients." />
      {!data.allowed ? (
        <p className="rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-700" data-testid="reports-not-allowed">
          Reports are for admins and analysts who may export them (reports:export). Ask an MSSP admin.
        </p>
      ) : (
        <ReportsView data={data} showTenant exportForm={<CrossTenantExport from={period.from} to={period.to} />} />
      )}
    </>
  );
}
