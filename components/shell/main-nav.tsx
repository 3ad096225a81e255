"use client";
// The main navigation. From the sm breakpoint up it is a row of links that
// wraps; on a phone it folds behind a "Menu" button (aria-expanded,
// aria-controls), so the header stays one screen wide however many entries
// the caller's permissions add. The current page's link carries aria-current.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useState } from "react";

export interface NavItem {
  href: string;
  label: string;
}

function isCurrent(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function MainNav({ items }: { items: NavItem[] }) {
  const pathname = usePathname() ?? "/";
  const [open, setOpen] = useState(false);
  const id = useId();
  // Following a link closes the menu.
  useEffect(() => setOpen(false), [pathname]);
  const current = items.find((i) => isCurrent(pathname, i.href) && (i.href !== "/" || pathname === "/"));
  return (
    <>
      <button
        type="button"
        className="ml-auto inline-flex items-center gap-1.5 rounded-md border border-slate-300 px-2.5 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100 sm:hidden"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden>{open ? "✕" : "☰"}</span>
        Menu
        {current && <span className="sr-only">, current page {current.label}</span>}
      </button>
      <nav
        id={id}
        aria-label="Main"
        className={`order-last w-full flex-col gap-0.5 sm:flex sm:flex-row sm:flex-wrap sm:gap-1 ${open ? "flex" : "hidden"}`}
      >
        {items.map((item) => {
          const here = current?.href === item.href;
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={here ? "page" : undefined}
              className={`rounded-md px-3 py-2 text-sm font-medium sm:py-1.5 ${
                here ? "bg-slate-100 text-slate-900 shadow-[inset_0_-2px_0_var(--color-brand-accent)]" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
              }`}
            >
              {item.label}
            </Link>
          );
        })}
      </nav>
    </>
  );
}
