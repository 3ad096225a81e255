// What the console overview shows of the tenant tree: every figure over every
// tenant, but the chart and the table only for the customers that need an
// operator first when there are many.
//
// Why: with 1,000 customers the overview drew one bar per customer (a chart
// 44,000 px tall) and a table of all 1,617 tenants: 377 ms of server CPU per
// request one at a time (npm run bench -- --only=load, console:/), and no one
// reads a thousand bars. The question the page answers is "who is on fire";
// the full list, with search and paging, is the Customers page.
import { flattenTree, totalOf, type SeverityCounts, type TenantNode } from "./tree";

/** Customers in the chart: the most severe open alerts first. */
export const OVERVIEW_CHART_CUSTOMERS = 15;
/** Up to this many tenants the table shows the whole tree. */
export const OVERVIEW_WHOLE_TREE_UP_TO = 150;
/** Past it, the table shows these many customers (with their sites), the most severe first. */
export const OVERVIEW_TREE_CUSTOMERS = 25;

/** A customer's open alerts by severity, named. */
export type OverviewChartRow = { name: string } & SeverityCounts;

export interface Overview {
  customers: number;
  open: number;
  critical: number;
  /** Customers with an open critical alert. */
  onFire: number;
  /** Tenants whose alerts the PDP does not let the caller count. */
  hiddenCount: number;
  chartRows: OverviewChartRow[];
  /** Customers with open alerts that the chart leaves out. */
  moreWithOpen: number;
  /** The table's roots: the whole tree, or the chosen customers under their ancestors. */
  tree: TenantNode[];
  /** How many customers the table shows when it is not the whole tree (null: it is). */
  treeCustomers: number | null;
}

/** Most open critical alerts first, then high, then all open; the name breaks ties. */
function mostSevereFirst(a: TenantNode, b: TenantNode): number {
  return b.subtree.critical - a.subtree.critical || b.subtree.high - a.subtree.high || totalOf(b.subtree) - totalOf(a.subtree) || a.name.localeCompare(b.name);
}

export function overviewOf(roots: TenantNode[]): Overview {
  const all = flattenTree(roots);
  const customers = all.filter((t) => t.kind === "customer");
  const withOpen = customers.filter((c) => totalOf(c.subtree) > 0).sort(mostSevereFirst);
  const chartRows = withOpen.slice(0, OVERVIEW_CHART_CUSTOMERS).map((c) => ({ name: c.name, ...c.subtree }));
  const whole = all.length <= OVERVIEW_WHOLE_TREE_UP_TO;
  // Past the limit: the customers with the most severe open alerts, then (if fewer have any) the rest in tree order.
  const chosen = whole ? null : [...withOpen, ...customers.filter((c) => totalOf(c.subtree) === 0)].slice(0, OVERVIEW_TREE_CUSTOMERS);
  return {
    customers: customers.length,
    open: roots.reduce((n, r) => n + totalOf(r.subtree), 0),
    critical: roots.reduce((n, r) => n + r.subtree.critical, 0),
    onFire: customers.filter((c) => c.subtree.critical > 0).length,
    hiddenCount: all.filter((t) => t.alertsHidden).length,
    chartRows,
    moreWithOpen: withOpen.length - chartRows.length,
    tree: chosen ? pruneTo(roots, new Set(chosen.map((c) => c.id))) : roots,
    treeCustomers: chosen ? chosen.length : null,
  };
}

/**
 * The tree cut down to the `keep` customers, each with everything below it,
 * under the tenants above them (whose counts stay those of their whole
 * subtree: the figures do not change with what is shown).
 */
function pruneTo(nodes: TenantNode[], keep: ReadonlySet<string>): TenantNode[] {
  const out: TenantNode[] = [];
  for (const node of nodes) {
    if (keep.has(node.id)) out.push(node);
    else if (node.kind === "mssp") {
      const children = pruneTo(node.children, keep);
      if (children.length > 0) out.push({ ...node, children });
    }
  }
  return out;
}
