"use client";
// The alert table's markup, rendered from compact rows (components/alerts/alert-table.tsx
// builds them on the server). A client component on purpose: a server-rendered table goes
// out twice, as HTML and again as its whole element tree (every cell and class name) in the
// inline RSC payload; from here the payload carries only these rows' values, a fifth of the
// bytes, and the HTML is the same. No state and no effects: the checkboxes are plain inputs
// the bulk bar reads (components/alerts/bulk-bar.tsx). What every cell shares (padding, the
// text colour, the row's hover) is said once on the tbody, not on each of the 25 rows' ten
// cells: the cells' class attributes were half the rows' HTML, and in the load bench the
// table is the costliest part of the page to render (README "Performance").
import type { AlertStatus, Severity } from "@/drizzle/schema";
import { SeverityBadge, statusLabel } from "./severity-badge";
import { SlaCell, type SlaCellValue } from "./sla-badges";

/** One row: only what the table shows, as a tuple (no key names repeated in the payload). */
export type AlertTableRow = [
  tenantId: string,
  id: string,
  tenantSlug: string,
  severity: Severity,
  status: AlertStatus,
  title: string,
  /** "" when the tenant column is not shown. */
  tenantName: string,
  hostname: string | null,
  assigneeName: string | null,
  groupName: string | null,
  sla: SlaCellValue,
  /** Detected, formatted on the server in the page's time zone (named in the header). */
  detected: string,
  /** 1 when the caller may triage it (a checkbox for the bulk bar). */
  selectable: 0 | 1,
];

export function AlertRows(props: { rows: AlertTableRow[]; showTenant: boolean; bulk: boolean; timeZone: string }) {
  return (
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
          <th className="hidden px-3 py-3 sm:table-cell">
            Detected
            <span className="block font-normal normal-case tracking-normal" data-testid="alerts-time-zone">{props.timeZone}</span>
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 text-slate-600 [&>tr:hover]:bg-slate-50 [&>tr>td]:px-3 [&>tr>td]:py-2.5">
        {props.rows.map(([tenantId, id, tenantSlug, severity, status, title, tenantName, hostname, assigneeName, groupName, sla, detected, selectable]) => (
          <tr key={`${tenantId}:${id}`} data-tenant={tenantSlug} data-alert={id} data-severity={severity}>
            {props.bulk && (
              <td>
                {selectable === 1 && <input type="checkbox" data-alert-key={`${tenantId}:${id}`} aria-label={`Select “${title}”`} className="h-4 w-4" />}
              </td>
            )}
            <td>
              <SeverityBadge severity={severity} />
            </td>
            {/* From xl tenant and host names stay on one line (cut at 11rem, whole in their tooltip; assignee and group likewise) instead
                of breaking at every hyphen, and the title, which reads well over two lines, wraps in what the
                other columns leave. Below xl the title is cut and the names wrap, as the width needs. */}
            <td className="max-w-[14rem] truncate font-medium sm:max-w-md xl:w-2/5 xl:min-w-[14rem] xl:max-w-none xl:whitespace-normal" title={title}>
              <a href={`/alerts/${id}`} className="text-slate-800 hover:text-brand hover:underline">
                {title}
              </a>
            </td>
            {props.showTenant && (
              <td className="hidden md:table-cell xl:max-w-[11rem] xl:truncate" title={tenantName}>
                {tenantName}
              </td>
            )}
            <td className="hidden font-mono text-xs lg:table-cell xl:max-w-[11rem] xl:truncate" title={hostname ?? undefined}>
              {hostname ?? "—"}
            </td>
            <td className="whitespace-nowrap" data-testid="row-status">
              {statusLabel(status)}
            </td>
            <td className="hidden md:table-cell xl:max-w-[10rem] xl:truncate" title={assigneeName ?? undefined}>
              {assigneeName ?? "—"}
            </td>
            <td className="hidden md:table-cell xl:max-w-[10rem] xl:truncate" data-testid="row-group" title={groupName ?? undefined}>
              {groupName ?? "—"}
            </td>
            <td>
              <SlaCell cell={sla} />
            </td>
            <td className="hidden whitespace-nowrap text-slate-500 sm:table-cell">{detected}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
