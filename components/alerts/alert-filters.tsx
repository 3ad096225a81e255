// A plain GET form: works without JavaScript, and the URL is the state, so a
// filtered view can be bookmarked or shared with a colleague.
import { ALERT_STATUSES, SEVERITIES } from "@/drizzle/schema";
import type { AlertFilters } from "@/lib/alerts/list";
import { statusLabel } from "./severity-badge";

export function AlertFiltersForm(props: { filters: AlertFilters; tenants?: { slug: string; name: string }[] }) {
  const select = "rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus:border-brand focus:outline-none";
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter alerts">
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
        Severity
        <select name="severity" defaultValue={props.filters.severity ?? ""} className={select}>
          <option value="">All severities</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s} className="capitalize">
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
        Status
        <select name="status" defaultValue={props.filters.status ?? ""} className={select}>
          <option value="">All statuses</option>
          {ALERT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      {props.tenants && props.tenants.length > 1 && (
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Tenant
          <select name="tenant" defaultValue={props.filters.tenant ?? ""} className={select}>
            <option value="">All tenants</option>
            {props.tenants.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" className="rounded-lg bg-brand px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-dark">
        Apply
      </button>
      <a href="?" className="px-2 py-1.5 text-sm text-slate-500 hover:text-slate-800">
        Clear
      </a>
    </form>
  );
}
