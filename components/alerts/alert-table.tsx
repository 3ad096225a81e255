// The alert list: one row per alert, the title linking to its page. Rows the
// caller may triage get a checkbox for the bulk bar (components/alerts/bulk-bar.tsx).
// On a phone the table scrolls sideways and the less needed columns drop out.
import { FilteredEmpty } from "@/components/ui/filtered-empty";
import { Pager } from "@/components/ui/pager";
import { alertListHref, isFiltered, type AlertFilters } from "@/lib/alerts/list";
import type { AlertListPage } from "@/lib/alerts/page-data";
import { SeverityBadge, statusLabel } from "./severity-badge";
import { SlaCell } from "./sla-badges";

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

export function AlertTable(props: { page: AlertListPage["alerts"]; filters: AlertFilters; showTenant: boolean; bulk: boolean }) {
  const { rows, total, totalIsLowerBound, page, pageCount } = props.page;
  if (rows.length === 0) {
    return (
      <FilteredEmpty
        testId="alerts-empty"
        filtered={isFiltered(props.filters)}
        title={{ empty: "No alerts yet.", filtered: "No alerts match these filters." }}
        hint={{
          empty: "Alerts appear here as soon as a connected sensor reports one.",
          filtered: "Try fewer words in the search, a wider date range, or clear a filter.",
        }}
      />
    );
  }
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <div role="region" aria-label="Alerts" tabIndex={0} className="overflow-x-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-brand">
        <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="alerts-table">
          <caption className="sr-only">Alerts</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              {props.bulk && (
                <th className="w-8 px-3 py-3">
                  <input type="checkbox" data-select-all aria-label="Select every alert on this page" className="h-4 w-4" />
                </th>
              )}
              <th className="px-3 py-3">Severity</th>
              <th className="px-3 py-3">Alert</th>
              {props.showTenant && <th className="hidden px-3 py-3 md:table-cell">Tenant</th>}
              <th className="hidden px-3 py-3 lg:table-cell">Host</th>
              <th className="px-3 py-3">Status</th>
              <th className="hidden px-3 py-3 md:table-cell">Assignee</th>
              <th className="hidden px-3 py-3 md:table-cell">Group</th>
              <th className="px-3 py-3">SLA</th>
              <th className="hidden px-3 py-3 sm:table-cell">Detected (UTC)</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((a) => (
              <tr key={`${a.tenantId}:${a.id}`} className="hover:bg-slate-50" data-tenant={a.tenantSlug} data-alert={a.id} data-severity={a.severity}>
                {props.bulk && (
                  <td className="px-3 py-2.5">
                    {a.selectable && <input type="checkbox" data-alert-key={`${a.tenantId}:${a.id}`} aria-label={`Select “${a.title}”`} className="h-4 w-4" />}
                  </td>
                )}
                <td className="px-3 py-2.5">
                  <SeverityBadge severity={a.severity} />
                </td>
                <td className="max-w-[14rem] truncate px-3 py-2.5 font-medium sm:max-w-md" title={a.title}>
                  <a href={`/alerts/${a.id}`} className="text-slate-800 hover:text-brand hover:underline">
                    {a.title}
                  </a>
                </td>
                {props.showTenant && <td className="hidden px-3 py-2.5 text-slate-600 md:table-cell">{a.tenantName}</td>}
                <td className="hidden px-3 py-2.5 font-mono text-xs text-slate-600 lg:table-cell">{a.hostname ?? "—"}</td>
                <td className="whitespace-nowrap px-3 py-2.5 text-slate-600" data-testid="row-status">
                  {statusLabel(a.status)}
                </td>
                <td className="hidden px-3 py-2.5 text-slate-600 md:table-cell">{a.assigneeName ?? "—"}</td>
                <td className="hidden px-3 py-2.5 text-slate-600 md:table-cell" data-testid="row-group">
                  {a.groupName ?? "—"}
                </td>
                <td className="px-3 py-2.5">
                  <SlaCell sla={a.sla} />
                </td>
                <td className="hidden whitespace-nowrap px-3 py-2.5 text-slate-500 sm:table-cell">{dateFormat.format(a.detectedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager total={total} totalIsLowerBound={totalIsLowerBound} noun="alert" page={page} pageCount={pageCount} hrefFor={(n) => alertListHref(props.filters, { page: n })} testId="alerts-total" />
    </div>
  );
}
