import type { Metadata } from "next";
import { forbidden, redirect } from "next/navigation";
import { CredentialsPage } from "@/components/credentials/credentials-page";
import { loadCredentialsPageFor } from "@/lib/credentials/page-data";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { tenantSlugSchema } from "@/lib/tenancy/slug";

export const metadata: Metadata = { title: "Manage credentials" };

/**
 * One tenant's credentials, managed from the console (?tenant=<slug>, from the
 * overview's Manage/View links): an MSSP operator stays signed in here instead
 * of signing in again on the customer's portal, and the MSSP's own credentials
 * have a page too. Same panel, actions and checks as the tenant portal's page.
 */
export default async function ConsoleManageCredentials(props: { searchParams: Promise<{ tenant?: string | string[] }> }) {
  const { tenant } = await props.searchParams;
  const slug = tenantSlugSchema.safeParse(tenant);
  // Without a tenant (or with one that is not even a slug) there is nothing to manage: the overview is where one is picked.
  if (!slug.success) redirect("/credentials");
  const page = await consolePage(`/credentials/manage?tenant=${slug.data}`);
  return (
    <CredentialsPage
      run={(fn) => page.run((tx) => (isOperator(tx) ? fn(tx) : forbidden()))}
      load={(tx) => loadCredentialsPageFor(tx, slug.data)}
      backHref="/credentials"
    />
  );
}
