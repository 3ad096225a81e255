// One bulk run: what it does, its progress, the controls, and the per-tenant
// lines (the dry run's diff, then each tenant's result or error).
import { Pager } from "@/components/ui/pager";
import { TableScroll } from "@/components/ui/table-scroll";
import { canaryWords, ITEM_STATUS_LABELS, ITEM_STATUSES, OPERATION_LABELS, runStatusLabel, type ItemStatus } from "@/lib/bulk/model";
import type { RunPageData } from "@/lib/bulk/page-data";
import { formatTimeWithZone } from "@/lib/locale/time";
import { ConfirmForm, RefreshWhileWorking, RunControls } from "./run-controls";

const ITEM_TONE: Record<ItemStatus, string> = {
  pending: "bg-slate-100 text-slate-800",
  done: "bg-emerald-100 text-emerald-900",
  skipped: "bg-amber-100 text-amber-900",
  failed: "bg-red-100 text-red-900",
  undone: "bg-sky-100 text-sky-900",
  undo_failed: "bg-red-100 text-red-900",
  undo_skipped: "bg-amber-100 text-amber-900",
};

export function RunView({ data }: { data: RunPageData }) {
  const { run } = data;
  const c = run.counts;
  // A run paused during its undo shows the undo's progress (Continue carries on with the undo).
  const undoing = run.status === "undoing" || run.status === "undone" || (run.status === "paused" && run.undoStarted);
  const processed = undoing ? c.undone + c.undoFailed + c.undoSkipped : run.total - c.pending;
  const goal = undoing ? c.done + c.undone + c.undoFailed + c.undoSkipped : run.total;
  const pct = goal === 0 ? 100 : Math.round((processed / goal) * 100);
  const working = run.status === "running" || run.status === "undoing";
  const href = (page: number, status = data.filter) => `?${new URLSearchParams({ ...(status !== "all" ? { status } : {}), ...(page > 1 ? { page: String(page) } : {}) })}`;

  return (
    <div className="space-y-6">
      <RefreshWhileWorking working={working} />
      <section className="rounded-xl border border-slate-200 bg-white p-4" aria-labelledby="run-h">
        <h2 id="run-h" className="text-lg font-semibold text-slate-900">
          {OPERATION_LABELS[run.operation]}: <span data-testid="bulk-status">{runStatusLabel(run.status, run.undoStarted)}</span>
        </h2>
        <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          <div>
            <dt className="inline font-medium text-slate-700">Tenants: </dt>
            <dd className="inline text-slate-800">{run.selectionWords} ({run.total})</dd>
          </div>
          <div>
            <dt className="inline font-medium text-slate-700">Planned by: </dt>
            <dd className="inline text-slate-800">
              {run.createdBy ?? "a former member"}, <time dateTime={run.createdAt}>{formatTimeWithZone(new Date(run.createdAt), data.timeZone)}</time>
            </dd>
          </div>
          {run.actingBy && (run.status === "running" || run.status === "paused" || run.status === "undoing") && (
            <div>
              <dt className="inline font-medium text-slate-700">Runs as: </dt>
              <dd className="inline text-slate-800">{run.actingBy}</dd>
            </div>
          )}
          {run.canary && (
            <div>
              <dt className="inline font-medium text-slate-700">Canary: </dt>
              <dd className="inline text-slate-800">
                {canaryWords(run.canary)}
                {run.canaryPassed ? " (passed)" : ""}
              </dd>
            </div>
          )}
        </dl>
        {run.note && (
          <p className="mt-3 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-800" data-testid="bulk-note">
            {run.note}
          </p>
        )}
        {run.status !== "planned" && run.status !== "discarded" && (
          <div className="mt-4">
            <div className="mb-1 flex justify-between text-xs text-slate-700">
              <span>{undoing ? "Undo" : "Progress"}</span>
              <span data-testid="bulk-progress-text">
                {processed} of {goal} ({pct}%)
              </span>
            </div>
            <div role="progressbar" aria-label={undoing ? "Undo progress" : "Run progress"} aria-valuemin={0} aria-valuemax={goal} aria-valuenow={processed} className="h-2.5 w-full rounded-full bg-slate-200">
              <div className="h-2.5 rounded-full bg-brand transition-all" style={{ width: `${pct}%` }} />
            </div>
          </div>
        )}
        <p className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-800" data-testid="bulk-counts">
          {/* A discarded dry run's items were never run: not "pending" (nothing will run them). */}
          <span>
            {c.pending} {run.status === "discarded" ? "not run" : "pending"}
          </span>
          <span>{c.done} done</span>
          <span>{c.skipped} skipped</span>
          <span>{c.failed} failed</span>
          {undoing && (
            <span>
              {c.undone} undone, {c.undoSkipped} left as they were, {c.undoFailed} undo failed
            </span>
          )}
        </p>
        <div className="mt-4">
          <RunControls msspId={data.msspId} runId={run.id} status={run.status} pending={c.pending} undo={run.undo} undoStarted={run.undoStarted} />
        </div>
      </section>

      {run.status === "planned" &&
        (c.pending > 0 ? (
          <ConfirmForm msspId={data.msspId} runId={run.id} toChange={c.pending} />
        ) : (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-700">
            Every selected tenant is skipped (see why below): there is nothing to confirm. Discard this dry run and choose other tenants or another change.
          </p>
        ))}

      <section aria-labelledby="items-h" className="overflow-hidden rounded-xl border border-slate-200 bg-white">
        <div className="flex flex-wrap items-center justify-between gap-2 px-4 pt-4">
          <h2 id="items-h" className="text-base font-semibold text-slate-900">
            {run.status === "planned" ? "Dry run: what would change" : "Per tenant"}
          </h2>
          <nav aria-label="Filter by result" className="flex flex-wrap gap-1 text-xs">
            {(["all", ...ITEM_STATUSES] as const).map((s) => (
              <a
                key={s}
                href={href(1, s)}
                aria-current={data.filter === s ? "page" : undefined}
                className={`rounded-full border px-2 py-0.5 ${data.filter === s ? "border-slate-800 bg-slate-800 text-white" : "border-slate-300 text-slate-800 hover:bg-slate-100"}`}
              >
                {s === "all" ? "All" : ITEM_STATUS_LABELS[s]}
              </a>
            ))}
          </nav>
        </div>
        {data.items.length === 0 ? (
          <p className="p-4 text-sm text-slate-700">No tenant has this result. Choose “All” to see every tenant.</p>
        ) : (
          <TableScroll label="Tenants of this run" className="mt-3">
            {/* No minimum width: on a phone the three columns wrap instead of pushing Result off-screen. */}
            <table className="w-full text-left text-sm" data-testid="bulk-items">
              <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-700">
                <tr>
                  <th scope="col" className="px-3 py-2 sm:px-4">Tenant</th>
                  <th scope="col" className="px-3 py-2 sm:px-4">Change</th>
                  <th scope="col" className="px-3 py-2 sm:px-4">Result</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((i) => (
                  <tr key={i.targetId} className="border-b border-slate-100 align-top" data-testid="bulk-item">
                    <td className="px-3 py-2 font-medium text-slate-900 sm:px-4">{i.name}</td>
                    <td className="px-3 py-2 text-slate-800 sm:px-4">{i.planned}</td>
                    <td className="px-3 py-2 sm:px-4">
                      <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${ITEM_TONE[i.status]}`}>
                        {run.status === "discarded" && i.status === "pending" ? "Not run" : ITEM_STATUS_LABELS[i.status]}
                      </span>
                      {i.message && i.message !== i.planned && <p className="mt-1 text-xs text-slate-700">{i.message}</p>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        <Pager total={data.matching} noun="tenant" page={data.page} pageCount={data.pages} hrefFor={(p) => href(p)} testId="bulk-pager" pageSize={100} />
      </section>
    </div>
  );
}
