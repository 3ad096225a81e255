// The dashboard's URL state (/dashboard on both hosts): time range, scope
// (a tenant of the subtree picker: its slug from the list, or past
// TENANT_SELECT_UP_TO tenants a name or slug typed, which loadDashboard
// resolves; lib/tenancy/tenant-filter.ts) and the trend metric, parsed
// with zod. A value that does not parse is dropped with a note saying why,
// and the default is used: a mistyped or stale link shows the dashboard,
// never an error page.
import { z } from "zod";
import { tenantFilterSchema } from "@/lib/tenancy/tenant-filter";
import { daySchema } from "@/lib/url/list-query";

export const RANGE_PRESETS = ["7d", "30d", "90d", "custom"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const RANGE_LABELS: Record<RangePreset, string> = { "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days", custom: "Custom" };
const PRESET_DAYS: Record<Exclude<RangePreset, "custom">, number> = { "7d": 7, "30d": 30, "90d": 90 };

/** What the severity-over-time chart counts per day. */
export const TREND_METRICS = ["created", "closed", "open"] as const;
export type TrendMetric = (typeof TREND_METRICS)[number];
export const METRIC_LABELS: Record<TrendMetric, string> = {
  created: "New alerts per day",
  closed: "Alerts closed per day",
  open: "Open at the end of each day",
};

/** The longest custom range, in days (both ends included). */
export const MAX_RANGE_DAYS = 400;

export interface DashboardQuery {
  range: RangePreset;
  /** UTC days, inclusive; set for every preset too (computed from today). */
  from: string;
  to: string;
  metric: TrendMetric;
  /** A tenant narrowing the scope: a slug, or a name or slug as typed (loadDashboard resolves it to a slug); null: the whole scope of the host. */
  scope: string | null;
}

const DAY_MS = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
export const daysInRange = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;


type Params = Record<string, string | string[] | undefined>;
const one = (p: Params, k: string) => {
  const v = p[k];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === "" ? undefined : s;
};
const shown = (v: string) => `"${v.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 40)}${v.length > 40 ? "…" : ""}"`;

/** A custom range that was refused, as typed: the form shows it again beside the note, to be corrected. */
export interface TypedRange {
  from: string;
  to: string;
}

/** A preset's UTC days ending `today`, both included. */
const presetRange = (range: Exclude<RangePreset, "custom">, today: string) => ({ range, from: dayOf(Date.parse(`${today}T00:00:00Z`) - (PRESET_DAYS[range] - 1) * DAY_MS), to: today });

/** Every preset's days as of `today`: the form shows them in its day fields when a preset is chosen. */
export function presetDays(today: string = dayOf(Date.now())): Record<string, TypedRange> {
  return Object.fromEntries((Object.keys(PRESET_DAYS) as Exclude<RangePreset, "custom">[]).map((r) => {
    const { from, to } = presetRange(r, today);
    return [r, { from, to }];
  }));
}

/** Parses the dashboard's search params; `today` (UTC day) is passed in so tests use a fixed clock. */
export function parseDashboardQuery(params: Params, today: string = dayOf(Date.now())): { query: DashboardQuery; problems: string[]; typed: TypedRange | null } {
  const problems: string[] = [];
  const preset = (range: Exclude<RangePreset, "custom">) => presetRange(range, today);
  let r: { range: RangePreset; from: string; to: string } = preset("30d");
  let typed: TypedRange | null = null;

  const rawRange = one(params, "range");
  const rawFrom = one(params, "from");
  const rawTo = one(params, "to");
  const range = rawRange === undefined ? undefined : z.enum(RANGE_PRESETS).safeParse(rawRange.trim());
  if (range && !range.success) problems.push(`Ignored the time range ${shown(rawRange!)}: choose 7d, 30d, 90d or custom. Showing the last 30 days.`);
  const wantsCustom = range?.success ? range.data === "custom" : rawRange === undefined && (rawFrom !== undefined || rawTo !== undefined);
  if (range?.success && range.data !== "custom") r = preset(range.data);
  else if (wantsCustom) {
    const from = rawFrom === undefined ? undefined : daySchema.safeParse(rawFrom);
    const to = rawTo === undefined ? undefined : daySchema.safeParse(rawTo);
    if (!from || !to) problems.push("A custom range needs both a start and an end day (YYYY-MM-DD). Showing the last 30 days.");
    else if (!from.success) problems.push(`Ignored the start day ${shown(rawFrom!)}: ${from.error.issues[0]?.message ?? "not a date"}. Showing the last 30 days.`);
    else if (!to.success) problems.push(`Ignored the end day ${shown(rawTo!)}: ${to.error.issues[0]?.message ?? "not a date"}. Showing the last 30 days.`);
    else if (from.data > to.data) problems.push(`The range starts (${from.data}) after it ends (${to.data}): swap the days. Showing the last 30 days.`);
    else if (daysInRange(from.data, to.data) > MAX_RANGE_DAYS)
      problems.push(`The range ${from.data} to ${to.data} is ${daysInRange(from.data, to.data)} days long; the longest is ${MAX_RANGE_DAYS}. Showing the last 30 days.`);
    else r = { range: "custom", from: from.data, to: to.data };
    if (r.range !== "custom") typed = { from: (rawFrom ?? "").slice(0, 10), to: (rawTo ?? "").slice(0, 10) };
  }

  let metric: TrendMetric = "created";
  const rawMetric = one(params, "metric");
  if (rawMetric !== undefined) {
    const m = z.enum(TREND_METRICS).safeParse(rawMetric.trim());
    if (m.success) metric = m.data;
    else problems.push(`Ignored the metric ${shown(rawMetric)}: choose one of ${TREND_METRICS.join(", ")}. Showing new alerts per day.`);
  }

  let scope: string | null = null;
  const rawScope = one(params, "scope");
  if (rawScope !== undefined) {
    const s = tenantFilterSchema.safeParse(rawScope);
    if (s.success) scope = s.data;
    else problems.push(`Ignored the scope ${shown(rawScope)}: ${s.error.issues[0]?.message ?? "not valid"}. Showing everything you can see.`);
  }
  return { query: { ...r, metric, scope }, problems, typed };
}

/** The dashboard's href for a query (only what differs from the defaults). */
export function dashboardHref(q: Pick<DashboardQuery, "range" | "from" | "to" | "metric" | "scope">): string {
  const p = new URLSearchParams();
  if (q.scope) p.set("scope", q.scope);
  if (q.range !== "30d") p.set("range", q.range);
  if (q.range === "custom") {
    p.set("from", q.from);
    p.set("to", q.to);
  }
  if (q.metric !== "created") p.set("metric", q.metric);
  const s = p.toString();
  return s ? `/dashboard?${s}` : "/dashboard";
}
