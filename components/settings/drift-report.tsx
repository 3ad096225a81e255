// The drift report: which customers differ from the MSSP's own settings.
// The summary first (a bar per setting: how many customers differ, each a
// filter), then one page of the customers that differ × the settings they
// differ on, most differences first, with a search by name or slug. An MSSP
// runs a thousand customers: the page draws at most a page of rows.
// Receives data only.
import { Pager } from "@/components/ui/pager";
import { TableScroll } from "@/components/ui/table-scroll";
import { driftHref, type DriftQuery, type DriftReport } from "@/lib/settings/drift";
import { LockIcon } from "./source-badge";

const n = (x: number) => x.toLocaleString("en");

export function DriftReportView({ report, defaultsHref, customerHref }: { report: DriftReport; defaultsHref: string; customerHref: (slug: string) => string }) {
  const drifting = report.settings.filter((s) => s.differing > 0);
  const query = report.query;
  const filtered = drifting.find((s) => s.key === query.setting) ?? null;
  const max = Math.max(1, report.customers);
  const href = (q: Partial<DriftQuery>) => driftHref({ ...query, page: 1, ...q });
  return (
    <section className="space-y-6" aria-labelledby={`drift-${report.mssp.slug}`} data-testid={`drift-${report.mssp.slug}`}>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id={`drift-${report.mssp.slug}`} className="text-lg font-semibold text-slate-900">
            {report.mssp.name}
          </h2>
          <p className="text-sm text-slate-600" data-testid="drift-summary">
            {n(report.customers)} customer{report.customers === 1 ? "" : "s"} compared with {report.mssp.name}&apos;s own settings
            {report.hidden > 0 ? ` (${n(report.hidden)} you may not view left out)` : ""}. {n(report.customersWithDrift)}{" "}
            {report.customersWithDrift === 1 ? "differs" : "differ"}
            {drifting.length > 0 ? ` on ${drifting.length} setting${drifting.length === 1 ? "" : "s"}` : ""}.
          </p>
        </div>
        <a href={defaultsHref} className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
          {report.mssp.name} settings (the defaults)
        </a>
      </div>

      {drifting.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="drift-empty">
          <p className="text-sm font-medium text-slate-800">No drift: every customer runs on {report.mssp.name}&apos;s settings.</p>
          <p className="mt-1 text-sm text-slate-600">A customer that sets its own value for a setting shows up here, setting by setting.</p>
        </div>
      ) : (
        <>
          <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h3 className="text-sm font-semibold text-slate-700">Customers that differ, per setting</h3>
            <p className="mt-0.5 text-xs text-slate-600">Choose a setting to list only the customers that differ on it.</p>
            <ul className="mt-3 space-y-2" data-testid="drift-chart">
              {drifting.map((s) => (
                <li key={s.key} className="grid grid-cols-[minmax(0,14rem)_minmax(0,1fr)_4rem] items-center gap-3 text-sm">
                  <a
                    href={href({ setting: query.setting === s.key ? null : s.key })}
                    aria-current={query.setting === s.key ? "true" : undefined}
                    className={`truncate hover:underline ${query.setting === s.key ? "font-semibold text-slate-900" : "text-brand"}`}
                    title={`${s.groupLabel}: ${s.label} (default ${s.baseline})`}
                    data-testid={`drift-setting-${s.key}`}
                  >
                    {s.label}
                  </a>
                  <span className="h-3 rounded bg-slate-100" aria-hidden>
                    <span className="block h-3 rounded bg-brand" style={{ width: `${Math.max(2, (s.differing / max) * 100)}%` }} />
                  </span>
                  <span className="text-right font-medium tabular-nums text-slate-800" aria-label={`${s.differing} of ${report.customers} customers differ on ${s.label}`}>
                    {n(s.differing)}
                  </span>
                </li>
              ))}
            </ul>
          </div>

          <form method="get" action="/configuration" role="search" aria-label={`Find a customer of ${report.mssp.name}`} className="flex flex-wrap items-end gap-2">
            {query.setting && <input type="hidden" name="setting" value={query.setting} />}
            <label className="flex flex-col text-xs font-medium text-slate-600">
              Customer
              <input
                type="search"
                name="q"
                defaultValue={query.q ?? ""}
                maxLength={100}
                placeholder={`Name or slug (${n(report.customersWithDrift)} ${report.customersWithDrift === 1 ? "differs" : "differ"})`}
                className="mt-1 w-72 rounded-md border border-slate-300 px-2 py-1.5 text-sm text-slate-900"
                data-testid="drift-search"
              />
            </label>
            <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
              Find
            </button>
            {(query.q || query.setting) && (
              <a className="px-1 py-1.5 text-sm text-slate-600 underline" href={driftHref({})}>
                Clear the filters
              </a>
            )}
          </form>

          {report.rows.length === 0 ? (
            <div className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600" data-testid="drift-filter-empty">
              {query.setting && !filtered ? (
                <p>No customer differs from {report.mssp.name} on that setting. <a className="underline" href={href({ setting: null })}>Show every setting</a>.</p>
              ) : (
                <p>
                  No customer {query.q ? `matching “${query.q}” ` : ""}differs from {report.mssp.name}
                  {filtered ? ` on ${filtered.label}` : ""}. Check the spelling, or <a className="underline" href={driftHref({})}>clear the filters</a>
                  {query.q ? (
                    <>
                      ; a customer that runs on the defaults is not listed here: find it among{" "}
                      <a className="underline" href={`/customers?q=${encodeURIComponent(query.q)}`}>
                        the customers
                      </a>
                    </>
                  ) : null}
                  .
                </p>
              )}
            </div>
          ) : (
            <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
              <TableScroll label="Settings drift">
                <table className="min-w-full text-sm" data-testid="drift-matrix">
                  <caption className="sr-only">
                    Settings where each customer differs from {report.mssp.name}
                    {filtered ? `, customers that differ on ${filtered.label}` : ""}, most differences first
                  </caption>
                  <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-semibold text-slate-600">
                    <tr>
                      <th scope="col" className="py-2 pl-4 pr-3">
                        Customer
                      </th>
                      {drifting.map((s) => (
                        <th key={s.key} scope="col" className={`px-3 py-2 align-bottom ${s.key === query.setting ? "bg-amber-100" : ""}`}>
                          <span className="block text-slate-600">{s.groupLabel}</span>
                          {s.label}
                          <span className="block font-normal text-slate-600">default: {s.baseline}</span>
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {report.rows.map((c) => (
                      <tr key={c.slug} data-testid={`drift-row-${c.slug}`}>
                        <th scope="row" className="whitespace-nowrap py-2 pl-4 pr-3 text-left font-medium">
                          <a href={customerHref(c.slug)} className="text-brand hover:underline">
                            {c.name}
                          </a>
                          <span className="ml-1 text-xs font-normal text-slate-600">({c.count})</span>
                        </th>
                        {drifting.map((s) => {
                          const cell = c.cells[s.key];
                          return (
                            <td key={s.key} className={`px-3 py-2 ${cell ? "bg-amber-50 font-medium text-amber-900" : "text-slate-600"}`}>
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
              </TableScroll>
              <Pager
                total={report.matching}
                noun="customer"
                page={query.page}
                pageCount={report.pageCount}
                pageSize={report.pageSize}
                hrefFor={(page) => driftHref({ ...query, page })}
                testId="drift-pager"
              />
            </div>
          )}
        </>
      )}
    </section>
  );
}
