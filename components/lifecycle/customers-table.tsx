// The Customers page's table: one row per customer or site, indented by
// depth, with its state, plan, members and its newest workflow's progress.
import { JobStatusBadge } from "@/components/jobs/job-status-badge";
import { TableScroll } from "@/components/ui/table-scroll";
import type { LifecycleRow } from "@/lib/lifecycle/list-page";
import { WORKFLOW_LABELS } from "@/lib/lifecycle/labels";
import { planInfo } from "@/lib/lifecycle/plans";
import { TenantStatusBadge } from "./status-badge";

function WorkflowCell({ row }: { row: LifecycleRow }) {
  const wf = row.workflow;
  if (!wf) return <span className="text-slate-500">—</span>;
  const pct = wf.status === "succeeded" ? 100 : wf.progressTotal ? Math.round((wf.progressDone / wf.progressTotal) * 100) : 0;
  return (
    <div className="flex items-center gap-2">
      <span className="text-xs text-slate-600">{WORKFLOW_LABELS[wf.kind] ?? wf.kind}</span>
      {wf.status === "succeeded" ? (
        <span className="text-xs text-emerald-700">done</span>
      ) : (
        <>
          <JobStatusBadge status={wf.status} retrying={wf.status === "queued" && wf.attempts > 0} />
          {wf.status === "running" && (
            <span className="h-1.5 w-16 overflow-hidden rounded-full bg-slate-200">
              <span className="block h-full bg-brand" style={{ width: `${pct}%` }} />
            </span>
          )}
        </>
      )}
    </div>
  );
}

/** The row's one action: the tenant's page, to manage it (or only to look, without a permission there). */
function RowAction({ row }: { row: LifecycleRow }) {
  return (
    <a href={`/customers/${row.slug}`} className="inline-block py-0.5 text-sm font-medium text-brand hover:underline">
      {Object.values(row.can).some(Boolean) ? "Manage" : "View"}
      <span className="sr-only"> {row.name}</span>
    </a>
  );
}

export function CustomersTable({ rows }: { rows: LifecycleRow[] }) {
  const minDepth = Math.min(...rows.map((r) => r.depth));
  return (
    <TableScroll label="Customers" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="customers-table">
        <thead className="bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-3 text-left">Tenant</th>
            <th className="px-3 py-3 text-left">State</th>
            <th className="hidden px-3 py-3 text-left md:table-cell">Isolation plan</th>
            <th className="hidden px-3 py-3 text-right md:table-cell">Members</th>
            <th className="hidden px-3 py-3 text-left md:table-cell">Workflow</th>
            <th className="hidden px-4 py-3 md:table-cell">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} className="hover:bg-slate-50" data-testid={`customer-row-${r.slug}`}>
              <td className="px-4 py-2.5">
                <div className="flex items-start gap-2" style={{ paddingLeft: (r.depth - minDepth) * 20 }}>
                  {r.depth > minDepth && <span aria-hidden className="text-slate-300">└</span>}
                  <div className="min-w-0">
                    <div className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
                      <a href={`/customers/${r.slug}`} className="font-medium text-slate-800 hover:text-brand hover:underline">
                        {r.name}
                      </a>
                      <span className="font-mono text-xs text-slate-500">{r.slug}</span>
                      {r.customDomains > 0 && (
                        <a
                          href={`/customers/${r.slug}/domains`}
                          className="rounded-full border border-emerald-200 bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-900 hover:underline"
                          data-testid="customer-domains-badge"
                        >
                          {r.customDomains} custom {r.customDomains === 1 ? "domain" : "domains"}
                        </a>
                      )}
                    </div>
                    {r.statusReason && r.status !== "active" && <p className="text-xs text-slate-500">{r.statusReason}</p>}
                    {/* Below md the plan, members, workflow and action columns are hidden: the same facts and the
                        row's action stack here, under the name, so a phone never scrolls sideways to reach them. */}
                    <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600 md:hidden" data-testid="customer-row-details">
                      <span>{planInfo(r.plan).label} isolation</span>
                      <span className="tabular-nums">
                        {r.members} {r.members === 1 ? "member" : "members"}
                      </span>
                      {r.workflow && <WorkflowCell row={r} />}
                      <RowAction row={r} />
                    </div>
                  </div>
                </div>
              </td>
              <td className="px-3 py-2.5">
                <TenantStatusBadge status={r.status} />
              </td>
              <td className="hidden px-3 py-2.5 text-slate-600 md:table-cell">{planInfo(r.plan).label}</td>
              <td className="hidden px-3 py-2.5 text-right tabular-nums text-slate-700 md:table-cell">{r.members}</td>
              <td className="hidden px-3 py-2.5 md:table-cell">
                <WorkflowCell row={r} />
              </td>
              <td className="hidden px-4 py-2.5 text-right md:table-cell">
                <RowAction row={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
