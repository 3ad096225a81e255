import type { Metadata } from "next";
import { AuditListView } from "@/components/audit/audit-list-view";
import { AuditRestricted } from "@/components/audit/audit-restricted";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { parseAuditFilters } from "@/lib/audit/list";
import { loadAuditPage } from "@/lib/audit/page";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { allProviderStaff, maskProviderActors, PROVIDER_STAFF, requestProviderMask } from "@/lib/branding/mask";
import { tenantPage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Audit trail" };

type Props = {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function TenantAudit(props: Props) {
  const { tenant: slug } = await props.params;
  const { filters, problems } = parseAuditFilters(await props.searchParams);
  const page = await tenantPage(slug, "/audit");
  // With this tenant active, RLS shows its rows and its sites' rows, to admins only; the PDP's
  // audit:view is asked on each of them (this tenant's must allow, or the page is refused).
  let view;
  try {
    // With "hide the MSSP's brand", the provider's staff are "Provider staff" here (lib/branding/mask.ts),
    // and the actor filter finds them by that label only, never by the email it hides.
    const mask = await requestProviderMask();
    const staff = filters.actor ? await allProviderStaff(mask) : undefined;
    const hidden = staff && staff.length > 0 ? { ids: staff, shownAs: PROVIDER_STAFF } : undefined;
    view = await page.run((tx) => loadAuditPage(tx, filters, page.tenant.id, hidden));
    if (mask && view.allowed) view = { ...view, events: { ...view.events, rows: await maskProviderActors(mask, view.events.rows, staff) } };
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  return (
    <>
      <PageHeader
        title="Audit trail"
        description={`Every change, every refused attempt and the sign-in and session events of ${page.tenant.name}'s people, newest first.`}
      />
      <Notice messages={problems} />
      {view.allowed ? (
        <AuditListView view={view} filters={filters} showTenant={view.tenantCount > 1} />
      ) : (
        <AuditRestricted denied={view.hiddenTenants > 0} />
      )}
    </>
  );
}
