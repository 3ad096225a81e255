// A plain GET form: works without JavaScript, and the URL is the state, so a
// filtered view of the audit trail can be bookmarked or attached to a ticket.
import { AUDIT_OUTCOMES } from "@/drizzle/schema";
import type { AuditFilters } from "@/lib/audit/list";
import type { TenantFilterState } from "@/lib/tenancy/tenant-filter";
import { TenantFilterField } from "@/components/tenants/tenant-filter";

const KIND_LABELS = { auth: "Sign-in and sessions", changes: "Changes and refusals" } as const;
import { outcomeLabel } from "./outcome-badge";

/** `timeZone`: the zone the days are days of, the one the rows' times are shown in. */
export function AuditFiltersForm(props: { filters: AuditFilters; timeZone: string; tenants?: TenantFilterState }) {
  const field =
    "rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus:border-brand focus:outline-none";
  const label = "flex flex-col gap-1 text-xs font-medium text-slate-600";
  const f = props.filters;
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter audit events">
      <label className={label}>
        Events
        <select name="kind" defaultValue={f.kind ?? ""} className={field}>
          <option value="">All events</option>
          {(Object.keys(KIND_LABELS) as (keyof typeof KIND_LABELS)[]).map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Action
        <input name="action" defaultValue={f.action ?? ""} placeholder="e.g. team:invite, or team" className={`${field} w-44`} />
      </label>
      <label className={label}>
        Outcome
        <select name="outcome" defaultValue={f.outcome ?? ""} className={field}>
          <option value="">All outcomes</option>
          {AUDIT_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {outcomeLabel(o)}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Actor email
        <input name="actor" type="search" defaultValue={f.actor ?? ""} placeholder="name@example.com" className={`${field} w-52`} />
      </label>
      <label className={label}>
        From ({props.timeZone})
        <input name="from" type="date" defaultValue={f.from ?? ""} className={field} />
      </label>
      <label className={label}>
        To ({props.timeZone})
        <input name="to" type="date" defaultValue={f.to ?? ""} className={field} />
      </label>
      {props.tenants && <TenantFilterField typed={f.tenant} state={props.tenants} labelClassName={label} fieldClassName={`${field} w-60 max-w-full`} />}
      <button type="submit" className="rounded-lg bg-brand px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-dark">
        Apply
      </button>
      <a href="?" className="px-2 py-1.5 text-sm text-slate-500 hover:text-slate-800">
        Clear
      </a>
    </form>
  );
}
