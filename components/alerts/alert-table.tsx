// The alert list: one row per alert, the title linking to its page. Rows the
// caller may triage get a checkbox for the bulk bar (components/alerts/bulk-bar.tsx).
// On a phone the table scrolls sideways and the less needed columns drop out.
// The rows are rendered by a client component from compact tuples (alert-rows.tsx says why).
import { FilteredEmpty } from "@/components/ui/filtered-empty";
import { Pager } from "@/components/ui/pager";
import { TableScroll } from "@/components/ui/table-scroll";
import { alertListHref, isFiltered, type AlertFilters } from "@/lib/alerts/list";
import type { AlertListPage, AlertListRow } from "@/lib/alerts/page-data";
import { AlertRows, type AlertTableRow } from "./alert-rows";
import { formatTime } from "@/lib/locale/time";
import { slaCellValue } from "./sla-badges";

/** What the client table needs of a row, and nothing else (its props are the page's inline payload). */
function tableRow(a: AlertListRow, showTenant: boolean, timeZone: string): AlertTableRow {
  return [
    a.tenantId,
    a.id,
    a.tenantSlug,
    a.severity,
    a.status,
    a.title,
    showTenant ? a.tenantName : "",
    a.hostname,
    a.assigneeName,
    a.groupName,
    slaCellValue(a.sla),
    formatTime(a.detectedAt, timeZone, "row"),
    a.selectable ? 1 : 0,
  ];
}

export function AlertTable(props: { page: AlertListPage["alerts"]; filters: AlertFilters; showTenant: boolean; bulk: boolean; timeZone: string }) {
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
      <TableScroll label="Alerts">
        <AlertRows rows={rows.map((a) => tableRow(a, props.showTenant, props.timeZone))} showTenant={props.showTenant} bulk={props.bulk} timeZone={props.timeZone} />
      </TableScroll>
      <Pager total={total} totalIsLowerBound={totalIsLowerBound} noun="alert" page={page} pageCount={pageCount} hrefFor={(n) => alertListHref(props.filters, { page: n })} testId="alerts-total" />
    </div>
  );
}
