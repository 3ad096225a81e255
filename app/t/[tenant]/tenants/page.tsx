import type { Metadata } from "next";
import { MyTenants } from "@/components/tenants/my-tenants";
import { PageHeader } from "@/components/ui/page-header";
import { tenantPage } from "@/lib/tenancy/page-context";
import { switcherLinks } from "@/lib/tenancy/switcher";

export const metadata: Metadata = { title: "My tenants" };

export default async function TenantMyTenants(props: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/tenants");
  const links = await switcherLinks(await page.run(async (tx) => tx.claims), slug);
  return (
    <>
      <PageHeader title="My tenants" description="Every portal you can open, with your role in it." />
      <MyTenants links={links} />
    </>
  );
}
