// The dashboard's pickers: a plain GET form (the URL is the state; works
// without JavaScript), quick range links, and the way back up the tree. The
// scope is a list of the subtree, indented by depth, up to TENANT_SELECT_UP_TO
// tenants; past that a customer's or site's name or slug typed
// (loadDashboard resolves it; several matches are offered as links).
import { TenantMatches, typedTenantPlaceholder } from "@/components/tenants/tenant-filter";
import type { DashboardData } from "@/lib/analytics/dashboard";
import { dashboardHref, METRIC_LABELS, presetDays, RANGE_LABELS, RANGE_PRESETS, TREND_METRICS, type TypedRange } from "@/lib/analytics/range";
import { RangeSync } from "./range-sync";
import { typedPastList, typedValueOf } from "@/lib/tenancy/tenant-filter";

const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900";

export function DashboardFilters({ data, allLabel, typed = null }: { data: DashboardData; allLabel: string; typed?: TypedRange | null }) {
  const q = data.query;
  const pickable = data.options.filter((o) => o.id !== data.top?.id && o.kind !== "mssp");
  const chosen = data.scope && data.scope.id !== data.top?.id ? data.scope : null;
  return (
    <section aria-label="Dashboard filters" className="mb-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <form method="get" action="/dashboard" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6" data-testid="dashboard-filters">
        <label className="text-sm font-medium text-slate-700 lg:col-span-2">
          Scope
          {typedPastList(pickable.length) ? (
            <input
              type="search"
              name="scope"
              defaultValue={data.scopeTyped ?? (chosen ? typedValueOf(pickable, chosen) : "")}
              maxLength={100}
              placeholder={`${typedTenantPlaceholder(pickable.length, "customers and sites")}; empty: ${allLabel}`}
              className={field}
              data-testid="scope-picker"
            />
          ) : (
            <select name="scope" defaultValue={chosen?.slug ?? ""} className={field} data-testid="scope-picker">
              <option value="">{allLabel}</option>
              {pickable.map((o) => (
                <option key={o.id} value={o.slug}>
                  {`${"\u00a0\u00a0".repeat(Math.max(0, o.depth - 1))}${o.name}${o.kind === "site" ? " (site)" : ""}`}
                </option>
              ))}
            </select>
          )}
        </label>
        <label className="text-sm font-medium text-slate-700">
          Time range
          <select name="range" defaultValue={typed ? "custom" : q.range} className={field} data-testid="range-picker">
            {RANGE_PRESETS.map((r) => (
              <option key={r} value={r}>
                {RANGE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          From (custom)
          <input type="date" name="from" defaultValue={typed ? typed.from : q.from} className={field} data-testid="range-from" />
        </label>
        <label className="text-sm font-medium text-slate-700">
          To (custom)
          <input type="date" name="to" defaultValue={typed ? typed.to : q.to} className={field} data-testid="range-to" />
        </label>
        <RangeSync picker="range" custom="custom" presetDays={presetDays()} />
        <label className="text-sm font-medium text-slate-700">
          Trend shows
          <select name="metric" defaultValue={q.metric} className={field} data-testid="metric-picker">
            {TREND_METRICS.map((m) => (
              <option key={m} value={m}>
                {METRIC_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        <div className="flex flex-wrap items-center gap-2 sm:col-span-2 lg:col-span-6">
          <button type="submit" className="rounded-md bg-brand px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-dark" data-testid="dashboard-apply">
            Apply
          </button>
          <span className="text-sm text-slate-600">Quick:</span>
          {(["7d", "30d", "90d"] as const).map((r) => (
            <a
              key={r}
              href={dashboardHref({ ...q, range: r })}
              aria-current={q.range === r ? "true" : undefined}
              className={`rounded-full border px-3 py-0.5 text-sm ${q.range === r ? "border-brand bg-indigo-50 font-medium text-brand-dark" : "border-slate-300 text-slate-700 hover:bg-slate-50"}`}
            >
              {r.replace("d", " days")}
            </a>
          ))}
          <span className="text-sm text-slate-600">
            {q.from} to {q.to} (UTC days)
          </span>
        </div>
      </form>
      <TenantMatches
        typed={data.scopeTyped ?? undefined}
        found={data.scopeMatches}
        what="alerts"
        hrefFor={(slug) => dashboardHref({ ...q, scope: slug ?? null })}
        className="mt-3"
      />
      {(data.trail.length > 0 || (data.scope && data.scope.id !== data.top?.id)) && (
        <nav aria-label="Scope" className="mt-3 flex flex-wrap items-center gap-1 text-sm" data-testid="scope-trail">
          <a href={dashboardHref({ ...q, scope: null })} className="font-medium text-brand-dark hover:underline">
            {allLabel}
          </a>
          {data.trail
            .filter((t) => t.id !== data.top?.id && t.kind !== "mssp")
            .map((t) => (
              <span key={t.id}>
                <span aria-hidden="true" className="text-slate-500">
                  {" / "}
                </span>
                <a href={dashboardHref({ ...q, scope: t.slug })} className="font-medium text-brand-dark hover:underline">
                  {t.name}
                </a>
              </span>
            ))}
          {data.scope && data.scope.id !== data.top?.id && (
            <span>
              <span aria-hidden="true" className="text-slate-500">
                {" / "}
              </span>
              <span className="font-semibold text-slate-900" aria-current="page">
                {data.scope.name}
              </span>
            </span>
          )}
        </nav>
      )}
    </section>
  );
}
