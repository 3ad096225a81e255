// The last changes to a tenant's settings, from the audit trail. Each time
// comes formatted in the page's zone and names it (lib/settings/page-data.ts).
import { TableScroll } from "@/components/ui/table-scroll";
import { HISTORY_LIMIT } from "@/lib/settings/format";
import type { SettingsHistoryRow } from "@/lib/settings/page-data";

export function SettingsHistory({ rows, auditHref }: { rows: SettingsHistoryRow[]; auditHref: string }) {
  return (
    <section className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" aria-labelledby="settings-history" data-testid="settings-history">
      <h2 id="settings-history" className="border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-sm font-semibold text-slate-700">
        History
      </h2>
      {rows.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-500">No setting of this tenant has been changed yet: everything is inherited or the default.</p>
      ) : (
        <TableScroll label="Settings history">
          <table className="min-w-full text-sm">
            <thead className="border-b border-slate-200 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th className="py-2 pl-4 pr-3">When</th>
                <th className="px-3 py-2">Who</th>
                <th className="px-3 py-2">Setting</th>
                <th className="py-2 pl-3 pr-4">Change</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((r, i) => (
                <tr key={`${r.at}-${i}`} className={r.outcome === "success" ? undefined : "bg-red-50/40"}>
                  <td className="whitespace-nowrap py-2 pl-4 pr-3 text-slate-600">
                    <time dateTime={r.at}>{r.when}</time>
                  </td>
                  <td className="px-3 py-2 text-slate-700">{r.actor ?? "system"}</td>
                  <td className="px-3 py-2 text-slate-800">{r.label ?? "—"}</td>
                  <td className="py-2 pl-3 pr-4 text-slate-700">{r.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500" data-testid="settings-history-more">
            {rows.length >= HISTORY_LIMIT ? `The latest ${HISTORY_LIMIT} changes. ` : ""}
            Every change, filtered and paged:{" "}
            <a href={auditHref} className="font-medium text-brand hover:underline">
              the audit trail
            </a>
            .
          </p>
        </TableScroll>
      )}
    </section>
  );
}
