// The drift report: which customers differ from the MSSP's own settings.
// A bar per setting (how many customers differ), then a matrix of the
// customers that differ × the settings they differ on. Receives data only.
import type { DriftReport } from "@/lib/settings/drift";
import { LockIcon } from "./source-badge";

export function DriftReportView({ report, defaultsHref, customerHref }: { report: DriftReport; defaultsHref: string; customerHref: (slug: string) => string }) {
  const drifting = report.settings.filter((s) => s.differing.length > 0);
  const max = Math.max(1, report.customers);
  return (
    <section className="space-y-6" aria-labelledby={`drift-${report.mssp.slug}`} data-testid={`drift-${report.mssp.slug}`}>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={`drift-${report.mssp.slug}`} className="text-lg font-semibold text-slate-900">
            {report.mssp.name}
          </h2>
          <p className="text-sm text-slate-500">
            {report.customers} customer{report.customers === 1 ? "" : "s"} compared with {report.mssp.name}&apos;s own settings
            {report.hidden > 0 ? ` (${report.hidden} you may not view left out)` : ""}. {report.customersWithDrift.length}{" "}
            {report.customersWithDrift.length === 1 ? "differs" : "differ"}.
          </p>
        </div>
        <a href={defaultsHref} className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
          {report.mssp.name} settings (the defaults)
        </a>
      </div>

      {drifting.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="drift-empty">
          <p className="text-sm font-medium text-slate-800">No drift: every customer runs on {report.mssp.name}&apos;s settings.</p>
          <p className="mt-1 text-sm text-slate-500">A customer that sets its own value for a setting shows up here, setting by setting.</p>
        </div>
      ) : (
        <>
          <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h3 className="text-sm font-semibold text-slate-700">Customers that differ, per setting</h3>
            <ul className="mt-3 space-y-2" data-testid="drift-chart">
              {drifting.map((s) => (
                <li key={s.key} className="grid grid-cols-[minmax(0,14rem)_minmax(0,1fr)_3rem] items-center gap-3 text-sm">
                  <span className="truncate text-slate-700" title={`${s.groupLabel}: ${s.label}`}>
                    {s.label}
                  </span>
                  <span className="h-3 rounded bg-slate-100" aria-hidden>
                    <span className="block h-3 rounded bg-brand" style={{ width: `${Math.max(2, (s.differing.length / max) * 100)}%` }} />
                  </span>
                  <span className="text-right font-medium text-slate-800" aria-label={`${s.differing.length} of ${report.customers} customers differ on ${s.label}`}>
                    {s.differing.length}
                  </span>
                </li>
              ))}
            </ul>
          </div>

          <div role="region" aria-label="Settings drift" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-brand">
            <table className="min-w-full text-sm" data-testid="drift-matrix">
              <caption className="sr-only">Settings where each customer differs from {report.mssp.name}</caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-semibold text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pl-4 pr-3">
                    Customer
                  </th>
                  {drifting.map((s) => (
                    <th key={s.key} scope="col" className="px-3 py-2 align-bottom">
                      <span className="block text-slate-500">{s.groupLabel}</span>
                      {s.label}
                      <span className="block font-normal text-slate-500">default: {s.baseline}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {report.customersWithDrift.map((c) => (
                  <tr key={c.slug} data-testid={`drift-row-${c.slug}`}>
                    <th scope="row" className="whitespace-nowrap py-2 pl-4 pr-3 text-left font-medium">
                      <a href={customerHref(c.slug)} className="text-brand hover:underline">
                        {c.name}
                      </a>
                      <span className="ml-1 text-xs font-normal text-slate-500">({c.count})</span>
                    </th>
                    {drifting.map((s) => {
                      const cell = s.differing.find((d) => d.slug === c.slug);
                      return (
                        <td key={s.key} className={`px-3 py-2 ${cell ? "bg-amber-50 font-medium text-amber-900" : "text-slate-500"}`}>
                          {cell ? (
                            <>
                              {cell.display}
                              {cell.locked && (
                                <span className="ml-1 inline-flex align-middle" title="Locked for its sites">
                                  <LockIcon />
                                </span>
                              )}
                            </>
                          ) : (
                            <span aria-label="same as the default">·</span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
