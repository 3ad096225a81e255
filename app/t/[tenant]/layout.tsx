import { AppShell } from "@/components/shell/app-shell";
import { tenantPage } from "@/lib/tenancy/page-context";
import { switcherLinks } from "@/lib/tenancy/switcher";

export default async function TenantLayout(props: { children: React.ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, "/");
  const links = await page.run((tx) => switcherLinks(tx.claims, slug));
  return (
    <AppShell
      area={page.tenant.name}
      scopeLabel={links.length > 1 ? page.tenant.name : undefined}
      nav={[
        { href: "/alerts", label: "Alerts" },
        { href: "/tenants", label: "My tenants" },
      ]}
      user={page.user}
      switcher={links}
    >
      {props.children}
    </AppShell>
  );
}
