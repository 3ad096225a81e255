// Page scenarios of the comparison pages (scripts/bench/page-scenarios.ts has the overview):
//   11  console /compare (lib/analytics/compare.ts loadComparison): three customers side by side, each
//       with its percentile among the MSSP's ~1,000 customers; the figures of every customer come from
//       analytics.customer_metrics (security invoker: RLS on the rollups applies), which the page calls with
//       the tenants the PDP lets it read (`only`): that list is the explicit filter, the same on both sides.
//   12  tenant /benchmark (lib/analytics/peers-benchmark.ts loadBenchmark): the tenant admin's anonymous
//       percentile through analytics.peer_benchmark (security definer: it ranks every peer inside the
//       database). The owner side is the function's ranking inlined, over the MSSP's customers named
//       explicitly, which is what the definer function computes after its role check.
import { COMPARE_METRICS } from "@/lib/analytics/compare-metrics";
import { loadComparison } from "@/lib/analytics/compare";
import { dayAfter, presetRange } from "@/lib/analytics/compare-query";
import { loadBenchmark } from "@/lib/analytics/peers-benchmark";
import { percentileAmong } from "@/lib/analytics/percentile";
import { fmtCount } from "./measure";
import { stmt, swap, type PageSetup } from "./page-scenarios";
import type { Outcome, Scenario } from "./scenarios";

const CUSTOMERS_SQL = `select id, slug, name, parent_id from public.tenants
      where kind = 'customer' and status in ('active', 'suspended') and parent_id = any ($1::uuid[])
      order by lower(name), slug`;
const HIDDEN_SQL = `select count(*)::int as n from public.tenants t
       join public.tenants m on m.id = any ($1::uuid[]) and t.path operator(extensions.<@) m.path and t.id <> m.id
      where t.status in ('active', 'suspended') and not (t.id = any ($2::uuid[]))`;
const METRICS_SQL = "select * from analytics.customer_metrics($1::uuid[], $2::date, $3::date, $4::uuid[])";
const BENCHMARK_SQL = "select metric, own_value, percentile, group_size, status from analytics.peer_benchmark($1, $2, $3::date, ($4::date + 1))";

/** analytics.peer_benchmark's ranking for the group 'all', inlined: $1 the peers (the MSSP's customers), $2 the tenant, [$3, $4) the days. */
const OWNER_BENCHMARK_SQL = `with m as (
    select * from analytics.customer_metrics($1::uuid[], $3::date, $4::date)
  ), v as (
    select g.customer_id, x.metric, x.value
      from m g
     cross join lateral (values
       ('alerts_per_asset', g.alerts_per_asset), ('critical_per_asset', g.critical_per_asset),
       ('mtta_minutes', g.mtta_minutes), ('mttr_minutes', g.mttr_minutes),
       ('sla_breach_rate', g.sla_breach_rate), ('open_per_asset', g.open_per_asset)) x(metric, value)
  ), own as (
    select v.metric, v.value from v where v.customer_id = $2
  ), ranked as (
    select o.metric, o.value as own_value,
           count(*) filter (where v.customer_id <> $2 and v.value is not null) as peers,
           count(*) filter (where v.customer_id <> $2 and v.value > o.value) as worse,
           count(*) filter (where v.customer_id <> $2 and v.value = o.value) as tied
      from own o join v on v.metric = o.metric
     group by o.metric, o.value
  )
  select r.metric, r.own_value,
         case when r.own_value is not null and r.peers + 1 >= 5 then round(100 * (r.worse + 0.5 * r.tied) / r.peers)::integer end as percentile,
         case when r.own_value is not null and r.peers + 1 >= 5 then (r.peers + 1)::integer end as group_size,
         case when r.own_value is null then 'no_value' when r.peers + 1 >= 5 then 'ok' else 'too_few_peers' end as status
    from ranked r
   order by array_position(array['alerts_per_asset', 'critical_per_asset', 'mtta_minutes', 'mttr_minutes', 'sla_breach_rate', 'open_per_asset'], r.metric)`;

