// The console overview at MSSP scale (lib/tenancy/overview.ts): the figures
// count every tenant; the chart keeps the customers with the most severe open
// alerts; past OVERVIEW_WHOLE_TREE_UP_TO tenants the table keeps the chosen
// customers, each with its sites, under the MSSPs above them. Pure: a tree
// built in the test.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OVERVIEW_CHART_CUSTOMERS, OVERVIEW_TREE_CUSTOMERS, OVERVIEW_WHOLE_TREE_UP_TO, overviewOf } from "@/lib/tenancy/overview";
import { emptyCounts, flattenTree, type SeverityCounts, type TenantNode } from "@/lib/tenancy/tree";

function node(id: string, kind: TenantNode["kind"], depth: number, own: Partial<SeverityCounts>, children: TenantNode[] = []): TenantNode {
  const o = { ...emptyCounts(), ...own };
  const subtree = { ...o };
  for (const c of children) for (const s of Object.keys(subtree) as (keyof SeverityCounts)[]) subtree[s] += c.subtree[s];
  return { id, parentId: null, slug: id, name: `Tenant ${id}`, kind, status: "active", depth, own: o, subtree, alertsHidden: false, children };
}

/** An MSSP with a reseller MSSP below it; customers `n`, every third with a site holding its alerts. */
function bigTree(n: number): TenantNode[] {
  const customers = (from: number, to: number, depth: number) =>
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      const counts = { critical: i % 7 === 0 ? i % 5 : 0, high: i % 3, medium: i % 4, info: i % 2 };
      return i % 3 === 0
        ? node(`c${i}`, "customer", depth, {}, [node(`c${i}-site`, "site", depth + 1, counts)])
        : node(`c${i}`, "customer", depth, counts);
    });
  const reseller = node("reseller", "mssp", 1, {}, customers(Math.floor(n / 2), n, 2));
  return [node("top", "mssp", 0, { low: 3 }, [...customers(0, Math.floor(n / 2), 1), reseller])];
}

test("a small MSSP's overview shows its whole tree and every customer with open alerts", () => {
  const roots = bigTree(12);
  const o = overviewOf(roots);
  assert.ok(flattenTree(roots).length <= OVERVIEW_WHOLE_TREE_UP_TO);
  assert.equal(o.tree, roots);
  assert.equal(o.treeCustomers, null);
  assert.equal(o.customers, 12);
  assert.equal(o.moreWithOpen, 0);
  const withOpen = flattenTree(roots).filter((t) => t.kind === "customer" && Object.values(t.subtree).some((v) => v > 0));
  assert.equal(o.chartRows.length, withOpen.length);
});

test("at a thousand customers the figures count them all, the chart and table only the most severe", () => {
  const roots = bigTree(1000);
  const all = flattenTree(roots);
  const customers = all.filter((t) => t.kind === "customer");
  const o = overviewOf(roots);
  assert.equal(o.customers, 1000);
  const sum = (f: (t: TenantNode) => number) => customers.reduce((n, c) => n + f(c), 0);
  assert.equal(o.open, sum((c) => Object.values(c.subtree).reduce((a, b) => a + b, 0)) + 3, "the MSSP's own 3 count too");
  assert.equal(o.critical, sum((c) => c.subtree.critical));
  assert.equal(o.onFire, customers.filter((c) => c.subtree.critical > 0).length);

  // The chart: the most open criticals first, then highs.
  assert.equal(o.chartRows.length, OVERVIEW_CHART_CUSTOMERS);
  const maxCritical = Math.max(...customers.map((c) => c.subtree.critical));
  assert.equal(o.chartRows[0].critical, maxCritical);
  for (let i = 1; i < o.chartRows.length; i++) {
    const [a, b] = [o.chartRows[i - 1], o.chartRows[i]];
    assert.ok(a.critical > b.critical || (a.critical === b.critical && a.high >= b.high), `row ${i} in order`);
  }
  const withOpen = customers.filter((c) => Object.values(c.subtree).some((v) => v > 0)).length;
  assert.equal(o.moreWithOpen, withOpen - OVERVIEW_CHART_CUSTOMERS);

  // The table: the chosen customers with their sites, under both MSSPs, counts untouched.
  assert.equal(o.treeCustomers, OVERVIEW_TREE_CUSTOMERS);
  const shown = flattenTree(o.tree);
  const shownCustomers = shown.filter((t) => t.kind === "customer");
  assert.equal(shownCustomers.length, OVERVIEW_TREE_CUSTOMERS);
  for (const c of shownCustomers) assert.deepEqual(c.children, customers.find((x) => x.id === c.id)!.children, "a customer keeps its sites");
  // Every customer shown ranks above every customer left out.
  const rank = (c: TenantNode) => [c.subtree.critical, c.subtree.high, Object.values(c.subtree).reduce((a, b) => a + b, 0)];
  const above = (a: number[], b: number[]) => a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] >= b[2])));
  const shownIds = new Set(shownCustomers.map((c) => c.id));
  const lowestShown = shownCustomers.map(rank).reduce((lo, r) => (above(lo, r) ? r : lo));
  for (const c of customers) if (!shownIds.has(c.id)) assert.ok(above(lowestShown, rank(c)), `${c.id} left out ranks below the shown ones`);
  assert.deepEqual(o.tree[0].subtree, roots[0].subtree, "the MSSP's row keeps its whole subtree's counts");
  assert.ok(shown.some((t) => t.id === "reseller"), "the reseller MSSP stays above its chosen customers");
  assert.ok(shown.length < 100);
});

test("past the limit with few open alerts, the table fills up with the other customers", () => {
  const quiet = [node("top", "mssp", 0, {}, Array.from({ length: 200 }, (_, i) => node(`q${i}`, "customer", 1, i < 3 ? { high: 1 } : {})))];
  const o = overviewOf(quiet);
  assert.equal(o.chartRows.length, 3);
  assert.equal(o.moreWithOpen, 0);
  const shown = flattenTree(o.tree).filter((t) => t.kind === "customer");
  assert.equal(shown.length, OVERVIEW_TREE_CUSTOMERS);
  assert.deepEqual(shown.slice(0, 3).map((c) => c.id).sort(), ["q0", "q1", "q2"]);
});
