// Page scenario of the console's drift report (scripts/bench/page-scenarios.ts has the overview):
//   19  console /configuration (lib/settings/drift.ts loadDriftReports) for the MSSP admin: the customers the
//       PDP is asked about, their own values grouped by (setting, value), the count of customers that differ
//       and the first page of 50 with its cells. Every statement but the first names its tenants (the
//       customers the PDP allowed, as the page passes them), so it is the same on both sides; the first gets
//       the owner's explicit tenant filter.
// The generator sets no settings: a quarter of VARIED_SETTINGS on each customer (lib/demo/scale, as the
// scale seed and --only=config do; idempotent) is set here first.
import { withTenant } from "@/lib/db/with-tenant";
import { varySettings } from "@/lib/demo/scale";
import {
  customersByName,
  DRIFT_CELLS_SQL,
  DRIFT_COUNT_SQL,
  DRIFT_CUSTOMERS_SQL,
  DRIFT_PAGE_SIZE,
  DRIFT_PAGE_SQL,
  DRIFT_VALUES_SQL,
  differingValues,
  loadDriftReports,
} from "@/lib/settings/drift";
import { fmtCount } from "./measure";
import { stmt, type PageSetup } from "./page-scenarios";
import type { Outcome, Scenario } from "./scenarios";

export async function driftScenarios({ ctx, owner }: PageSetup): Promise<Scenario[]> {
  await varySettings(owner, { msspId: ctx.msspId });
  await owner.query("analyze public.tenant_settings");
  const { rows: customers } = await owner.query<{ id: string; slug: string; name: string }>(DRIFT_CUSTOMERS_SQL, [ctx.msspId]);
  // The page's order and its inputs: what loadDriftReports computes before its statements (the PDP lets the
  // MSSP admin view every customer; the app check below fails loudly if it did not).
  const ids = customersByName(customers).map((c) => c.id);
  const values = await withTenant(ctx.msspAdmin, (tx) => differingValues(tx, ctx.msspId, ids));
  if (!values) throw new Error("drift scenario: the MSSP admin cannot read the MSSP's configuration");
  const keys = values.differing.map((d) => d.key);
  const texts = values.differing.map((d) => d.value);
  const firstPage = await withTenant(ctx.msspAdmin, (tx) => loadDriftReports(tx));
  const report = firstPage.find((r) => r.mssp.id === ctx.msspId);
  if (!report) throw new Error("drift scenario: no report for the bench MSSP");
  const idOf = new Map(customers.map((c) => [c.slug, c.id]));
  const pageIds = report.rows.map((r) => idOf.get(r.slug)!);
  const shared = [
    stmt("own values, grouped", DRIFT_VALUES_SQL, [ids, values.compared.map((d) => d.key)]),
    stmt("customers that differ", DRIFT_COUNT_SQL, [ids, keys, texts, null, null]),
    stmt("first page", DRIFT_PAGE_SQL, [ids, keys, texts, null, null, DRIFT_PAGE_SIZE, 0]),
    stmt("its cells", DRIFT_CELLS_SQL, [pageIds, keys, texts]),
  ];
  const scenario: Scenario = {
    id: "19",
    name: "MSSP admin: console /configuration drift report (counts, first page)",
    caller: ctx.msspAdmin,
    rls: [stmt("customers (for the PDP)", DRIFT_CUSTOMERS_SQL, [ctx.msspId]), ...shared],
    baseline: [stmt("customers (for the PDP)", `${DRIFT_CUSTOMERS_SQL} and id = any ($2::uuid[])`, [ctx.msspId, ctx.msspTenantIds]), ...shared],
    outcome: (results): Outcome => {
      const count = results[2].rows[0] as { drifting: number; matching: number };
      return {
        rows: results[3].rows.length,
        label: `${fmtCount(results[0].rows.length)} customers, ${fmtCount(count.drifting)} differ; ${results[3].rows.length} rows, ${results[4].rows.length} cells`,
        data: { customers: results[0].rows.length, drifting: count.drifting, page: results[3].rows.map((r) => r.tenant_id as string) },
      };
    },
    app: async (tx) => {
      const r = (await loadDriftReports(tx)).find((x) => x.mssp.id === ctx.msspId);
      return { customers: r ? r.customers + r.hidden : 0, drifting: r?.customersWithDrift ?? 0, page: (r?.rows ?? []).map((row) => idOf.get(row.slug)!) };
    },
    explain: true,
  };
  return [scenario];
}
