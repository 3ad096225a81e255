import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuditListView } from "@/components/audit/audit-list-view";
import { AuditRestricted } from "@/components/audit/audit-restricted";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { parseAuditFilters } from "@/lib/audit/list";
import { loadAuditPage } from "@/lib/audit/page";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Audit trail" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleAudit(props: Props) {
  const { filters, problems } = parseAuditFilters(await props.searchParams);
  const page = await consolePage("/audit");
  let view;
  try {
    view = await page.run(async (tx) => {
      if (!isOperator(tx)) return null;
      // RLS limits the rows to the subtrees the caller administers (every MSSP they hold a role in);
      // the PDP's audit:view is asked per tenant there, not once for the first MSSP.
      return loadAuditPage(tx, filters, null);
    });
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!view) redirect("/tenants");
  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every change, every refused attempt and every sign-in and session event across the tenants you operate, newest first. Rows are append-only and hash-chained per tenant."
      />
      <Notice messages={problems} />
      {view.allowed ? (
        <AuditListView view={view} filters={filters} showTenant />
      ) : (
        <AuditRestricted denied={view.hiddenTenants > 0} />
      )}
    </>
  );
}
