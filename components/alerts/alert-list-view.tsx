// The alert list page body, the same on the console and a tenant's host.
import { Notice } from "@/components/ui/page-header";
import { alertListHref, type AlertFilters } from "@/lib/alerts/list";
import type { AlertListPage } from "@/lib/alerts/page-data";
import { AlertFiltersForm } from "./alert-filters";
import { AlertTable } from "./alert-table";
import { BulkBar } from "./bulk-bar";
import { SavedFilters } from "./saved-filters";

export function AlertListView(props: { data: AlertListPage; filters: AlertFilters; problems: string[]; showTenant: boolean }) {
  const { data, filters } = props;
  const bulk = data.canBulk && data.alerts.rows.some((r) => r.selectable);
  const tenantNamed = !data.tenantFilter || data.tenantFilter.chosen !== null;
  return (
    <div className="space-y-4">
      <Notice messages={props.problems} />
      <TenantMatches data={data} filters={filters} />
      <AlertFiltersForm filters={filters} tenants={data} assignees={data.assignees} groups={data.groups} />
      <SavedFilters tenantId={data.scopeTenantId} filters={data.savedFilters} currentQuery={alertListHref(filters)} />
      {/* While ?tenant= names no tenant or several, the notice above is the answer, not an empty table. */}
      {tenantNamed && bulk && <BulkBar tenantId={data.scopeTenantId} assignees={data.assignees} />}
      {tenantNamed && <AlertTable page={data.alerts} filters={filters} showTenant={props.showTenant} bulk={bulk} />}
    </div>
  );
}

/** When ?tenant= names no tenant or several: say so, and offer the ones it matches. */
function TenantMatches({ data, filters }: { data: AlertListPage; filters: AlertFilters }) {
  const found = data.tenantFilter;
  if (!found || found.chosen) return null;
  return (
    <div role="status" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="tenant-matches">
      {found.matchCount === 0 ? (
        <p>
          No tenant you may read alerts of is called “{filters.tenant}”. Check the spelling, or <a href={alertListHref(filters, { tenant: undefined })} className="font-medium underline">show every tenant’s alerts</a>.
        </p>
      ) : (
        <>
          <p>
            “{filters.tenant}” matches {found.matchCount.toLocaleString("en")} tenants{found.matchCount > found.matches.length ? ` (the first ${found.matches.length} by name below; type more of the name to narrow it)` : ""}. Choose one:
          </p>
          <ul className="mt-2 flex flex-wrap gap-2">
            {found.matches.map((t) => (
              <li key={t.slug}>
                <a href={alertListHref(filters, { tenant: t.slug })} className="inline-block rounded-full border border-amber-300 bg-white px-3 py-1 font-medium hover:bg-amber-100">
                  {t.name}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
