import { BackToCustomers } from "@/components/lifecycle/back-to-customers";
import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { ImportLegacy } from "@/components/lifecycle/archive/import-legacy";
import { PageHeader } from "@/components/ui/page-header";
import { importTargets } from "@/lib/lifecycle/web/access";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { typedPastList } from "@/lib/tenancy/tenant-filter";

export const metadata: Metadata = { title: "Import a legacy install" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleImportLegacy(props: Props) {
  const requested = (await props.searchParams).tenant;
  const page = await consolePage("/customers/import");
  // MSSP staff only; the PDP decides which tenants can take an import (tenants:provision).
  const data = await page.run(async (tx) => (isOperator(tx) ? importTargets(tx) : null));
  if (!data) forbidden();
  // Past TENANT_SELECT_UP_TO the tenant is typed: the list is not sent to the browser.
  const targets = typedPastList(data.choices.length) ? [] : data.choices.map((c) => ({ slug: c.slug, name: c.name, kind: c.kind, depth: c.depth, status: c.status }));
  const initial = typeof requested === "string" && data.choices.some((t) => t.slug === requested) ? requested : "";
  return (
    <>
      <BackToCustomers />
      <PageHeader
        title="Import a legacy install"
        description="Users, assets and alerts of a single-tenant install, from its CSV or JSON export, into a customer or site. Try a dry run first."
      />
      <ImportLegacy targets={targets} targetCount={data.choices.length} initialTenant={initial} pdpUnavailable={data.pdpUnavailable} />
    </>
  );
}
