import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { DriftReportView } from "@/components/settings/drift-report";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { loadDriftReports, parseDriftQuery } from "@/lib/settings/drift";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Configuration" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleConfiguration(props: Props) {
  const { query, problems } = parseDriftQuery(await props.searchParams);
  const page = await consolePage("/configuration");
  let reports;
  try {
    reports = await page.run(async (tx) => (isOperator(tx) ? loadDriftReports(tx, query) : null));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (reports === null) forbidden();
  return (
    <>
      <PageHeader
        title="Configuration"
        description="Which customers differ from your own settings, setting by setting. Your settings are the defaults every customer inherits unless it sets its own value."
      />
      <Notice messages={problems} />
      {reports.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="settings-not-allowed">
          <p className="text-sm font-medium text-slate-800">You can&apos;t see the configuration of your MSSP.</p>
          <p className="mt-1 text-sm text-slate-600">Reading it takes an MSSP admin or analyst role: ask an MSSP admin (Team) to give you one.</p>
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
