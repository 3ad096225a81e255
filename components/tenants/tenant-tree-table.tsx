import { SEVERITIES } from "@/drizzle/schema";
import { TENANT_STATUS_LABELS } from "@/lib/lifecycle/states";
import { totalOf, type TenantNode } from "@/lib/tenancy/tree";
import { handoffHref } from "@/lib/auth/handoff-link";

// Severity as text on white: the -700 shades (4.5:1 or more; the chart colours are too light for text).
const SEVERITY_TEXT: Record<(typeof SEVERITIES)[number], string> = {
  critical: "text-red-700",
  high: "text-orange-700",
  medium: "text-yellow-800",
  low: "text-sky-700",
  info: "text-slate-600",
};

const KIND_STYLES: Record<string, string> = {
  mssp: "bg-indigo-100 text-indigo-700",
  customer: "bg-emerald-100 text-emerald-700",
  site: "bg-slate-100 text-slate-600",
};

function Row({ node, rootDepth }: { node: TenantNode; rootDepth: number }) {
  const indent = (node.depth - rootDepth) * 20;
  const total = totalOf(node.subtree);
  return (
    <>
      <tr className="hover:bg-slate-50" data-testid={`tenant-row-${node.slug}`}>
        <td className="px-4 py-2.5">
          <div className="flex items-center gap-2" style={{ paddingLeft: indent }}>
            {node.depth > rootDepth && <span aria-hidden className="text-slate-300">└</span>}
            <a href={`/alerts?tenant=${node.slug}`} className="font-medium text-slate-800 hover:text-brand hover:underline">
              {node.name}
            </a>
            <span className={`rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase ${KIND_STYLES[node.kind]}`}>{node.kind}</span>
            {node.alertsHidden && (
              <span className="rounded bg-slate-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-slate-500" title="This tenant's policy does not let you read its alerts; they are not counted.">
                alerts hidden
              </span>
            )}
            {node.status !== "active" && (
              <span className="rounded bg-red-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-red-700">{TENANT_STATUS_LABELS[node.status]}</span>
            )}
            {node.kind !== "mssp" && (
              // Into the customer's (or site's) own portal, signed in: a one-time handoff (lib/auth/handoff.ts).
              <a href={handoffHref(node.slug)} className="ml-auto whitespace-nowrap text-xs font-medium text-brand hover:underline" data-testid={`open-portal-${node.slug}`} aria-label={`Open ${node.name}'s portal`}>
                Open portal ↗
              </a>
            )}
          </div>
        </td>
        {SEVERITIES.map((s) => (
          <td key={s} className="px-3 py-2.5 text-right tabular-nums">
            {node.subtree[s] > 0 ? (
              <span className={`font-semibold ${SEVERITY_TEXT[s]}`}>
                {node.subtree[s]}
              </span>
            ) : (
              <span className="text-slate-500">0</span>
            )}
          </td>
        ))}
        <td className="px-4 py-2.5 text-right font-semibold tabular-nums text-slate-900">{total}</td>
      </tr>
      {node.children.map((c) => (
        <Row key={c.id} node={c} rootDepth={rootDepth} />
      ))}
    </>
  );
}

export function TenantTreeTable({ roots }: { roots: TenantNode[] }) {
  const rootDepth = Math.min(...roots.map((r) => r.depth));
  return (
    <div role="region" aria-label="Tenants and their open alerts" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-brand">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="tenant-tree">
        <thead className="bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-3 text-left">Tenant</th>
            {SEVERITIES.map((s) => (
              <th key={s} className="px-3 py-3 text-right">
                {s}
              </th>
            ))}
            <th className="px-4 py-3 text-right">Open</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {roots.map((r) => (
            <Row key={r.id} node={r} rootDepth={rootDepth} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
