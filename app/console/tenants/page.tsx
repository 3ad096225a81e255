import type { Metadata } from "next";
import { MyTenants } from "@/components/tenants/my-tenants";
import { PageHeader } from "@/components/ui/page-header";
import { consolePage } from "@/lib/tenancy/page-context";
import { switcherLinks } from "@/lib/tenancy/switcher";

export const metadata: Metadata = { title: "My tenants" };

export default async function ConsoleMyTenants() {
  const page = await consolePage("/tenants");
  const links = await switcherLinks(await page.run(async (tx) => tx.claims), null);
  return (
    <>
      <PageHeader title="My tenants" description="Every portal you can open, with your role in it." />
      <MyTenants links={links} />
    </>
  );
}
