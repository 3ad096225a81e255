import { FilteredEmpty } from "@/components/ui/filtered-empty";
import { Pager } from "@/components/ui/pager";
import { TableScroll } from "@/components/ui/table-scroll";
import { auditListHref, hasAuditFilters, type AuditFilters, type AuditPage, type AuditRow } from "@/lib/audit/list";
import { formatTime } from "@/lib/locale/time";
import { OutcomeBadge } from "./outcome-badge";

function Target({ row }: { row: AuditRow }) {
  // An auth event's target is the actor's own account: its details say more
  // (why it failed, which second factor, how many sessions ended).
  if (row.action.startsWith("auth:")) return <>{authSummary(row.details)}</>;
  if (!row.target) return <>—</>;
  return (
    <>
      {row.target.type && <span className="mr-1 text-xs text-slate-500">{row.target.type}</span>}
      <span className="text-slate-800" data-testid="audit-target-name">{row.target.name}</span>
    </>
  );
}

/** The stored type and id, for the tooltip: what to search the logs or the database for. */
function targetTitle(row: AuditRow): string | undefined {
  if (row.action.startsWith("auth:")) return authSummary(row.details);
  const ref = [row.targetType, row.targetId].filter(Boolean).join(" ");
  return row.target ? `${row.target.type ?? ""} ${row.target.name}${ref ? ` (${ref})` : ""}`.trim() : undefined;
}

function authSummary(d: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof d.reason === "string") parts.push(d.reason.replace(/_/g, " "));
  if (typeof d.method === "string") parts.push(`by ${d.method}`);
  if (typeof d.sessions === "number") parts.push(`${d.sessions} session${d.sessions === 1 ? "" : "s"}`);
  if (typeof d.source === "string" && d.source !== "unknown") parts.push(`from ${d.source.replace(/^ip6?:/, "")}`);
  return parts.length ? parts.join(" · ") : "—";
}

/** The first 8 characters: enough to find the request in the logs. */
function shortId(id: string | null): string {
  return id ? id.slice(0, 8) : "—";
}

/** `timeZone`: the zone the times are shown in, named in the column header. */
export function AuditTable(props: { page: AuditPage; filters: AuditFilters; showTenant: boolean; timeZone: string }) {
  const { rows, total, page, pageCount } = props.page;
  const timeZone = props.timeZone;
  const filtered = hasAuditFilters(props.filters);
  if (rows.length === 0) {
    return (
      <FilteredEmpty
        testId="audit-empty"
        filtered={filtered}
        title={{ empty: "No audit events yet.", filtered: "No audit events match these filters." }}
        hint={{
          empty: "Every change and every refused attempt in your tenants will be recorded here.",
          filtered: "Widen the date range, clear a filter, or check the spelling of the action or email.",
        }}
      />
    );
  }
  return (
    <TableScroll label="Audit events" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="audit-table">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-3">
              Time
              <span className="block font-normal normal-case tracking-normal">{timeZone}</span>
            </th>
            {props.showTenant && <th className="px-4 py-3">Tenant</th>}
            <th className="px-4 py-3">Actor</th>
            <th className="px-4 py-3">Action</th>
            <th className="px-4 py-3">Target</th>
            <th className="px-4 py-3">Outcome</th>
            <th className="px-4 py-3">Request</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr
              key={`${r.tenantId}:${r.seq}`}
              className={r.outcome === "denied" ? "bg-red-50/40 hover:bg-red-50" : "hover:bg-slate-50"}
              data-tenant={r.tenantSlug}
              data-outcome={r.outcome}
            >
              <td className="whitespace-nowrap px-4 py-2.5 text-slate-500">{formatTime(r.occurredAt, timeZone, "seconds")}</td>
              {props.showTenant && <td className="px-4 py-2.5 text-slate-600">{r.tenantName}</td>}
              <td className="max-w-[14rem] truncate px-4 py-2.5 text-slate-700" title={r.actorEmail ?? undefined}>
                {r.actor}
              </td>
              <td className="whitespace-nowrap px-4 py-2.5 font-mono text-xs text-slate-800">{r.action}</td>
              <td className="max-w-[16rem] truncate px-4 py-2.5 text-slate-600" title={targetTitle(r)}>
                <Target row={r} />
              </td>
              <td className="px-4 py-2.5">
                <OutcomeBadge outcome={r.outcome} />
              </td>
              <td className="px-4 py-2.5 font-mono text-xs text-slate-500" title={r.requestId ?? undefined}>
                {shortId(r.requestId)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager total={total} noun="event" page={page} pageCount={pageCount} hrefFor={(n) => auditListHref(props.filters, { page: n })} testId="audit-total" />
    </TableScroll>
  );
}
