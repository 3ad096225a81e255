import { AppShell } from "@/components/shell/app-shell";
import { consolePage, isOperator } from "@/lib/tenancy/page-context";
import { switcherLinks } from "@/lib/tenancy/switcher";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const page = await consolePage("/");
  const { operator, links } = await page.run(async (tx) => ({
    operator: isOperator(tx),
    links: await switcherLinks(tx.claims, null),
  }));
  const nav = operator
    ? [
        { href: "/", label: "Overview" },
        { href: "/alerts", label: "Alerts" },
        { href: "/tenants", label: "My tenants" },
      ]
    : [{ href: "/tenants", label: "My tenants" }];
  const scope = links.find((l) => l.kind === "mssp")?.name ?? "Portal";
  return (
    <AppShell area="MSSP Console" scopeLabel={scope} nav={nav} user={page.user} switcher={links}>
      {children}
    </AppShell>
  );
}
