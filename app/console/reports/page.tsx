import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { CrossTenantExport } from "@/components/reports/cross-tenant-export";
import { defaultPeriod, ReportsView } from "@/components/reports/reports-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { loadReportsPage } from "@/lib/reports/page-data";
import { periodFields } from "@/lib/reports/period";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Reports" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function ConsoleReports(props: Props) {
  const page = await consolePage("/reports");
  // Sent back by /reports/export with a period it refused: the same dates, and why (checked again here, nothing taken from the URL but the dates).
  const sp = await props.searchParams;
  const refused = one(sp.export_from) !== undefined || one(sp.export_to) !== undefined ? { from: one(sp.export_from) ?? "", to: one(sp.export_to) ?? "" } : null;
  const refusal = refused ? periodFields.safeParse(refused) : null;
  const exportProblem = refusal && !refusal.success ? refusal.error.issues.map((i) => i.message).join(" ") : undefined;
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
        <ReportsView data={data} showTenant exportForm={<CrossTenantExport from={exportProblem ? refused!.from.slice(0, 10) : period.from} to={exportProblem ? refused!.to.slice(0, 10) : period.to} problem={exportProblem} />} />
      )}
    </>
  );
}
