// The dashboard: KPIs, then each chart with its table beside it, then the
// riskiest customers (or sites), assets, collectors and health. The same
// view serves the console (every customer) and a tenant host (its subtree).
import type { TypedRange } from "@/lib/analytics/range";
import type { DashboardData } from "@/lib/analytics/dashboard";
import { dashboardHref, METRIC_LABELS } from "@/lib/analytics/range";
import { mttaMs, mttrMs } from "@/lib/analytics/rollups";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import { formatDuration } from "@/lib/alerts/sla";
import { OpenClosedChart, ResponseTimesChart, SeverityTrendChart, type SeverityDayRow } from "./charts";
import { DashboardFilters } from "./dashboard-filters";
import { AssetsCard, CollectorsCard, DayTable, HealthCard, RiskyTable, SlaTable } from "./dashboard-tables";

const n = (v: number) => v.toLocaleString("en");
const dur = (ms: number | null) => (ms === null ? "—" : formatDuration(ms));
const pct = (part: number, whole: number) => (whole === 0 ? "—" : `${((100 * part) / whole).toFixed(1)}%`);

function Kpi(props: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="text-xs font-medium uppercase tracking-wide text-slate-600">{props.label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums text-slate-900" data-testid={props.testId}>
        {props.value}
      </div>
      {props.hint && <div className="mt-0.5 text-xs text-slate-600">{props.hint}</div>}
    </div>
  );
}

export function Panel(props: { title: string; description?: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="mb-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid={props.testId} aria-label={props.title}>
      <h2 className="text-sm font-semibold text-slate-800">{props.title}</h2>
      {props.description && <p className="mb-3 mt-0.5 text-xs text-slate-600">{props.description}</p>}
      {props.children}
    </section>
  );
}

