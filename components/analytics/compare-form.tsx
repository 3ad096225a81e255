// The comparison's choices, as one GET form (the URL is the state): customers
// (chosen ones stay ticked; a search lists more to tick), or a peer group,
// the range and the metrics.
import type { ComparisonData } from "@/lib/analytics/compare";
import { COMPARE_METRICS, METRIC_DEFINITIONS } from "@/lib/analytics/compare-metrics";
import { groupParam, MAX_COMPARED, RANGE_PRESETS, type CompareQuery } from "@/lib/analytics/compare-query";
import type { TypedRange } from "@/lib/analytics/range";
import { RangeSync } from "./range-sync";

const box = "rounded-lg border border-slate-200 bg-white p-4";
const legend = "text-sm font-semibold text-slate-800";

/** `typed`: days the page refused, shown again to be corrected (the preset picker is left empty then). */
export function CompareForm({ data, query, typed = null }: { data: ComparisonData; query: CompareQuery; typed?: TypedRange | null }) {
  const chosen = query.group ? [] : data.rows.map((r) => ({ slug: r.slug, name: r.name }));
  return (
    <form method="get" action="/compare" className="mb-6 grid gap-4 lg:grid-cols-2" data-testid="compare-form">
      <fieldset className={box}>
        <legend className={legend}>Customers (up to {MAX_COMPARED})</legend>
        {chosen.length > 0 && (
          <ul className="mt-2 flex flex-wrap gap-2" aria-label="Chosen customers">
            {chosen.map((c) => (
              <li key={c.slug}>
                <label className="inline-flex items-center gap-1.5 rounded-full border border-indigo-200 bg-indigo-50 px-3 py-1 text-sm text-indigo-900">
                  <input type="checkbox" name="c" value={c.slug} defaultChecked /> {c.name}
                </label>
              </li>
            ))}
          </ul>
        )}
        <div className="mt-3 flex flex-wrap gap-2">
          <label className="sr-only" htmlFor="compare-q">
            Find customers
          </label>
          <input id="compare-q" name="q" defaultValue={query.q ?? ""} placeholder="Find customers" className="w-full min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-1.5 text-sm sm:w-56" />
          <button className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100" name="find" value="1">
            Find
          </button>
        </div>
        {data.candidates.length > 0 ? (
          <ul className="mt-2 grid max-h-48 grid-cols-1 gap-1 overflow-y-auto sm:grid-cols-2" aria-label="Customers to add" tabIndex={0}>
            {data.candidates.map((c) => (
              <li key={c.slug}>
                <label className="flex items-center gap-2 text-sm text-slate-700">
                  <input type="checkbox" name="c" value={c.slug} /> {c.name}
                </label>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">{query.q ? "No other customer matches that search." : "Every customer you may compare is chosen."}</p>
        )}
      </fieldset>

      <div className="grid gap-4">
        <fieldset className={box}>
          <legend className={legend}>Or a peer group</legend>
          <label className="mt-2 block text-sm text-slate-700" htmlFor="compare-group">
            Compare every customer in
          </label>
          <select id="compare-group" name="group" defaultValue={groupParam(query.group) ?? ""} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm">
            <option value="">— no group: the customers chosen —</option>
            {data.plans.length > 0 && (
              <optgroup label="Plan">
                {data.plans.map((p) => (
                  <option key={p.id} value={`plan:${p.id}`}>
                    {p.name}
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label="Size">
              {data.bands.map((b) => (
                <option key={b.value} value={`size:${b.value}`}>
                  {b.label} ({b.count})
                </option>
              ))}
            </optgroup>
            {data.industries.length > 0 && (
              <optgroup label="Industry">
                {data.industries.map((i) => (
                  <option key={i.value} value={`industry:${i.value}`}>
                    {i.label} ({i.count})
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </fieldset>

        <fieldset className={box}>
          <legend className={legend}>Range (UTC days)</legend>
          <div className="mt-2 flex flex-wrap items-end gap-3 text-sm">
            <label className="flex flex-col text-slate-700">
              Last
              <select name="days" defaultValue={typed ? "" : String(query.range.preset ?? "")} className="mt-1 rounded-md border border-slate-300 px-2 py-1.5">
                <option value="">custom (the days beside)</option>
                {RANGE_PRESETS.map((d) => (
                  <option key={d} value={d}>
                    {d} days
                  </option>
                ))}
              </select>
            </label>
            <label className="flex flex-col text-slate-700">
              or from
              <input type="date" name="from" defaultValue={typed ? typed.from : query.range.preset === null ? query.range.from : ""} className="mt-1 rounded-md border border-slate-300 px-2 py-1" />
            </label>
            <label className="flex flex-col text-slate-700">
              to
              <input type="date" name="to" defaultValue={typed ? typed.to : query.range.preset === null ? query.range.to : ""} className="mt-1 rounded-md border border-slate-300 px-2 py-1" />
            </label>
            <RangeSync picker="days" custom="" />
          </div>
        </fieldset>
      </div>

      <fieldset className={`${box} lg:col-span-2`}>
        <legend className={legend}>Metrics</legend>
        <div className="mt-2 flex flex-wrap gap-x-5 gap-y-2">
          {COMPARE_METRICS.map((m) => (
            <label key={m} className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" name="m" value={m} defaultChecked={query.metrics.includes(m)} /> {METRIC_DEFINITIONS[m].label}
            </label>
          ))}
        </div>
        <button className="mt-4 rounded-md bg-brand px-4 py-2 text-sm font-medium text-white hover:bg-brand-dark">Compare</button>
      </fieldset>
    </form>
  );
}
