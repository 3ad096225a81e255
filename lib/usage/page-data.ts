// What the usage pages show (docs/usage.md), each read asked of the PDP
// (billing:view, per tenant) before RLS hands out any row:
//   loadTenantUsage   one tenant (its subtree): this month against its limits,
//                     the last 30 days per metric (tenant host /usage, and the
//                     console's /usage/<slug>)
//   loadCustomerUsage every customer the caller operates: this month's usage
//                     and % of limit, sortable (console /usage)
import { checkActionsForEach, permissions, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { effectiveConfigs, type EffectiveConfig } from "@/lib/settings";
import { apiRateOf, closestLimit, LIMITED_METRICS, type LimitCandidate, type LimitUse } from "./limits";
import { METRIC_DEFINITIONS, USAGE_METRICS, type MetricKind, type UsageMetric } from "./metrics";
import { usageEmptyState, type UsageAudience, type UsageEmptyState } from "./empty-state";
import { DAY_MS, utcDay } from "./rollup";
import { monthStart, ownMonthAndDays, ownPeaks, subtreeMonthAndDays, subtreeTotals, type DayUsage, type MetricTotals, type OwnPeak } from "./read";

export interface MetricRow {
  metric: UsageMetric;
  label: string;
  unit: string;
  kind: MetricKind;
  recordedBy: string;
  totals: MetricTotals;
  limit: LimitUse | null;
}

export interface TenantUsageData {
  tenant: { id: string; slug: string; name: string; kind: string };
  allowed: boolean;
  /** YYYY-MM (UTC). */
  month: string;
  metrics: MetricRow[];
  days: DayUsage[];
  apiRatePerMinute: number | null;
  hasData: boolean;
  /** Tenants below the page's whose usage the PDP does not let the caller see (billing:view): left out of every figure. */
  hidden: number;
  /** What the page says while nothing is metered (null once there is usage, or for a caller who may not see it). */
  empty: UsageEmptyState | null;
}

const rowsOf = (totals: Record<UsageMetric, MetricTotals>, limitOf: (m: UsageMetric) => LimitUse | null): MetricRow[] =>
  USAGE_METRICS.map((m) => {
    const d = METRIC_DEFINITIONS[m];
    return { metric: m, label: d.label, unit: d.unit, kind: d.kind, recordedBy: d.recordedBy, totals: totals[m], limit: limitOf(m) };
  });

type Root = { id: string; slug: string; name: string; path: string };

/**
 * Each root's limit figures from its subtree's tenants' own peaks: the root first (so a subtree with no
 * use shows the root's limit), then each tenant with use. `peaks` may hold tenants of no root (left out).
 */
async function limitsByRoot(
  tx: TenantTx,
  roots: readonly Root[],
  peaks: readonly OwnPeak[],
): Promise<{ limitsOf: Map<string, (m: UsageMetric) => LimitUse | null>; configs: Map<string, EffectiveConfig> }> {
  const rootByPath = new Map(roots.map((r) => [r.path, r.id]));
  const rootOf = (path: string) => {
    const labels = path.split(".");
    for (let n = 1; n <= labels.length; n++) {
      const id = rootByPath.get(labels.slice(0, n).join("."));
      if (id) return id;
    }
    return null;
  };
  const perRoot = new Map<string, OwnPeak[]>(roots.map((r) => [r.id, []]));
  for (const p of peaks) {
    const root = rootOf(p.path);
    if (root) perRoot.get(root)!.push(p);
  }
  const configs = await effectiveConfigs(tx, [...new Set([...roots.map((r) => r.id), ...[...perRoot.values()].flat().map((p) => p.tenantId)])]);
  const limitsOf = new Map(
    roots.map((r) => {
      const own = perRoot.get(r.id)!;
      return [
        r.id,
        (m: UsageMetric) => {
          const candidates: LimitCandidate[] = [{ tenant: { id: r.id, slug: r.slug, name: r.name }, used: own.find((p) => p.tenantId === r.id && p.metric === m)?.peak ?? 0, config: configs.get(r.id) }];
          for (const p of own) {
            if (p.metric === m && p.tenantId !== r.id) candidates.push({ tenant: { id: p.tenantId, slug: p.slug, name: p.name }, used: p.peak, config: configs.get(p.tenantId) });
          }
          return closestLimit(m, candidates);
        },
      ];
    }),
  );
  // The roots' configurations too (read with the rest: a page asks them for more than its limits).
  return { limitsOf, configs };
}

/**
 * The tenants below `root` the PDP does not let the caller see usage of (billing:view per tenant, as
 * loadCustomerUsage asks per customer): a scoped policy may deny a customer or a site under a root the
 * caller may see. Each tenant is judged on its own (a denied customer's allowed site still counts).
 */
async function deniedBelow(tx: TenantTx, root: { id: string; path: string }): Promise<Set<string>> {
  const { rows } = await tx.client.query<TenantResource>(
    "select id, path::text as path, kind, status from public.tenants where path operator(extensions.<@) $1::extensions.ltree and id <> $2",
    [root.path, root.id],
  );
  if (rows.length === 0) return new Set();
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), ["billing:view"], rows);
  return new Set(rows.filter((r) => !decisions.get(r.id)?.["billing:view"]).map((r) => r.id));
}

/** Every tenant of the subtree at `path` (the caller sees, RLS) but `denied`. */
async function allowedIn(tx: TenantTx, path: string, denied: ReadonlySet<string>): Promise<string[]> {
  const { rows } = await tx.client.query<{ id: string }>("select id from public.tenants where path operator(extensions.<@) $1::extensions.ltree and not (id = any ($2::uuid[]))", [
    path,
    [...denied],
  ]);
  return rows.map((r) => r.id);
}

