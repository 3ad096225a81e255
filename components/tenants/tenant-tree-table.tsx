// The console overview's tenant tree: one row per tenant in tree order,
// indented by depth, with its subtree's open alerts by severity. The rows are
// rendered by a client component from compact tuples (tenant-tree-rows.tsx says why).
import { TableScroll } from "@/components/ui/table-scroll";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import type { TenantNode } from "@/lib/tenancy/tree";
import { TenantTreeRows, type TenantTreeRow } from "./tenant-tree-rows";

/** The tree in display order, as the rows' tuples. */
function treeRows(roots: TenantNode[]): TenantTreeRow[] {
  const rootDepth = Math.min(...roots.map((r) => r.depth));
  const out: TenantTreeRow[] = [];
  const walk = (node: TenantNode) => {
    const s = node.subtree;
    out.push([node.slug, node.name, node.kind, node.status, node.depth - rootDepth, node.alertsHidden ? 1 : 0, ALERT_SEVERITIES.map((k) => s[k])]);
    node.children.forEach(walk);
  };
  roots.forEach(walk);
  return out;
}

export function TenantTreeTable({ roots }: { roots: TenantNode[] }) {
  return (
    <TableScroll label="Tenants and their open alerts" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="tenant-tree">
        <thead className="bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-3 text-left">Tenant</th>
            {ALERT_SEVERITIES.map((s) => (
              <th key={s} className="px-3 py-3 text-right">
                {s}
              </th>
            ))}
            <th className="px-4 py-3 text-right">Open</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          <TenantTreeRows rows={treeRows(roots)} />
        </tbody>
      </table>
    </TableScroll>
  );
}
