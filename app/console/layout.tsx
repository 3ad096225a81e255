import { requestBrand, shellBrand } from "@/lib/branding/resolve";
import { AppShell } from "@/components/shell/app-shell";
import { navPermissions } from "@/lib/tenancy/nav-permissions";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { switcherLinks } from "@/lib/tenancy/switcher";
import { requestedPath } from "@/lib/tenancy/requested-path";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const page = await consolePage(await requestedPath());
  const { operator, claims, can } = await page.read(async (tx) => ({
    operator: isOperator(tx),
    claims: tx.claims,
    can: await navPermissions(tx, tx.claims.tenants.find((m) => m.kind === "mssp")?.tenant_id),
  }));
  // After the transaction: never wait for a second pooled connection while holding one (lib/tenancy/switcher.ts).
  const links = await switcherLinks(claims, null);
  const nav = operator
    ? [
        { href: "/", label: "Overview" },
        { href: "/dashboard", label: "Dashboard" },
        { href: "/alerts", label: "Alerts" },
        { href: "/customers", label: "Customers" },
        ...(can["credentials:view"] ? [{ href: "/credentials", label: "Credentials" }] : []),
        ...(can["users:manage"] ? [{ href: "/team", label: "Team" }] : []),
        ...(can["alerts:triage"] ? [{ href: "/health", label: "Health" }] : []),
        ...(can["benchmark:view"] ? [{ href: "/compare", label: "Compare" }] : []),
        ...(can["reports:export"] ? [{ href: "/reports", label: "Reports" }] : []),
        ...(can["billing:view"] ? [{ href: "/usage", label: "Usage" }, { href: "/billing", label: "Billing" }] : []),
        ...(can["audit:view"] ? [{ href: "/audit", label: "Audit" }] : []),
        ...(can["keys:rotate"] ? [{ href: "/keys", label: "Keys" }] : []),
        ...(can["bulk:run"] ? [{ href: "/bulk", label: "Bulk" }] : []),
        ...(can["settings:view"] ? [{ href: "/configuration", label: "Configuration" }] : []),
        { href: "/tenants", label: "My tenants" },
      ]
    : [{ href: "/tenants", label: "My tenants" }];
  const scope = links.find((l) => l.kind === "mssp")?.name ?? "Portal";
  return (
    <AppShell area="MSSP Console" scopeLabel={scope} nav={nav} user={page.user} switcher={links} brand={shellBrand(await requestBrand())}>
      {children}
    </AppShell>
  );
}