/** The usage page of tenant `slug`; null when the caller cannot see it. */
/**
 * `audience`: who reads it, for the words of the empty state (the customer on its own host, with
 * whether they may create API keys asked of the PDP only then; an operator on the console).
 */
export async function loadTenantUsage(tx: TenantTx, slug: string, now = new Date(), audience: Omit<Extract<UsageAudience, { kind: "tenant" }>, "canManageKeys"> | { kind: "console" } = { kind: "console" }): Promise<TenantUsageData | null> {
  const { rows } = await tx.client.query<{ id: string; slug: string; name: string; kind: string; path: string }>(
    "select id, slug, name, kind, path::text as path from public.tenants where slug = $1 and status <> 'deprovisioned'",
    [slug],
  );
  const row = rows[0];
  if (!row) return null;
  const { path, ...t } = row;
  const month = monthStart(now);
  const base = { tenant: t, month: month.toISOString().slice(0, 7), metrics: [], days: [], apiRatePerMinute: null, hasData: false, hidden: 0, empty: null };
  const can = await permissions(tx, ["billing:view"], t.id);
  if (!can["billing:view"]) return { ...base, allowed: false };
  const denied = await deniedBelow(tx, row);
  const tomorrow = new Date(utcDay(now).getTime() + DAY_MS);
  const daysFrom = new Date(tomorrow.getTime() - 30 * DAY_MS);
  // The month's totals and the last 30 days in one pass over the daily rollups (they overlap). The
  // subtree's sums when the PDP allows every tenant of it (nearly always); otherwise the allowed
  // tenants' own rows, as the console's list leaves a denied customer out.
  const { totals, days } = denied.size === 0
    ? await subtreeMonthAndDays(tx, t.id, month, daysFrom, tomorrow)
    : await ownMonthAndDays(tx, await allowedIn(tx, path, denied), month, daysFrom, tomorrow);
  const peaks = (await ownPeaks(tx, path, LIMITED_METRICS, month, tomorrow)).filter((p) => !denied.has(p.tenantId));
  const { limitsOf, configs } = await limitsByRoot(tx, [row], peaks);
  const hasData = days.some((d) => USAGE_METRICS.some((m) => d.values[m] > 0)) || USAGE_METRICS.some((m) => totals[m].value > 0);
  const empty = hasData
    ? null
    : usageEmptyState(
        t.name,
        audience.kind === "tenant" ? { ...audience, canManageKeys: (await permissions(tx, ["apikeys:manage"], t.id))["apikeys:manage"] } : audience,
      );
  return {
    ...base,
    hidden: denied.size,
    allowed: true,
    metrics: rowsOf(totals, limitsOf.get(t.id)!),
    days,
    apiRatePerMinute: apiRateOf(configs.get(t.id)),
    hasData,
    empty,
  };
}

export interface CustomerUsageRow {
  id: string;
  slug: string;
  name: string;
  status: string;
  metrics: Record<UsageMetric, { value: number; limit: LimitUse | null }>;
  /** The highest % of any limit (for sorting by "closest to a limit"). */
  maxPercent: number | null;
}

export interface CustomerUsageData {
  month: string;
  rows: CustomerUsageRow[];
  /** Customers the PDP does not let the caller see usage of (left out). */
  hidden: number;
}

/** True when no listed customer has any usage this month: the console page then says where usage comes from. */
export function nothingMetered(rows: readonly CustomerUsageRow[]): boolean {
  return rows.every((r) => USAGE_METRICS.every((m) => r.metrics[m].value === 0));
}

/** Every metric with where its readings come from, in words (the usage pages' empty states). */
export const USAGE_SOURCES = USAGE_METRICS.map((m) => ({ metric: m, label: METRIC_DEFINITIONS[m].label, text: METRIC_DEFINITIONS[m].recordedBy }));

/** Every customer the caller sees (RLS) and may read usage of (PDP billing:view), this month. */
export async function loadCustomerUsage(tx: TenantTx, now = new Date()): Promise<CustomerUsageData> {
  const month = monthStart(now);
  const { rows } = await tx.client.query<TenantResource & { slug: string; name: string; path: string }>(
    "select id, slug, name, path::text as path, kind, status from public.tenants where kind = 'customer' and status <> 'deprovisioned' order by name",
  );
  const base = { month: month.toISOString().slice(0, 7) };
  if (rows.length === 0) return { ...base, rows: [], hidden: 0 };
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), ["billing:view"], rows);
  const allowed = rows.filter((r) => decisions.get(r.id)?.["billing:view"]);
  const ids = allowed.map((r) => r.id);
  const tomorrow = new Date(utcDay(now).getTime() + DAY_MS);
  const totals = await subtreeTotals(tx, ids, month, tomorrow);
  // Every tenant the caller sees: the customers' subtrees are nearly all of them.
  const { limitsOf: limits } = await limitsByRoot(tx, allowed, await ownPeaks(tx, null, LIMITED_METRICS, month, tomorrow));
  return {
    ...base,
    hidden: rows.length - allowed.length,
    rows: allowed.map((r) => {
      const t = totals.get(r.id)!;
      const limitOf = limits.get(r.id)!;
      const metrics = Object.fromEntries(USAGE_METRICS.map((m) => [m, { value: t[m].value, limit: limitOf(m) }])) as CustomerUsageRow["metrics"];
      const percents = USAGE_METRICS.map((m) => metrics[m].limit?.percent).filter((p): p is number => p !== null && p !== undefined);
      return { id: r.id, slug: r.slug, name: r.name, status: r.status, metrics, maxPercent: percents.length ? Math.max(...percents) : null };
    }),
  };
}
