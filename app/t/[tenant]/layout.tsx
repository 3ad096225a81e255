import { requestBrand, shellBrand } from "@/lib/branding/resolve";
import { AppShell } from "@/components/shell/app-shell";
import { featureEnabled } from "@/lib/settings/enforce";
import { navPermissions } from "@/lib/tenancy/nav-permissions";
import { tenantPage } from "@/lib/tenancy/page-context";
import { switcherLinks } from "@/lib/tenancy/switcher";
import { requestedPath } from "@/lib/tenancy/requested-path";

export default async function TenantLayout(props: { children: React.ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await props.params;
  const page = await tenantPage(slug, await requestedPath());
  const { claims, can, workflows } = await page.read(async (tx) => ({
    claims: tx.claims,
    // The host's tenant as the PDP's resource: tenantPage's check has just proved a membership covers it.
    can: await navPermissions(tx, page.tenant),
    workflows: await featureEnabled(tx, page.tenant.id, "features.workflows"),
  }));
  // After the transaction: a link may look up a custom domain on its own connection (lib/domains),
  // and waiting for a second pooled connection while holding one can starve the pool under load.
  const links = await switcherLinks(claims, slug);
  return (
    <AppShell
      area={page.tenant.name}
      scopeLabel={links.length > 1 ? page.tenant.name : undefined}
      nav={[
        { href: "/dashboard", label: "Dashboard" },
        { href: "/alerts", label: "Alerts" },
        ...(can["credentials:view"] ? [{ href: "/credentials", label: "Credentials" }] : []),
        ...(can["settings:view"] && workflows ? [{ href: "/workflows", label: "Workflows" }] : []),
        ...(can["users:manage"] ? [{ href: "/team", label: "Team" }] : []),
        ...(can["apikeys:manage"] ? [{ href: "/api-keys", label: "API keys" }] : []),
        ...(can["domains:manage"] ? [{ href: "/domains", label: "Domains" }] : []),
        ...(can["alerts:triage"] ? [{ href: "/status", label: "Status" }] : []),
        ...(can["benchmark:view"] ? [{ href: "/benchmark", label: "Benchmark" }] : []),
        ...(can["reports:export"] ? [{ href: "/reports", label: "Reports" }] : []),
        ...(can["billing:view"] ? [{ href: "/usage", label: "Usage" }, { href: "/billing", label: "Billing" }] : []),
        ...(can["audit:view"] ? [{ href: "/audit", label: "Audit" }] : []),
        ...(can["settings:view"] ? [{ href: "/settings", label: "Settings" }] : []),
        { href: "/tenants", label: "My tenants" },
      ]}
      user={page.user}
      switcher={links}
      brand={shellBrand(await requestBrand())}
    >
      {props.children}
    </AppShell>
  );
}
