import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { DriftReportView } from "@/components/settings/drift-report";
import { PageHeader } from "@/components/ui/page-header";
import { loadDriftReports } from "@/lib/settings/drift";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Configuration" };

export default async function ConsoleConfiguration() {
  const page = await consolePage("/configuration");
  const reports = await page.run(async (tx) => (isOperator(tx) ? loadDriftReports(tx) : null));
  if (reports === null) forbidden();
  return (
    <>
      <PageHeader
        title="Configuration"
        description="Which customers differ from your own settings, setting by setting. Your settings are the defaults every customer inherits unless it sets its own value."
      />
      {reports.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="settings-not-allowed">
          <p className="text-sm font-medium text-slate-800">You can&apos;t see the configuration of your MSSP.</p>
        </div>
      ) : (
        <div className="space-y-10">
          {reports.map((r) => (
            <DriftReportView key={r.mssp.id} report={r} defaultsHref={`/configuration/${r.mssp.slug}`} customerHref={(slug) => `/customers/${slug}/settings`} />
          ))}
        </div>
      )}
    </>
  );
}
