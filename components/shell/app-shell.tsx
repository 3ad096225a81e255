import Link from "next/link";
import { SignOutButton } from "./sign-out-button";
import { TenantSwitcher, type SwitcherEntry } from "./tenant-switcher";

export interface NavItem {
  href: string;
  label: string;
}

export function AppShell(props: {
  area: string;
  /** Shown beside the product name; omitted where it would repeat the area. */
  scopeLabel?: string;
  nav: NavItem[];
  user: { name: string; email: string };
  switcher: SwitcherEntry[];
  children: React.ReactNode;
}) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        {/* Two rows at every width: brand, scope and the account controls, then
            the main navigation, which scrolls sideways inside itself on a phone
            rather than pushing the page wider than the screen. */}
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
          <div className="flex items-center gap-2">
            <span aria-hidden className="grid h-8 w-8 place-items-center rounded-lg bg-brand text-sm font-bold text-white">
              ◆
            </span>
            <span className="whitespace-nowrap text-sm font-semibold text-slate-900">{props.area}</span>
          </div>
          <TenantSwitcher label={props.scopeLabel} entries={props.switcher} />
          <nav className="order-last flex w-full gap-1 overflow-x-auto whitespace-nowrap" aria-label="Main">
            {props.nav.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900"
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <div className="min-w-0 text-right leading-tight">
              <div className="max-w-[9rem] truncate text-sm font-medium text-slate-800 sm:max-w-none" data-testid="signed-in-user">{props.user.name || props.user.email}</div>
              <div className="hidden text-xs text-slate-500 sm:block">{props.user.email}</div>
            </div>
            <a href="/account/mfa" className="whitespace-nowrap rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900">
              Security
            </a>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">{props.children}</main>
    </div>
  );
}
