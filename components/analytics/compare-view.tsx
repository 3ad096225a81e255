// The console's comparison page body: the choices, then per metric a chart
// of the compared customers beside the median of all, and one table with
// every value and its percentile among its own MSSP's other customers.
import { TableScroll } from "@/components/ui/table-scroll";
import type { ComparisonData } from "@/lib/analytics/compare";
import { AXIS_UNITS, formatMetric, METRIC_DEFINITIONS, type CompareMetric } from "@/lib/analytics/compare-metrics";
import { ticksIgnoredNote, type CompareQuery } from "@/lib/analytics/compare-query";
import type { TypedRange } from "@/lib/analytics/range";
import { CompareChart } from "./compare-chart";
import { CompareForm } from "./compare-form";

const CHARTED = 10;

/** `of`: the number of peers, said when the rows' peers differ by MSSP (else the summary says it once). */
function Percentile({ value, of }: { value: number | null; of: number | null }) {
  if (value === null) return null;
  const tone = value >= 67 ? "text-emerald-800" : value >= 34 ? "text-slate-700" : "text-red-800";
  return (
    <span className={`block text-xs ${tone}`}>
      better than {value}%{of !== null && ` of ${of}`}
    </span>
  );
}

/**
 * What the percentiles are among, true for an operator of several MSSPs too: each customer is ranked
 * within its own MSSP (compare.ts), while the population and its median span every MSSP compared.
 */
export function percentileBasis(data: Pick<ComparisonData, "mssps" | "population" | "rows">): string {
  if (data.mssps <= 1) {
    const others = data.rows[0]?.peers ?? Math.max(0, data.population - 1);
    return `Percentiles: better than that share of the MSSP's other ${others} customer${others === 1 ? "" : "s"}`;
  }
  return `Percentiles: better than that share of the other customers of the customer's own MSSP (their number beside each; the medians span all ${data.population} customers of your ${data.mssps} MSSPs)`;
}

const medianLabel = (data: Pick<ComparisonData, "mssps" | "population">) =>
  data.mssps > 1 ? `Median of all ${data.population} customers (${data.mssps} MSSPs)` : `Median of all ${data.population} customers`;

function CompareTable({ data, metrics }: { data: ComparisonData; metrics: CompareMetric[] }) {
  return (
    <TableScroll label="Comparison table" className="rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid="compare-table">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2">Customer</th>
            <th scope="col" className="px-3 py-2 text-right">Assets</th>
            {metrics.map((m) => (
              <th key={m} scope="col" className="px-3 py-2 text-right" title={METRIC_DEFINITIONS[m].definition}>
                {METRIC_DEFINITIONS[m].short}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {data.rows.map((r) => (
            <tr key={r.slug} data-testid={`compare-row-${r.slug}`}>
              <th scope="row" className="px-3 py-2 text-left font-medium text-slate-900">
                {r.name}
                <span className="block text-xs font-normal text-slate-600">
                  {r.industry}
                  {r.plan ? ` · ${r.plan}` : ""}
                </span>
              </th>
              <td className="px-3 py-2 text-right tabular-nums">{r.assets.toLocaleString("en-US")}</td>
              {metrics.map((m) => (
                <td key={m} className="px-3 py-2 text-right tabular-nums">
                  {formatMetric(m, r.values[m])}
                  <Percentile value={r.percentiles[m]} of={data.mssps > 1 ? r.peers : null} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot className="border-t border-slate-200 bg-slate-50 text-slate-700">
          {data.groupMedian && (
            <tr>
              <th scope="row" className="px-3 py-2 text-left font-medium" colSpan={2}>
                Median of the group
              </th>
              {metrics.map((m) => (
                <td key={m} className="px-3 py-2 text-right tabular-nums">
                  {formatMetric(m, data.groupMedian![m])}
                </td>
              ))}
            </tr>
          )}
          <tr>
            <th scope="row" className="px-3 py-2 text-left font-medium" colSpan={2}>
              {medianLabel(data)}
            </th>
            {metrics.map((m) => (
              <td key={m} className="px-3 py-2 text-right tabular-nums">
                {formatMetric(m, data.median[m])}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </TableScroll>
  );
}

export function CompareView({ data, query, typed = null }: { data: ComparisonData; query: CompareQuery; typed?: TypedRange | null }) {
  const charted = data.rows.slice(0, CHARTED);
  return (
    <>
      <CompareForm data={data} query={query} typed={typed} />
      {data.hidden > 0 && (
        <p className="mb-3 text-sm text-slate-600" role="status" data-testid="compare-hidden">
          {data.hidden} customer{data.hidden === 1 ? "" : "s"} or site{data.hidden === 1 ? "" : "s"} left out: you may not read their alerts (alerts:read).
        </p>
      )}
      {data.ticksIgnored > 0 && (
        <p className="mb-3 text-sm text-slate-600" role="status" data-testid="compare-ticks-ignored">
          {ticksIgnoredNote(data.ticksIgnored)}
        </p>
      )}
      {data.missing > 0 && (
        <p className="mb-3 text-sm text-slate-600" role="status">
          {data.missing} customer{data.missing === 1 ? " named in the link is" : "s named in the link are"} not among the customers you may compare, and left out.
        </p>
      )}
      {data.rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="compare-empty">
          <p className="text-sm font-medium text-slate-800">{data.group ? "No customer is in this group." : "Choose customers to compare."}</p>
          <p className="mt-1 text-sm text-slate-600">
            {data.group
              ? "Pick another group above, or choose customers one by one."
              : "Tick up to 10 customers above (find more by name), or pick a peer group by plan, size or industry, then Compare."}
          </p>
        </div>
      ) : (
        <>
          <p className="mb-3 text-sm text-slate-700" data-testid="compare-summary">
            {data.group ? `${data.group.label}: ${data.group.size} customer${data.group.size === 1 ? "" : "s"}` : `${data.rows.length} customer${data.rows.length === 1 ? "" : "s"}`},{" "}
            {query.range.from} to {query.range.to} (UTC). {percentileBasis(data)}; lower values are better on every metric.
            {data.more > 0 && ` The table shows the first ${data.rows.length}; ${data.more} more are in the group.`}
          </p>
          <div className="mb-6 grid gap-4 md:grid-cols-2 xl:grid-cols-3">
            {query.metrics.map((m) => (
              <section key={m} className="rounded-lg border border-slate-200 bg-white p-3" aria-labelledby={`chart-${m}`}>
                <h2 id={`chart-${m}`} className="text-sm font-semibold text-slate-800">
                  {METRIC_DEFINITIONS[m].label}
                </h2>
                <p className="mb-2 text-xs text-slate-600">{METRIC_DEFINITIONS[m].definition}</p>
                <CompareChart
                  label={METRIC_DEFINITIONS[m].label}
                  axisUnit={AXIS_UNITS[METRIC_DEFINITIONS[m].unit]}
                  points={charted.map((r) => ({ name: r.name, value: r.values[m], shown: formatMetric(m, r.values[m]) }))}
                  median={data.median[m]}
                  medianShown={formatMetric(m, data.median[m])}
                />
              </section>
            ))}
          </div>
          <CompareTable data={data} metrics={query.metrics} />
        </>
      )}
    </>
  );
}
