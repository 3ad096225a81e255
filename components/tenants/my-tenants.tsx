import type { SwitcherLink } from "@/lib/tenancy/switcher";
import { roleLabel } from "./role-label";

const KIND_LABELS: Record<string, string> = { mssp: "MSSP console", customer: "Customer", site: "Site" };

export function MyTenants({ links }: { links: SwitcherLink[] }) {
  if (links.length === 0) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center" data-testid="my-tenants-empty">
        <p className="text-sm font-medium text-slate-800">You are not a member of any tenant yet.</p>
        <p className="mt-1 text-sm text-slate-500">Ask your MSSP or your company&apos;s portal admin to invite you.</p>
      </div>
    );
  }
  return (
    <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="my-tenants">
      {links.map((l) => (
        <li key={l.slug}>
          <a
            href={l.href}
            className={`block rounded-xl border bg-white p-4 shadow-sm transition hover:border-brand hover:shadow ${l.current ? "border-brand" : "border-slate-200"}`}
          >
            <div className="flex items-center justify-between">
              <span className="font-semibold text-slate-900">{l.name}</span>
              {l.current && <span className="rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-700">Current</span>}
            </div>
            <div className="mt-1 text-sm text-slate-500">
              {KIND_LABELS[l.kind] ?? l.kind} · {roleLabel(l.role)}
            </div>
            {/* The portal's address for the current one; another opens through a one-time sign-in link, whose path means nothing to a reader. */}
            {/^https?:\/\//.test(l.href) && <div className="mt-2 truncate font-mono text-xs text-slate-500">{l.href.replace(/^https?:\/\//, "")}</div>}
          </a>
        </li>
      ))}
    </ul>
  );
}
