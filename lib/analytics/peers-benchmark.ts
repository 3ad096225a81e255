// The tenant host's /benchmark (docs/console.md "Comparison and
// benchmarking"): a customer's own value and percentile per metric among
// anonymous peers. The peers' figures never reach this process:
// analytics.peer_benchmark (security definer, migrations 20261201016500 and
// 20261201029600) ranks them inside the database among the customers the
// caller cannot see, and returns only the caller's own value, its percentile
// and the group's size as a band, and nothing for fewer than 5 such peers or
// for a group that differs from "all" by 1 to 4 of them. The PDP's
// benchmark:view is asked first, and alerts:read for the customer's own
// tenants: the denied ones are left out of its own value, as on the dashboard.
import { z } from "zod";
import { readableAlertTenants } from "@/lib/alerts/access";
import { permissions } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfig } from "@/lib/settings";
import { choiceSchema, parseListQuery } from "@/lib/url/list-query";
import { COMPARE_METRICS, type CompareMetric } from "./compare-metrics";
import { customerFigures } from "./compare";
import { DEFAULT_DAYS, presetRange, RANGE_PRESETS, type CompareRange } from "./compare-query";
import { BENCHMARK_GROUP_LABELS, BENCHMARK_GROUPS, industryLabel, SIZE_BAND_LABELS, type BenchmarkGroup } from "./peers";

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

/** group_near_all: the group and "all" differ by 1 to 4 peers, so setting one against the other could single a customer out. */
export type BenchmarkStatus = "ok" | "too_few_peers" | "group_near_all" | "no_value" | "no_industry";

/** The bands analytics.peer_benchmark gives the peers' count in, as the page words them: never the count itself. */
export const PEER_BANDS: Record<string, string> = { "5-9": "5–9", "10-19": "10–19", "20+": "20 or more" };

export interface BenchmarkMetric {
  metric: CompareMetric;
  /** The tenant's own value (its own figure: never a peer's). */
  value: number | null;
  /** 0–100, higher is better; null unless status is ok. */
  percentile: number | null;
  /** How many anonymous peers (the others with a value) the percentile is among, as a band ("5-9", a key of PEER_BANDS); null unless status is ok. */
  peersBand: string | null;
  status: BenchmarkStatus;
}

export type BenchmarkData =
  | { state: "not-allowed"; tenantName: string }
  | { state: "not-a-customer"; tenantName: string }
  | { state: "not-active"; tenantName: string }
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
      /** Every metric withheld because the group is all customers but 1 to 4: only the message. */
      nearAll: boolean;
      /** The caller holds other customers of this provider (or the provider): those are not its anonymous peers. */
      holdsOtherCustomers: boolean;
      /** The customer's own tenants whose alerts the PDP denies the caller: left out of its own values. */
      hiddenTenants: number;
      noIndustry: boolean;
      metrics: BenchmarkMetric[];
    };

/** `path` is `ancestor` or below it (ltree paths as text). */
const within = (path: string, ancestor: string) => path === ancestor || path.startsWith(`${ancestor}.`);

/** The benchmark of the host's tenant `tenantId` for the caller; RLS and the PDP decide. */
export async function loadBenchmark(tx: TenantTx, tenantId: string, query: BenchmarkQuery, now = new Date()): Promise<BenchmarkData | null> {
  const { rows } = await tx.client.query<{ id: string; name: string; kind: string; status: string; path: string }>(
    "select id, name, kind, status, path::text as path from public.tenants where id = $1 and status <> 'deprovisioned'",
    [tenantId],
  );
  const t = rows[0];
  if (!t) return null;
  const can = await permissions(tx, ["benchmark:view"], t.id);
  if (!can["benchmark:view"]) return { state: "not-allowed", tenantName: t.name };
  if (t.kind !== "customer") return { state: "not-a-customer", tenantName: t.name };
  // The database answers nothing for a suspended or provisioning customer: say why rather than "no value".
  if (t.status !== "active") return { state: "not-active", tenantName: t.name };

  // The customer's own tenants the PDP lets the caller read alerts of, as the dashboard counts them.
  const { rows: subtree } = await tx.client.query<{ id: string }>(
    "select id from public.tenants where path operator(extensions.<@) $1::extensions.ltree",
    [t.path],
  );
  const readable = await readableAlertTenants(tx);
  const own = subtree.filter((r) => readable.has(r.id)).map((r) => r.id);
  const hiddenTenants = subtree.length - own.length;

  const range = presetRange(query.days, now);
  const { rows: answer } = await tx.client.query<{ metric: CompareMetric; own_value: number | null; percentile: number | null; group_size: string | null; status: BenchmarkStatus }>(
    "select metric, own_value, percentile, group_size, status from analytics.peer_benchmark($1, $2, $3::date, ($4::date + 1), $5::uuid[])",
    // null when nothing is denied: the whole subtree, which the function reads from its blocks.
    [t.id, query.group, range.from, range.to, hiddenTenants === 0 ? null : own],
  );
  const byMetric = new Map(answer.map((r) => [r.metric, r]));
  const metrics: BenchmarkMetric[] = COMPARE_METRICS.map((m) => {
    const r = byMetric.get(m);
    const band = r?.group_size && r.group_size in PEER_BANDS ? r.group_size : undefined;
    const ok = r?.status === "ok" && band !== undefined && r.percentile !== null;
    return {
      metric: m,
      value: r?.own_value ?? null,
      percentile: ok ? r!.percentile : null,
      peersBand: ok ? band! : null,
      status: r ? (r.status === "ok" && !ok ? "too_few_peers" : r.status) : "no_value",
    };
  });

  let groupDetail: string | null = null;
  if (query.group === "industry") {
    const config = await effectiveConfig(tx, t.id);
    groupDetail = industryLabel(String(config?.value<string>("profile.industry") ?? "unspecified"));
  } else if (query.group === "size") {
    const figures = (await customerFigures(tx, [t.id], range)).get(t.id);
    groupDetail = SIZE_BAND_LABELS[figures?.sizeBand ?? "none"];
  }
  const parentPath = t.path.split(".").slice(0, -1).join(".");
  const holdsOtherCustomers = tx.claims.tenants.some((m) => within(parentPath, m.path) || (within(m.path, parentPath) && !within(m.path, t.path)));
  const noIndustry = metrics.every((m) => m.status === "no_industry");
  const withheld = (s: BenchmarkStatus) => s === "too_few_peers" || s === "group_near_all" || s === "no_value";
  const allWithheld = !noIndustry && metrics.every((m) => withheld(m.status));
  const tooFewPeers = allWithheld && metrics.some((m) => m.status === "too_few_peers");
  const nearAll = allWithheld && !tooFewPeers && metrics.some((m) => m.status === "group_near_all");
  return {
    state: "ready",
    tenantName: t.name,
    query,
    range,
    groupLabel: BENCHMARK_GROUP_LABELS[query.group],
    groupDetail,
    tooFewPeers,
    nearAll,
    noIndustry,
    holdsOtherCustomers,
    hiddenTenants,
    // With too few peers the page shows nothing but the reason: not even the tenant's own values.
    metrics: tooFewPeers || nearAll || noIndustry ? [] : metrics,
  };
}
