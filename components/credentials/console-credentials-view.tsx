// The console's Credentials page: how many credentials the MSSP's tenants
// hold and which need attention (stat cards, a chart per connector), then
// every credential, most urgent first, with filters and a pager. Read-only:
// each row links to the tenant's own Credentials page, where it is managed.
import { FilteredEmpty } from "@/components/ui/filtered-empty";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { CONNECTORS } from "@/lib/credentials/connectors";
import { EXPIRING_DAYS } from "@/lib/credentials/store";
import { overviewHref, type CredentialsOverview, type OverviewStatus } from "@/lib/credentials/overview";
import { ConsoleCredentialsChart, type ConnectorChartRow } from "./console-credentials-chart";
import { ConsoleCredentialsFilters } from "./console-credentials-filters";
import { ConsoleCredentialsTable } from "./console-credentials-table";

type Data = Extract<CredentialsOverview, { allowed: true }>;

function Stat(props: { label: string; value: number; hint: string; status: OverviewStatus; tone: string; testId: string }) {
  return (
    <a
      href={overviewHref({ status: props.status })}
      className="block rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-slate-300 hover:shadow"
      title={`Show ${props.label.toLowerCase()}`}
    >
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{props.label}</div>
      <div className={`mt-1 text-3xl font-semibold tabular-nums ${props.tone}`} data-testid={props.testId}>
        {props.value.toLocaleString("en")}
      </div>
      <div className="mt-1 text-xs text-slate-500">{props.hint}</div>
    </a>
  );
}

export function ConsoleCredentialsView(props: { data: Data; problems: string[] }) {
  const { data } = props;
  const { summary } = data;
  const header = (
    <PageHeader
      title="Credentials"
      description="Every connector credential across the tenants you operate, most urgent first. Secrets are never shown: only their last four characters."
    />
  );
  if (summary.total === 0) {
    return (
      <>
        {header}
        <Notice messages={props.problems} />
        <FilteredEmpty
          testId="credentials-none"
          filtered={false}
          title={{ empty: "No credentials in any tenant yet.", filtered: "" }}
          hint={{
            empty: "A customer's admin adds its EDR and SIEM credentials on its portal's Credentials page; you can too: open the customer from Customers, then Credentials.",
            filtered: "",
          }}
        />
      </>
    );
  }
  const chartRows: ConnectorChartRow[] = summary.byConnector
    .filter((c) => c.total > 0)
    // Trouble first: most expired, then most expiring, then the biggest.
    .sort((a, b) => b.expired - a.expired || b.expiring - a.expiring || b.total - a.total)
    .map((c) => ({ name: CONNECTORS[c.connector].shortLabel, expired: c.expired, expiring: c.expiring, unused: c.unusedValid, healthy: c.healthy }));
  return (
    <>
      {header}
      <p className="-mt-3 mb-5 text-sm text-slate-600" data-testid="credentials-read-only">
        To add, test, replace or delete a tenant&apos;s credentials, open them with <span className="font-medium">Manage</span>.
      </p>
      <Notice messages={props.problems} />
      <div className="mb-6 grid gap-4 lg:grid-cols-5">
        <div className="grid grid-cols-2 gap-4 lg:col-span-2">
          <Stat label="Credentials" value={summary.total} hint="across every tenant" status="all" tone="text-slate-900" testId="stat-total" />
          <Stat
            label="Expired"
            value={summary.expired}
            hint="past the expiry date"
            status="expired"
            tone={summary.expired > 0 ? "text-red-600" : "text-slate-900"}
            testId="stat-expired"
          />
          <Stat
            label="Expiring"
            value={summary.expiring}
            hint={`within ${EXPIRING_DAYS} days`}
            status="expiring"
            tone={summary.expiring > 0 ? "text-amber-600" : "text-slate-900"}
            testId="stat-expiring"
          />
          <Stat label="Never used" value={summary.neverUsed} hint="saved, not used yet" status="never-used" tone="text-slate-900" testId="stat-never-used" />
        </div>
        <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm lg:col-span-3">
          <h2 className="mb-1 text-sm font-semibold text-slate-700">Credentials per connector</h2>
          <ConsoleCredentialsChart rows={chartRows} />
        </section>
      </div>
      <ConsoleCredentialsFilters data={data} />
      <ConsoleCredentialsTable data={data} />
    </>
  );
}
