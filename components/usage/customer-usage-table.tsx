// The console's usage table: every customer, this month, sortable by any
// metric or by how close it is to a limit; links to each customer's page.
import { TableScroll } from "@/components/ui/table-scroll";
import type { CustomerUsageRow } from "@/lib/usage/page-data";
import { usageListHref, type UsageListQuery, type UsageSort } from "@/lib/usage/list-query";
import { METRIC_DEFINITIONS, USAGE_METRICS } from "@/lib/usage/metrics";
import { formatQuantity } from "./format";
import { LimitBar } from "./limit-bar";

function SortHeader({ query, sort, label, right }: { query: UsageListQuery; sort: UsageSort; label: string; right?: boolean }) {
  const active = query.sort === sort;
  const dir = active && query.dir === "desc" ? "asc" : "desc";
  return (
    <th className={`px-3 py-2 ${right ? "text-right" : ""}`} aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : "none"}>
      <a href={usageListHref({ ...query, sort, dir: sort === "name" && !active ? "asc" : dir, page: 1 })} className="hover:text-slate-800">
        {label}
        {active ? (query.dir === "asc" ? " ▲" : " ▼") : ""}
      </a>
    </th>
  );
}

export function CustomerUsageTable({ rows, query }: { rows: CustomerUsageRow[]; query: UsageListQuery }) {
  return (
    <TableScroll label="Usage by customer" className="rounded-xl border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="customer-usage-table">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <SortHeader query={query} sort="name" label="Customer" />
            <SortHeader query={query} sort="limit" label="Closest limit" />
            {USAGE_METRICS.map((m) => (
              <SortHeader key={m} query={query} sort={m} label={METRIC_DEFINITIONS[m].label} right />
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => {
            const closest = USAGE_METRICS.map((m) => ({ m, l: r.metrics[m].limit })).filter((x) => x.l && x.l.percent === r.maxPercent)[0];
            return (
              <tr key={r.id} data-customer={r.slug}>
                <td className="px-3 py-2">
                  <a href={`/usage/${r.slug}`} className="font-medium text-brand hover:underline">
                    {r.name}
                  </a>
                  {r.status !== "active" && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">{r.status}</span>}
                </td>
                <td className="px-3 py-2">
                  {closest?.l ? (
                    <div>
                      <LimitBar limit={closest.l} unit={METRIC_DEFINITIONS[closest.m].unit} tenantId={r.id} compact />
                      <span className="text-xs text-slate-500">{closest.l.label}</span>
                    </div>
                  ) : (
                    <span className="text-xs text-slate-500">—</span>
                  )}
                </td>
                {USAGE_METRICS.map((m) => (
                  <td key={m} className="px-3 py-2 text-right tabular-nums">
                    {formatQuantity(r.metrics[m].value, METRIC_DEFINITIONS[m].unit)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
