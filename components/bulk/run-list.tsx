// The MSSP's recent bulk runs, newest first, each linking to its page.
import { TableScroll } from "@/components/ui/table-scroll";
import { OPERATION_LABELS, runStatusLabel } from "@/lib/bulk/model";
import { formatTime } from "@/lib/locale/time";
import type { RunSummary } from "@/lib/bulk/page-data";

/** `timeZone`: the zone the runs' times are shown in, named once in the Run column's header. */
export function RunList({ runs, timeZone }: { runs: RunSummary[]; timeZone: string }) {
  return (
    <section className="mt-8" aria-labelledby="runs-h">
      <h2 id="runs-h" className="mb-2 text-lg font-semibold text-slate-900">Recent runs</h2>
      {runs.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-center text-sm text-slate-700" data-testid="bulk-no-runs">
          No bulk run yet. Choose tenants and a change above, then start with the dry run.
        </p>
      ) : (
        <TableScroll label="Recent bulk runs" className="rounded-xl border border-slate-200 bg-white">
          <table className="w-full min-w-[36rem] text-left text-sm" data-testid="bulk-runs">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-700">
              <tr>
                <th scope="col" className="px-4 py-2">
                  Run
                  <span className="block font-normal normal-case tracking-normal">{timeZone}</span>
                </th>
                <th scope="col" className="px-4 py-2">Tenants</th>
                <th scope="col" className="px-4 py-2">Status</th>
                <th scope="col" className="px-4 py-2">Results</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} className="border-b border-slate-100 align-top">
                  <td className="px-4 py-2">
                    <a href={`/bulk/${r.id}`} className="font-medium text-brand-dark underline">
                      {OPERATION_LABELS[r.operation]}
                    </a>
                    <p className="text-xs text-slate-700"><time dateTime={r.createdAt}>{formatTime(new Date(r.createdAt), timeZone, "full")}</time> · {r.createdBy ?? "a former member"}</p>
                  </td>
                  <td className="px-4 py-2 text-slate-800">
                    {r.selectionWords} ({r.total})
                  </td>
                  <td className="px-4 py-2 text-slate-800">{runStatusLabel(r.status, r.undoStarted)}</td>
                  <td className="px-4 py-2 text-xs text-slate-800">
                    {r.counts.done} done · {r.counts.skipped} skipped · {r.counts.failed} failed
                    {r.counts.undone > 0 ? ` · ${r.counts.undone} undone` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
