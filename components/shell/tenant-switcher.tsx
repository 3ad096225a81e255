// Switches between the portals of the tenants the user belongs to. Each entry
// is a link to that tenant's own host: the host is the active tenant, and the
// server checks it against the memberships on every request.
import { roleLabel } from "@/components/tenants/role-label";

export interface SwitcherEntry {
  slug: string;
  name: string;
  role: string;
  href: string;
  current: boolean;
}

export function TenantSwitcher({ label, entries }: { label?: string; entries: SwitcherEntry[] }) {
  if (entries.length <= 1) {
    return label ? <span className="whitespace-nowrap text-sm font-medium text-slate-700">{label}</span> : null;
  }
  return (
    <details className="group relative">
      <summary
        className="flex cursor-pointer list-none items-center gap-2 rounded-lg border border-slate-200 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:border-slate-300"
        aria-label="Switch tenant"
      >
        {label ?? "Switch tenant"}
        <span aria-hidden className="text-slate-500 group-open:rotate-180">▾</span>
      </summary>
      <ul className="fixed inset-x-4 z-20 mt-2 rounded-xl border border-slate-200 bg-white p-1 shadow-lg sm:absolute sm:inset-x-auto sm:left-0 sm:w-72">
        {entries.map((e) => (
          <li key={e.slug}>
            <a
              href={e.href}
              className={`flex items-center justify-between rounded-lg px-3 py-2 text-sm hover:bg-slate-50 ${e.current ? "bg-indigo-50" : ""}`}
            >
              <span className="font-medium text-slate-800">{e.name}</span>
              <span className="text-xs text-slate-600">{roleLabel(e.role)}</span>
            </a>
          </li>
        ))}
      </ul>
    </details>
  );
}
