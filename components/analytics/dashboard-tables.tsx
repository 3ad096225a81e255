// The tables beside the dashboard's charts, and the summary cards.
import { OpenAlertsChart } from "@/components/charts/open-alerts-chart";
import { TableScroll } from "@/components/ui/table-scroll";
import { ASSET_CRITICALITIES, RISK_WEIGHTS, type DashboardData, type SlaRow } from "@/lib/analytics/dashboard";
import { formatDuration } from "@/lib/alerts/sla";

const n = (v: number) => v.toLocaleString("en");
const dur = (ms: number | null) => (ms === null ? "—" : formatDuration(ms));
const mins = (m: number | null) => (m === null ? "—" : formatDuration(m * 60_000));
const pct = (part: number, whole: number) => (whole === 0 ? "—" : `${((100 * part) / whole).toFixed(1)}%`);
const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
const th = "whitespace-nowrap px-2 py-1.5 text-left text-xs font-semibold text-slate-700";
const td = "whitespace-nowrap px-2 py-1 text-right tabular-nums text-slate-800";

/** Days newest first, in a scrolling box (the chart shows the same days oldest first). */
export function DayTable<K extends string>(props: { label: string; columns: readonly K[]; headers?: Partial<Record<K, string>>; rows: Array<{ day: string } & Record<K, number>>; testId: string }) {
  return (
    <TableScroll label={props.label} className="max-h-72 overflow-y-auto rounded-lg border border-slate-200" testId={props.testId}>
      <table className="w-full text-sm">
        <caption className="sr-only">{props.label}</caption>
        <thead className="sticky top-0 bg-slate-50">
          <tr>
            <th scope="col" className={th}>
              Day
            </th>
            {props.columns.map((c) => (
              <th key={c} scope="col" className={`${th} text-right`}>
                {props.headers?.[c] ?? cap(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {[...props.rows].reverse().map((r) => (
            <tr key={r.day}>
              <th scope="row" className="whitespace-nowrap px-2 py-1 text-left font-normal text-slate-700">
                {r.day}
              </th>
              {props.columns.map((c) => (
                <td key={c} className={td}>
                  {n(r[c])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function SlaTable({ rows }: { rows: SlaRow[] }) {
  return (
    <TableScroll label="MTTA and MTTR per severity against the SLA targets" className="rounded-lg border border-slate-200" testId="table-sla">
      <table className="w-full text-sm">
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={th}>
              Severity
            </th>
            <th scope="col" className={`${th} text-right`}>
              MTTA / target
            </th>
            <th scope="col" className={`${th} text-right`}>
              Ack breached
            </th>
            <th scope="col" className={`${th} text-right`}>
              MTTR / target
            </th>
            <th scope="col" className={`${th} text-right`}>
              Resolve breached
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.severity} data-testid={`sla-${r.severity}`}>
              <th scope="row" className="px-2 py-1 text-left font-medium text-slate-800">
                {cap(r.severity)}
              </th>
              <td className={td}>
                {dur(r.mttaMs)} / {mins(r.ackTargetMinutes)}
              </td>
              <td className={td}>
                {n(r.counts.ackBreaches)} ({pct(r.counts.ackBreaches, r.counts.acknowledged)})
              </td>
              <td className={td}>
                {dur(r.mttrMs)} / {mins(r.resolveTargetMinutes)}
              </td>
              <td className={td}>
                {n(r.counts.resolveBreaches)} ({pct(r.counts.resolveBreaches, r.counts.ttrCount)})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function RiskyTable({ data, hrefFor }: { data: DashboardData; hrefFor: (slug: string) => string }) {
  const what = data.riskyOf === "customers" ? "customers" : data.scope?.kind === "customer" ? "sites" : "tenants below";
  const weights = `${RISK_WEIGHTS.critical} × critical + ${RISK_WEIGHTS.high} × high + ${RISK_WEIGHTS.medium} × medium`;
  return (
    <section className="mb-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="panel-risky" aria-label={`Riskiest ${what}`}>
      <h2 className="text-sm font-semibold text-slate-800">Riskiest {what}</h2>
      <p className="mb-3 mt-0.5 text-xs text-slate-600">
        Risk = open alerts weighted ({weights}) per asset, counting each one&apos;s sites. Click a name to narrow the dashboard to it.
      </p>
      {data.risky.length === 0 ? (
        <p className="text-sm text-slate-700" data-testid="risky-empty">
          {data.riskyOf === "customers" ? "No customers in this scope yet: onboard one under Customers." : `${data.scope?.name ?? "This tenant"} has nothing below it to rank: its own figures are above.`}
        </p>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <OpenAlertsChart rows={data.risky.map((r) => ({ name: r.tenant.name, ...r.open }))} />
          <TableScroll label={`Riskiest ${what}`} className="rounded-lg border border-slate-200" testId="table-risky">
            <table className="w-full text-sm">
              <thead className="bg-slate-50">
                <tr>
                  <th scope="col" className={th}>
                    Name
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Risk
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Open crit / high
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Assets
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    New in range
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {data.risky.map((r) => (
                  <tr key={r.tenant.id} data-testid={`risky-${r.tenant.slug}`}>
                    <th scope="row" className="px-2 py-1 text-left font-medium">
                      <a href={hrefFor(r.tenant.slug)} className="text-brand-dark hover:underline">
                        {r.tenant.name}
                      </a>
                    </th>
                    <td className={td}>{r.risk.toFixed(2)}</td>
                    <td className={td}>
                      {n(r.open.critical)} / {n(r.open.high)}
                    </td>
                    <td className={td}>{n(r.assets)}</td>
                    <td className={td}>{n(r.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </div>
      )}
    </section>
  );
}

function Card(props: { title: string; testId: string; children: React.ReactNode }) {
  return (
    <section className="mb-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid={props.testId} aria-label={props.title}>
      <h2 className="mb-2 text-sm font-semibold text-slate-800">{props.title}</h2>
      {props.children}
    </section>
  );
}

function Pairs({ rows }: { rows: [string, string][] }) {
  return (
    <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-600">{k}</dt>
          <dd className="text-right font-medium tabular-nums text-slate-900">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function AssetsCard({ data }: { data: DashboardData }) {
  const a = data.assets;
  return (
    <Card title="Assets" testId="card-assets">
      {!a.allowed ? (
        <p className="text-sm text-slate-700">You may not read assets in this scope.</p>
      ) : a.total === 0 ? (
        <p className="text-sm text-slate-700">No assets yet: they appear as collectors and the API register them.</p>
      ) : (
        <Pairs rows={[["Total", n(a.total)], ...ASSET_CRITICALITIES.map((c) => [`${cap(c)} criticality`, n(a.byCriticality[c])] as [string, string])]} />
      )}
    </Card>
  );
}

export function CollectorsCard({ data }: { data: DashboardData }) {
  const c = data.collectors;
  return (
    <Card title="Connectors (collectors)" testId="card-collectors">
      {!c.allowed ? (
        <p className="text-sm text-slate-700">Collector status is for analysts and admins.</p>
      ) : c.total === 0 ? (
        <p className="text-sm text-slate-700">
          {data.top === null
            ? "No collector has reported yet: a customer's page (Customers) shows the command that runs one."
            : "No collector has reported yet: install one from Credentials (the collector command)."}
        </p>
      ) : (
        <Pairs rows={[["Total", n(c.total)], ["Reporting", n(c.reporting)], ["Silent", n(c.silent)], ["Failing", n(c.erroring)]]} />
      )}
    </Card>
  );
}

export function HealthCard({ data }: { data: DashboardData }) {
  const h = data.health;
  return (
    <Card title="Health" testId="card-health">
      {!h.allowed ? (
        <p className="text-sm text-slate-700">Health is for analysts and admins.</p>
      ) : (
        <Pairs rows={[["Healthy", n(h.healthy)], ["Degraded", n(h.degraded)], ["Down", n(h.down)], ["Not evaluated yet", n(h.notEvaluated)]]} />
      )}
    </Card>
  );
}