export async function analyticsScenarios({ ctx, customers }: PageSetup): Promise<Scenario[]> {
  const now = new Date();
  const range = presetRange(30, now);
  const out: Scenario[] = [];
  if (ctx.wanted("11")) {
    // The median customer (the tenant admin's) and its two neighbours by slug.
    const at = customers.findIndex((c) => c.id === ctx.customerId);
    const chosen = [customers[at - 1] ?? customers[at + 2], customers[at], customers[at + 1]].map((c) => c.slug);
    const mssp = [ctx.msspId];
    const ids = customers.map((c) => c.id);
    // The PDP-readable tenants (alerts:read): the MSSP admin reads every tenant of its MSSP.
    const readable = ctx.msspTenantIds;
    out.push({
      id: "11",
      name: "MSSP admin: /compare 3 customers + percentiles among all",
      caller: ctx.msspAdmin,
      rls: [
        stmt("customers", CUSTOMERS_SQL, [mssp]),
        stmt("hidden count", HIDDEN_SQL, [mssp, readable]),
        stmt("metrics, every customer", METRICS_SQL, [ids, range.from, dayAfter(range.to), readable]),
      ],
      baseline: [
        stmt("customers", swap(CUSTOMERS_SQL, "parent_id = any ($1::uuid[])", "parent_id = any ($1::uuid[]) and id = any ($2::uuid[])"), [mssp, ctx.msspTenantIds]),
        stmt("hidden count", swap(HIDDEN_SQL, "where t.status", "where t.id = any ($3::uuid[]) and t.status"), [mssp, readable, ctx.msspTenantIds]),
        stmt("metrics, every customer", METRICS_SQL, [ids, range.from, dayAfter(range.to), readable]),
      ],
      outcome: (results): Outcome => {
        const all = results[0].rows;
        const byId = new Map(results[2].rows.map((r) => [r.customer_id as string, r]));
        const values = (id: string) => Object.fromEntries(COMPARE_METRICS.map((m) => [m, (byId.get(id)?.[m] as number | null) ?? null]));
        const rows = chosen.map((slug) => {
          const c = all.find((x) => x.slug === slug)!;
          const own = values(c.id);
          const peers = all.filter((p) => p.parent_id === c.parent_id && p.id !== c.id).map((p) => values(p.id));
          return { slug, values: own, percentiles: Object.fromEntries(COMPARE_METRICS.map((m) => [m, percentileAmong(own[m], peers.map((p) => p[m]))])) };
        });
        return {
          rows: results[2].rows.length,
          label: `3 of ${fmtCount(all.length)} customers, ${results[1].rows[0].n} hidden`,
          data: { population: all.length, hidden: results[1].rows[0].n, rows },
        };
      },
      app: async (tx) => {
        const d = await loadComparison(tx, { customers: chosen, group: null, metrics: [...COMPARE_METRICS], range, q: null }, now);
        return { population: d.population, hidden: d.hidden, rows: d.rows.map((r) => ({ slug: r.slug, values: r.values, percentiles: r.percentiles })) };
      },
      explain: true,
      note: "the figures of every customer are read (each percentile needs its peers'); customer_metrics gets the PDP-readable tenants on both sides",
    });
  }
  if (ctx.wanted("12")) {
    const peers = customers.map((c) => c.id);
    const shape = (r: { metric: string; own_value: number | null; percentile: number | null; group_size: number | string | null; status: string }) =>
      `${r.metric}/${r.own_value}/${r.percentile}/${r.group_size}/${r.status}`;
    out.push({
      id: "12",
      name: "tenant admin: /benchmark percentile among anonymous peers",
      caller: ctx.customerAdmin,
      rls: [stmt("peer benchmark", BENCHMARK_SQL, [ctx.customerId, "all", range.from, range.to])],
      baseline: [stmt("peer benchmark", OWNER_BENCHMARK_SQL, [peers, ctx.customerId, range.from, dayAfter(range.to)])],
      outcome: (results): Outcome => ({
        rows: results[0].rows.length,
        label: `${results[0].rows.length} metrics among ${fmtCount(peers.length)}`,
        data: results[0].rows.map(shape),
      }),
      app: async (tx) => {
        const d = await loadBenchmark(tx, ctx.customerId, { group: "all", days: 30 }, now);
        if (!d || d.state !== "ready") return d?.state ?? null;
        return d.metrics.map((m) => shape({ metric: m.metric, own_value: m.value, percentile: m.percentile, group_size: m.peersBand, status: m.status }));
      },
      explain: true,
      note: "peer_benchmark is security definer (the peers' rows never reach the caller); the owner side inlines its ranking over the MSSP's customers",
    });
  }
  return out;
}
