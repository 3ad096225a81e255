import { FilteredEmpty } from "@/components/ui/filtered-empty";
import { Pager } from "@/components/ui/pager";
import type { AlertFilters, AlertPage } from "@/lib/alerts/list";
import { SeverityBadge, statusLabel } from "./severity-badge";

const dateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "2-digit",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

function pageHref(filters: AlertFilters, page: number): string {
  const params = new URLSearchParams();
  if (filters.severity) params.set("severity", filters.severity);
  if (filters.status) params.set("status", filters.status);
  if (filters.tenant) params.set("tenant", filters.tenant);
  params.set("page", String(page));
  return `?${params}`;
}

export function AlertTable(props: { page: AlertPage; filters: AlertFilters; showTenant: boolean }) {
  const { rows, total, page, pageCount } = props.page;
  const filtered = Boolean(props.filters.severity || props.filters.status || props.filters.tenant);
  if (rows.length === 0) {
    return (
      <FilteredEmpty
        testId="alerts-empty"
        filtered={filtered}
        title={{ empty: "No alerts yet.", filtered: "No alerts match these filters." }}
        hint={{
          empty: "Alerts appear here as soon as a connected sensor reports one.",
          filtered: "Clear a filter or pick another severity or status.",
        }}
      />
    );
  }
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="alerts-table">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-3">Severity</th>
            <th className="px-4 py-3">Alert</th>
            {props.showTenant && <th className="px-4 py-3">Tenant</th>}
            <th className="px-4 py-3">Host</th>
            <th className="px-4 py-3">Source</th>
            <th className="px-4 py-3">Status</th>
            <th className="px-4 py-3">Detected (UTC)</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((a) => (
            <tr key={`${a.tenantSlug}:${a.id}`} className="hover:bg-slate-50" data-tenant={a.tenantSlug}>
              <td className="px-4 py-2.5">
                <SeverityBadge severity={a.severity} />
              </td>
              <td className="max-w-md truncate px-4 py-2.5 font-medium text-slate-800" title={a.title}>
                {a.title}
              </td>
              {props.showTenant && <td className="px-4 py-2.5 text-slate-600">{a.tenantName}</td>}
              <td className="px-4 py-2.5 font-mono text-xs text-slate-600">{a.hostname ?? "—"}</td>
              <td className="px-4 py-2.5 text-slate-600">{a.source}</td>
              <td className="px-4 py-2.5 text-slate-600">{statusLabel(a.status)}</td>
              <td className="whitespace-nowrap px-4 py-2.5 text-slate-500">{dateFormat.format(a.detectedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager total={total} noun="alert" page={page} pageCount={pageCount} hrefFor={(n) => pageHref(props.filters, n)} testId="alerts-total" />
    </div>
  );
}
