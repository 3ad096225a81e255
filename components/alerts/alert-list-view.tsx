// The alert list page body, the same on the console and a tenant's host.
import { Notice } from "@/components/ui/page-header";
import { alertListHref, type AlertFilters } from "@/lib/alerts/list";
import type { AlertListPage } from "@/lib/alerts/page-data";
import { AlertFiltersForm } from "./alert-filters";
import { AlertTable } from "./alert-table";
import { BulkBar } from "./bulk-bar";
import { SavedFilters } from "./saved-filters";
import { TenantMatches } from "@/components/tenants/tenant-filter";
import { tenantNamed } from "@/lib/tenancy/tenant-filter";

/** Tenants below the filtered one named as links; past this many, a count. */
const BELOW_SHOWN = 8;

export function AlertListView(props: { data: AlertListPage; filters: AlertFilters; problems: string[]; showTenant: boolean }) {
  const { data, filters } = props;
  const bulk = data.canBulk && data.alerts.rows.some((r) => r.selectable);
  const listed = tenantNamed(data.tenantFilter);
  return (
    <div className="space-y-4">
      <Notice messages={props.problems} />
      <TenantMatches typed={filters.tenant} found={data.tenantFilter} what="alerts" hrefFor={(tenant) => alertListHref(filters, { tenant })} />
      <AlertFiltersForm filters={filters} timeZone={data.timeZone} tenants={data} assignees={data.assignees} groups={data.groups} />
      {listed && data.tenantFilter?.chosen && data.filterBelow.length > 0 && (
        <p className="text-sm text-slate-700" data-testid="tenant-filter-below">
          {data.tenantFilter.chosen.name}&apos;s own alerts only. Below it, each on its own:{" "}
          {data.filterBelow.slice(0, BELOW_SHOWN).map((t, i) => (
            <span key={t.slug}>
              {i > 0 && ", "}
              <a href={alertListHref(filters, { tenant: t.slug })} className="font-medium text-brand-dark hover:underline">
                {t.name}
              </a>
            </span>
          ))}
          {data.filterBelow.length > BELOW_SHOWN ? ` and ${data.filterBelow.length - BELOW_SHOWN} more (in the Tenant filter).` : "."}
        </p>
      )}
      <SavedFilters tenantId={data.scopeTenantId} filters={data.savedFilters} currentQuery={alertListHref(filters)} />
      {/* While ?tenant= names no tenant or several, the notice above is the answer, not an empty table. */}
      {listed && bulk && <BulkBar tenantId={data.scopeTenantId} assignees={data.assignees} />}
      {listed && <AlertTable page={data.alerts} filters={filters} showTenant={props.showTenant} bulk={bulk} timeZone={data.timeZone} />}
    </div>
  );
}