/** `typed`: a custom range the page refused (parseDashboardQuery), shown again in the form to be corrected. */
export function DashboardView({ data, allLabel, emptyHint, typed }: { data: DashboardData; allLabel: string; emptyHint: React.ReactNode; typed?: TypedRange | null }) {
  const q = data.query;
  const t = data.totals;
  const nonInfo = (["critical", "high", "medium", "low"] as const).map((s) => data.bySeverity[s]);
  const acked = nonInfo.reduce((a, c) => a + c.acknowledged, 0);
  const ackBreaches = nonInfo.reduce((a, c) => a + c.ackBreaches, 0);
  const timed = nonInfo.reduce((a, c) => a + c.ttrCount, 0);
  const resolveBreaches = nonInfo.reduce((a, c) => a + c.resolveBreaches, 0);
  const trendRows = data.series.map((d) => ({
    day: d.day,
    ...Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, q.metric === "open" ? d.openAtEnd[s] : q.metric === "closed" ? d.bySeverity[s].closed : d.bySeverity[s].created])),
  })) as SeverityDayRow[];
  const openClosed = data.series.map((d) => ({
    day: d.day,
    created: ALERT_SEVERITIES.reduce((a, s) => a + d.bySeverity[s].created, 0),
    closed: ALERT_SEVERITIES.reduce((a, s) => a + d.bySeverity[s].closed, 0),
    open: ALERT_SEVERITIES.reduce((a, s) => a + d.openAtEnd[s], 0),
  }));
  const response = data.series.map((d) => {
    const c = ALERT_SEVERITIES.reduce(
      (a, s) => ({ acknowledged: a.acknowledged + d.bySeverity[s].acknowledged, ttaMsSum: a.ttaMsSum + d.bySeverity[s].ttaMsSum, ttrCount: a.ttrCount + d.bySeverity[s].ttrCount, ttrMsSum: a.ttrMsSum + d.bySeverity[s].ttrMsSum }),
      { acknowledged: 0, ttaMsSum: 0, ttrCount: 0, ttrMsSum: 0 },
    );
    const a = mttaMs({ ...c, created: 0, closed: 0, falsePositives: 0, ackBreaches: 0, resolveBreaches: 0 });
    const r = mttrMs({ ...c, created: 0, closed: 0, falsePositives: 0, ackBreaches: 0, resolveBreaches: 0 });
    return { day: d.day, mttaMinutes: a === null ? null : a / 60_000, mttrHours: r === null ? null : r / 3_600_000 };
  });
  const nothing = data.counted === 0 || (t.created === 0 && t.openNow === 0 && t.closed === 0 && t.acknowledged === 0);

  return (
    <>
      <DashboardFilters data={data} allLabel={allLabel} typed={typed ?? null} />
      {data.hidden > 0 && (
        <p role="status" className="mb-4 text-sm text-slate-600" data-testid="dashboard-hidden">
          {data.hidden === 1 ? "One tenant's" : `${n(data.hidden)} tenants'`} alerts are not counted: their policy does not let you read them.
        </p>
      )}
      <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7" data-testid="dashboard-kpis">
        <Kpi label="New alerts" value={n(t.created)} hint="detected in the range" testId="kpi-created" />
        <Kpi label="Closed" value={n(t.closed)} hint={`${n(t.falsePositives)} false positive`} testId="kpi-closed" />
        <Kpi label="Open now" value={n(t.openNow)} hint={`${n(data.bySeverity.critical.openNow)} critical`} testId="kpi-open" />
        <Kpi label="MTTA" value={dur(mttaMs(t))} hint={`over ${n(t.acknowledged)} acknowledged`} testId="kpi-mtta" />
        <Kpi label="MTTR" value={dur(mttrMs(t))} hint={`over ${n(t.ttrCount)} closed`} testId="kpi-mttr" />
        <Kpi label="Acknowledged in SLA" value={pct(acked - ackBreaches, acked)} hint={`${n(ackBreaches)} breached`} testId="kpi-ack-sla" />
        <Kpi label="Resolved in SLA" value={pct(timed - resolveBreaches, timed)} hint={`${n(resolveBreaches)} breached`} testId="kpi-resolve-sla" />
      </div>
      {nothing ? (
        <div className="mb-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="dashboard-empty">
          <p className="text-sm font-medium text-slate-800">No alerts in this scope and range.</p>
          <div className="mt-1 text-sm text-slate-600">{emptyHint}</div>
        </div>
      ) : (
        <>
          <Panel title={`${METRIC_LABELS[q.metric]}, by severity`} description="Switch what the bars count with “Trend shows”." testId="panel-severity">
            <div className="grid gap-4 lg:grid-cols-3">
              <div className="lg:col-span-2">
                <SeverityTrendChart rows={trendRows} title={`${METRIC_LABELS[q.metric]}, by severity`} />
              </div>
              <DayTable label={`${METRIC_LABELS[q.metric]} by severity, per day`} columns={ALERT_SEVERITIES} rows={trendRows} testId="table-severity" />
            </div>
          </Panel>
          <Panel title="Open vs closed" description="New and closed alerts per day; the line is what was open at the end of each day (UTC)." testId="panel-open-closed">
            <div className="grid gap-4 lg:grid-cols-3">
              <div className="lg:col-span-2">
                <OpenClosedChart rows={openClosed} />
              </div>
              <DayTable label="New, closed and open per day" columns={["created", "closed", "open"]} headers={{ created: "New", closed: "Closed", open: "Open" }} rows={openClosed} testId="table-open-closed" />
            </div>
          </Panel>
          <Panel
            title="MTTA and MTTR against SLA"
            description={`Means over the alerts acknowledged or closed in the range; breaches are judged against each tenant's own targets. Targets shown: ${data.slaTargetsOf ?? "defaults"}. Info alerts have no targets: the headline MTTA and MTTR count them, this table does not.`}
            testId="panel-sla"
          >
            {/* The table below the chart, not beside it: its five columns need more than a third of the page. */}
            <div className="space-y-4">
              <ResponseTimesChart rows={response} />
              <SlaTable rows={data.sla} />
            </div>
          </Panel>
        </>
      )}
      <RiskyTable data={data} hrefFor={(slug) => dashboardHref({ ...q, scope: slug })} />
      <div className="grid gap-6 lg:grid-cols-3">
        <AssetsCard data={data} />
        <CollectorsCard data={data} />
        <HealthCard data={data} />
      </div>
    </>
  );
}
