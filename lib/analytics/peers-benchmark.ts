// The tenant host's /benchmark (docs/console.md "Comparison and
// benchmarking"): a customer's own value and percentile per metric among
// anonymous peers. The peers' figures never reach this process:
// analytics.peer_benchmark (security definer, migration 20261201016500)
// ranks them inside the database and returns only the caller's own value,
// its percentile and the group's size, and nothing at all for a group of
// fewer than 5. The PDP's benchmark:view is asked first.
import { z } from "zod";
import { permissions } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfig } from "@/lib/settings";
import { choiceSchema, parseListQuery } from "@/lib/url/list-query";
import { COMPARE_METRICS, type CompareMetric } from "./compare-metrics";
import { customerFigures } from "./compare";
import { DEFAULT_DAYS, presetRange, RANGE_PRESETS, type CompareRange } from "./compare-query";
import { BENCHMARK_GROUP_LABELS, BENCHMARK_GROUPS, industryLabel, SIZE_BAND_LABELS, type BenchmarkGroup } from "./peers";
import { MIN_PEER_GROUP } from "./percentile";

export interface BenchmarkQuery {
  group: BenchmarkGroup;
  days: number;
}

export const BENCHMARK_DEFAULTS: BenchmarkQuery = { group: "all", days: DEFAULT_DAYS };

export function parseBenchmarkQuery(params: Record<string, string | string[] | undefined>): { query: BenchmarkQuery; problems: string[] } {
  return parseListQuery<BenchmarkQuery>(
    params,
    {
      group: choiceSchema(BENCHMARK_GROUPS, (g) => BENCHMARK_GROUP_LABELS[g].toLowerCase()),
      days: z.coerce
        .number({ error: () => `choose ${RANGE_PRESETS.join(", ")} days` })
        .refine((d) => (RANGE_PRESETS as readonly number[]).includes(d), `choose ${RANGE_PRESETS.join(", ")} days`),
    },
    { group: "peer group", days: "range" },
    BENCHMARK_DEFAULTS,
  );
}

export type BenchmarkStatus = "ok" | "too_few_peers" | "no_value" | "no_industry";

export interface BenchmarkMetric {
  metric: CompareMetric;
  /** The tenant's own value (its own figure: never a peer's). */
  value: number | null;
  /** 0–100, higher is better; null unless status is ok. */
  percentile: number | null;
  /** Customers in the group with a value, the tenant included; null unless status is ok. */
  groupSize: number | null;
  status: BenchmarkStatus;
}

export type BenchmarkData =
  | { state: "not-allowed"; tenantName: string }
  | { state: "not-a-customer"; tenantName: string }
  | {
      state: "ready";
      tenantName: string;
      query: BenchmarkQuery;
      range: CompareRange;
      groupLabel: string;
      /** What the tenant is grouped by, in words ("Healthcare", "50–249 assets"): its own attributes. */
      groupDetail: string | null;
      /** Every metric too few peers: the page shows only the message. */
      tooFewPeers: boolean;
      noIndustry: boolean;
      metrics: BenchmarkMetric[];
    };

/** The benchmark of the host's tenant `tenantId` for the caller; RLS and the PDP decide. */
export async function loadBenchmark(tx: TenantTx, tenantId: string, query: BenchmarkQuery, now = new Date()): Promise<BenchmarkData | null> {
  const { rows } = await tx.client.query<{ id: string; name: string; kind: string }>(
    "select id, name, kind from public.tenants where id = $1 and status <> 'deprovisioned'",
    [tenantId],
  );
  const t = rows[0];
  if (!t) return null;
  const can = await permissions(tx, ["benchmark:view"], t.id);
  if (!can["benchmark:view"]) return { state: "not-allowed", tenantName: t.name };
  if (t.kind !== "customer") return { state: "not-a-customer", tenantName: t.name };

  const range = presetRange(query.days, now);
  const { rows: answer } = await tx.client.query<{ metric: CompareMetric; own_value: number | null; percentile: number | null; group_size: number | null; status: BenchmarkStatus }>(
    "select metric, own_value, percentile, group_size, status from analytics.peer_benchmark($1, $2, $3::date, ($4::date + 1))",
    [t.id, query.group, range.from, range.to],
  );
  const byMetric = new Map(answer.map((r) => [r.metric, r]));
  const metrics: BenchmarkMetric[] = COMPARE_METRICS.map((m) => {
    const r = byMetric.get(m);
    const ok = r?.status === "ok" && r.group_size !== null && r.group_size >= MIN_PEER_GROUP;
    return {
      metric: m,
      value: r?.own_value ?? null,
      percentile: ok ? r!.percentile : null,
      groupSize: ok ? r!.group_size : null,
      status: r ? (r.status === "ok" && !ok ? "too_few_peers" : r.status) : "no_value",
    };
  });

  let groupDetail: string | null = null;
  if (query.group === "industry") {
    const config = await effectiveConfig(tx, t.id);
    groupDetail = industryLabel(String(config?.value<string>("profile.industry") ?? "unspecified"));
  } else if (query.group === "size") {
    const own = (await customerFigures(tx, [t.id], range)).get(t.id);
    groupDetail = SIZE_BAND_LABELS[own?.sizeBand ?? "none"];
  }
  const noIndustry = metrics.every((m) => m.status === "no_industry");
  const tooFewPeers = !noIndustry && metrics.every((m) => m.status === "too_few_peers" || m.status === "no_value") && metrics.some((m) => m.status === "too_few_peers");
  return {
    state: "ready",
    tenantName: t.name,
    query,
    range,
    groupLabel: BENCHMARK_GROUP_LABELS[query.group],
    groupDetail,
    tooFewPeers,
    noIndustry,
    // With too few peers the page shows nothing but the reason: not even the tenant's own values.
    metrics: tooFewPeers || noIndustry ? [] : metrics,
  };
}
