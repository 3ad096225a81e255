// A plain GET form: works without JavaScript, and the URL is the state, so a
// filtered view can be bookmarked, saved or shared with a colleague.
import type { Assignee } from "@/lib/alerts/detail";
import { ALERT_SORTS, SORT_LABELS, STATUS_FILTERS, type AlertFilters } from "@/lib/alerts/list";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import type { TenantFilterState } from "@/lib/tenancy/tenant-filter";
import { TenantFilterField } from "@/components/tenants/tenant-filter";
import { statusLabel } from "./severity-badge";

const input = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand focus:outline-none";
const label = "flex flex-col gap-1 text-xs font-medium text-slate-600";

export function AlertFiltersForm(props: {
  filters: AlertFilters;
  /** The zone the days are days of: the one the rows' times are shown in. */
  timeZone: string;
  tenants?: TenantFilterState;
  assignees?: Assignee[];
  groups?: { id: string; name: string }[];
}) {
  const f = props.filters;
  return (
    <form method="get" className="grid grid-cols-2 gap-3 sm:flex sm:flex-wrap sm:items-end" aria-label="Filter alerts">
      <label className={`${label} col-span-2 sm:w-64`}>
        Search
        <input type="search" name="q" defaultValue={f.q ?? ""} maxLength={100} placeholder='e.g. powershell -test, "brute force"' className={input} />
      </label>
      <label className={label}>
        Severity
        <select name="severity" defaultValue={f.severity ?? ""} className={input}>
          <option value="">All severities</option>
          {ALERT_SEVERITIES.map((s) => (
            <option key={s} value={s} className="capitalize">
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Status
        <select name="status" defaultValue={f.status ?? ""} className={input}>
          <option value="">All statuses</option>
          {STATUS_FILTERS.map((s) => (
            <option key={s} value={s}>
              {s === "open" ? "Open (not closed)" : statusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Assignee
        <select name="assignee" defaultValue={f.assignee ?? ""} className={input}>
          <option value="">Anyone</option>
          <option value="me">Assigned to me</option>
          <option value="none">Unassigned</option>
          {props.assignees?.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name || a.email}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Group
        <select name="group" defaultValue={f.group ?? ""} className={input}>
          <option value="">Any group</option>
          <option value="mine">Assigned to my groups</option>
          <option value="none">No group</option>
          {props.groups?.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
      {props.tenants && (
        <TenantFilterField typed={f.tenant} state={props.tenants} labelClassName={label} textLabelClassName={`${label} col-span-2 sm:w-60`} fieldClassName={input} />
      )}
      <label className={label}>
        Detected from ({props.timeZone})
        <input type="date" name="from" defaultValue={f.from ?? ""} className={input} />
      </label>
      <label className={label}>
        to
        <input type="date" name="to" defaultValue={f.to ?? ""} className={input} />
      </label>
      <label className={label}>
        Sort
        <select name="sort" defaultValue={f.sort ?? "newest"} className={input}>
          {ALERT_SORTS.map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <div className="col-span-2 flex items-center gap-2">
        <button type="submit" className="rounded-lg bg-brand px-4 py-2 text-sm font-medium text-white hover:bg-brand-dark">
          Apply
        </button>
        <a href="?" className="px-2 py-2 text-sm text-slate-600 hover:text-slate-900">
          Clear
        </a>
      </div>
    </form>
  );
}
