// The audit trail's list, the same on the console and a tenant's host: the
// filters, what ?tenant= matched when it names no tenant or several, how many
// tenants the PDP left out (audit:view denied there), and the table.
import { TenantMatches } from "@/components/tenants/tenant-filter";
import { auditListHref, type AuditFilters } from "@/lib/audit/list";
import type { AuditPageView } from "@/lib/audit/page";
import { tenantNamed } from "@/lib/tenancy/tenant-filter";
import { AuditFiltersForm } from "./audit-filters";
import { AuditTable } from "./audit-table";

/** `view.timeZone`: the zone the times are shown in (lib/audit/page.ts). */
export function AuditListView({ view, filters, showTenant }: { view: AuditPageView; filters: AuditFilters; showTenant: boolean }) {
  return (
    <>
      <div className="mb-4 space-y-4">
        <TenantMatches typed={filters.tenant} found={view.tenantFilter} what="audit events" hrefFor={(tenant) => auditListHref(filters, { tenant })} />
        <AuditFiltersForm filters={filters} timeZone={view.timeZone} tenants={view} />
        {view.hiddenTenants > 0 && (
          <p className="text-sm text-slate-500" role="status" data-testid="audit-hidden-tenants">
            {view.hiddenTenants === 1
              ? "1 tenant left out: you may not read its audit trail (audit:view)."
              : `${view.hiddenTenants.toLocaleString("en")} tenants left out: you may not read their audit trails (audit:view).`}
          </p>
        )}
      </div>
      {/* While ?tenant= names no tenant or several, the notice above is the answer, not an empty table. */}
      {tenantNamed(view.tenantFilter) && <AuditTable page={view.events} filters={filters} showTenant={showTenant} timeZone={view.timeZone} />}
    </>
  );
}
