// The tenant tree as the caller may see it, with open-alert counts. Everything
// here runs inside withTenant: RLS decides which tenants and alerts exist.
import { asc, ne, sql } from "drizzle-orm";
import { tenants, type Severity } from "@/drizzle/schema";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import type { Db } from "@/lib/db/with-tenant";
import type { TenantStatus } from "@/lib/lifecycle/states";

export type SeverityCounts = Record<Severity, number>;

export interface TenantNode {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  status: TenantStatus;
  depth: number;
  /** Open alerts raised on this tenant itself. */
  own: SeverityCounts;
  /** Open alerts on this tenant and everything below it (readable tenants only). */
  subtree: SeverityCounts;
  /** The PDP does not let the caller read this tenant's alerts: its own counts are left out, not zero. */
  alertsHidden: boolean;
  children: TenantNode[];
}

export function emptyCounts(): SeverityCounts {
  return Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
}

export function totalOf(counts: SeverityCounts): number {
  return ALERT_SEVERITIES.reduce((sum, s) => sum + counts[s], 0);
}

/**
 * Visible tenants as a forest (roots are the caller's highest visible tenants),
 * ordered by path. Offboarded tenants (tombstones, no data left) are not part
 * of it: the console's Customers page lists them under "Offboarded".
 *
 * `readable` is the set of tenants whose alerts the PDP lets the caller read
 * (lib/alerts/access readableAlertTenants): RLS shows the rows, but a count is
 * a read, so other tenants' alerts are not counted.
 */
export async function loadTenantTree(db: Db, readable: ReadonlySet<string>): Promise<TenantNode[]> {
  const rows = await db
    .select({
      id: tenants.id,
      parentId: tenants.parentId,
      slug: tenants.slug,
      name: tenants.name,
      kind: tenants.kind,
      status: tenants.status,
      depth: sql<number>`extensions.nlevel(${tenants.path})`.mapWith(Number),
    })
    .from(tenants)
    .where(ne(tenants.status, "deprovisioned"))
    .orderBy(asc(tenants.path));

  // Nothing readable (or the PDP down): no alert is counted, so none is read.
  // The counts come from alert_open_counts (open = new, acknowledged, in_progress; kept exact by
  // triggers on alerts in the alert's own transaction, migration 20261201016000, same visibility
  // policy) instead of counting open alerts: at 2M alerts that count read ~315,000 index entries
  // per console page (npm run bench, scenario 4: ~190 ms); the rollup is one row per tenant and severity.
  const counts =
    readable.size === 0
      ? []
      : (
          await db.$client.query<{ tenantId: string; severity: Severity; n: number }>(
            `select c.tenant_id as "tenantId", c.severity, c.open as n
               from public.alert_open_counts c
              where c.tenant_id = any($1::uuid[]) and c.open > 0`,
            [[...readable]],
          )
        ).rows;

  const byId = new Map<string, TenantNode>();
  for (const r of rows) byId.set(r.id, { ...r, own: emptyCounts(), subtree: emptyCounts(), alertsHidden: !readable.has(r.id), children: [] });
  for (const c of counts) {
    const node = byId.get(c.tenantId);
    if (node) node.own[c.severity] += c.n;
  }
  const roots: TenantNode[] = [];
  for (const r of rows) {
    const node = byId.get(r.id)!;
    const parent = r.parentId ? byId.get(r.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const rollUp = (node: TenantNode): SeverityCounts => {
    const sum = { ...node.own };
    for (const child of node.children) {
      const c = rollUp(child);
      for (const s of ALERT_SEVERITIES) sum[s] += c[s];
    }
    node.subtree = sum;
    return sum;
  };
  roots.forEach(rollUp);
  return roots;
}

export function flattenTree(nodes: TenantNode[]): TenantNode[] {
  return nodes.flatMap((n) => [n, ...flattenTree(n.children)]);
}
