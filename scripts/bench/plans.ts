// EXPLAIN (ANALYZE, BUFFERS) of a scenario's statements as `authenticated`
// (and, for comparison, the baseline as owner), and a verdict on the RLS plan:
//   - every policy helper (tenancy.visible_ids / ids_with_role since migration
//     20261201027000; tenancy.visible_tenant_ids / tenant_ids_with_role where a
//     statement calls them itself) must run under an InitPlan, executed once (loops = 1),
//     never under a SubPlan or a per-row filter;
//   - the tenant predicate on alerts should reach an index (Index Cond /
//     Recheck Cond), not be checked row by row in a Filter.
// Plans are taken with VERBOSE so an InitPlan's Output names the helper it
// runs (`(select f())` shows up as a Result, the `array(select f())` wrapper as a ProjectSet).
// Besides the verdict, notes flag what makes an RLS plan slower than its
// baseline even with the helpers evaluated once: row estimates far off (the
// planner cannot see how many tenant ids the InitPlan array will hold), the
// alerts index re-scanned per outer row with the whole array, and a caller's
// own predicate left in a Filter instead of the index.
import { fmtCount } from "./measure";

export const POLICY_HELPERS = ["visible_ids", "ids_with_role", "visible_tenant_ids", "tenant_ids_with_role"];

/** Whether `text` calls helper `h` (not merely a helper whose name ends like it: tenant_ids_with_role holds ids_with_role). */
const calls = (text: string, h: string) => new RegExp(`(^|[^a-z_])${h}\\(`).test(text);

