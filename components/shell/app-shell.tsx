import { MainNav, type NavItem } from "./main-nav";
import { SignOutButton } from "./sign-out-button";
import { TenantSwitcher, type SwitcherEntry } from "./tenant-switcher";

export type { NavItem };

export function AppShell(props: {
  area: string;
  /** Shown beside the product name; omitted where it would repeat the area. */
  scopeLabel?: string;
  nav: NavItem[];
  user: { name: string; email: string };
  switcher: SwitcherEntry[];
  /** The host's brand (lib/branding): its logo replaces the plain mark. */
  brand?: { productName: string; logoUrl: string | null };
  children: React.ReactNode;
}) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        {/* Brand, scope and the account controls, then the main navigation on
            a row of its own that wraps (behind a Menu button on a phone), so
            the header is never wider than the screen. */}
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:gap-x-6 sm:px-6">
          <div className="flex min-w-0 items-center gap-2">
            {props.brand?.logoUrl ? (
              // eslint-disable-next-line @next/next/no-img-element -- a same-origin, content-addressed asset (/brand-asset/<hash>)
              <img src={props.brand.logoUrl} alt={props.brand.productName} className="h-8 w-auto max-w-[9rem] shrink-0 object-contain" data-testid="brand-logo" />
            ) : (
              <span aria-hidden className="grid h-8 w-8 shrink-0 place-items-center rounded-lg bg-brand text-sm font-bold text-white">
                ◆
              </span>
            )}
            <span className="truncate text-sm font-semibold text-slate-900">{props.area}</span>
          </div>
          <TenantSwitcher label={props.scopeLabel} entries={props.switcher} />
          <MainNav items={props.nav} />
          <div className="flex min-w-0 items-center gap-2 sm:ml-auto sm:gap-3">
            <div className="min-w-0 text-left leading-tight sm:text-right">
              <div className="max-w-[10rem] truncate text-sm font-medium text-slate-800 sm:max-w-none" data-testid="signed-in-user">{props.user.name || props.user.email}</div>
              <div className="hidden text-xs text-slate-600 sm:block">{props.user.email}</div>
            </div>
            <a href="/account/mfa" className="whitespace-nowrap rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900">
              Security
            </a>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto min-w-0 max-w-7xl px-4 py-6 sm:px-6 sm:py-8">{props.children}</main>
    </div>
  );
}