interface PlanNode {
  "Node Type": string;
  "Parent Relationship"?: string;
  "Subplan Name"?: string;
  "Function Name"?: string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Recheck Cond"?: string;
  Filter?: string;
  "Plan Rows"?: number;
  Output?: string[];
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

export interface ExplainJson {
  Plan: PlanNode;
  "Execution Time": number;
  "Planning Time": number;
}

export interface HelperUse {
  name: string;
  initPlan: boolean;
  subPlan: boolean;
  loops: number;
}

export interface TableAccess {
  node: string;
  loops: number;
  estimatedRows: number;
  indexCond?: string;
  tenantIn: "index" | "filter" | "none";
  rows: number;
  removedByFilter: number;
  filter?: string;
}

export interface PlanVerdict {
  ok: boolean;
  notes: string[];
  helpers: HelperUse[];
  alerts: TableAccess[];
  executionMs: number;
  summary: string;
}


function walk(
  node: PlanNode,
  visit: (n: PlanNode, ctx: { initPlan: boolean; subPlan: boolean }) => void,
  ctx = { initPlan: false, subPlan: false },
) {
  const rel = node["Parent Relationship"];
  const next = {
    initPlan: ctx.initPlan || rel === "InitPlan",
    subPlan: ctx.subPlan || rel === "SubPlan",
  };
  visit(node, next);
  for (const child of node.Plans ?? []) walk(child, visit, next);
}

export function judgePlan(plan: ExplainJson): PlanVerdict {
  const helpers: HelperUse[] = [];
  const alerts: TableAccess[] = [];
  walk(plan.Plan, (n, ctx) => {
    // The node that calls a helper: a Function Scan of it, or a Result (the policies' `(select f())`)
    // or ProjectSet (an `array(select f())`) whose Output is the call.
    const called = POLICY_HELPERS.filter(
      (h) =>
        n["Function Name"] === h ||
        ((n["Node Type"] === "ProjectSet" || n["Node Type"] === "Result") && (n.Output ?? []).some((o) => calls(o, h))),
    );
    for (const name of called) {
      helpers.push({ name, initPlan: ctx.initPlan, subPlan: ctx.subPlan, loops: n["Actual Loops"] ?? 0 });
    }
    // A helper named in a per-row expression (not under its own plan node) is evaluated per row.
    const perRow = [n.Filter, n["Index Cond"], n["Recheck Cond"]].filter(Boolean).join(" ");
    for (const h of POLICY_HELPERS) {
      if (calls(perRow, h)) helpers.push({ name: h, initPlan: false, subPlan: false, loops: n["Actual Loops"] ?? 0 });
    }
    if (n["Relation Name"] === "alerts" && n["Node Type"] !== "ModifyTable") {
      const loops = n["Actual Loops"] ?? 1;
      const cond = `${n["Index Cond"] ?? ""} ${n["Recheck Cond"] ?? ""}`;
      const tenantIn = cond.includes("tenant_id") ? "index" : (n.Filter ?? "").includes("tenant_id") ? "filter" : "none";
      alerts.push({
        node: n["Node Type"] + (n["Index Name"] ? ` using ${n["Index Name"]}` : ""),
        loops,
        estimatedRows: Math.round((n["Plan Rows"] ?? 0) * loops),
        indexCond: n["Index Cond"] ?? n["Recheck Cond"],
        tenantIn,
        rows: Math.round((n["Actual Rows"] ?? 0) * loops),
        removedByFilter: Math.round((n["Rows Removed by Filter"] ?? 0) * loops),
        filter: n.Filter,
      });
    }
  });

  const notes: string[] = [];
  for (const a of alerts) {
    if (a.rows >= 1000 && a.rows > 100 * Math.max(1, a.estimatedRows)) {
      notes.push(`alerts row estimate ${fmtCount(a.estimatedRows)} vs actual ${fmtCount(a.rows)} (the planner cannot size the InitPlan array)`);
    }
    if (a.loops > 10 && /ANY \(\(InitPlan \d+\)/.test(a.indexCond ?? "")) {
      notes.push(`${a.node} re-run ${fmtCount(a.loops)} times, each with the whole helper array in its Index Cond`);
    }
    if (a.removedByFilter > 0 && a.filter && !a.filter.includes("tenant_id")) {
      notes.push(`${a.filter.replace(/\s+/g, " ")} is a Filter, not an index condition: ${fmtCount(a.removedByFilter)} rows read and thrown away`);
    }
  }
  const helpersOk = helpers.length > 0 && helpers.every((h) => h.initPlan && !h.subPlan && h.loops <= 1);
  const byName = new Map<string, HelperUse[]>();
  for (const h of helpers) byName.set(h.name, [...(byName.get(h.name) ?? []), h]);
  const helperText = helpers.length
    ? [...byName.entries()]
        .map(([name, uses]) => {
          const where = uses.every((u) => u.initPlan && !u.subPlan) ? "InitPlan" : "NOT an InitPlan";
          return `${name}() x${uses.length} as ${where}, loops=${uses.map((u) => u.loops).join("/")}`;
        })
        .join("; ")
    : "no policy helper found in the plan";
  const accessText = alerts
    .map(
      (a) =>
        `alerts: ${a.node}, tenant_id in ${a.tenantIn === "index" ? "index cond" : a.tenantIn === "filter" ? "per-row Filter" : "no predicate"}, ` +
        `${fmtCount(a.rows)} rows` + (a.loops > 1 ? ` over ${fmtCount(a.loops)} loops` : "") +
        (a.removedByFilter ? `, ${fmtCount(a.removedByFilter)} removed by filter` : ""),
    )
    .join("; ");
  return {
    ok: helpersOk,
    notes,
    helpers,
    alerts,
    executionMs: plan["Execution Time"],
    summary: `${helpersOk ? "OK" : "PROBLEM"}: ${helperText}${accessText ? `; ${accessText}` : ""}; ${plan["Execution Time"].toFixed(2)} ms`,
  };
}

/** Plan text with long literal uuid arrays (the baseline's tenant lists) shortened. */
export function shortenPlanText(text: string): string {
  return text.replace(/'\{((?:[0-9a-f-]{36},){5,}[0-9a-f-]{36})\}'/g, (_m, list: string) => {
    const n = list.split(",").length;
    return `'{<${n} uuids>}'`;
  });
}
