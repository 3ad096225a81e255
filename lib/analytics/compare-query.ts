// The comparison page's URL state (console /compare), parsed with zod: which
// customers (?c=acme&c=globex, or ?c=acme,globex; at most 10), or a peer
// group (?group=plan:<id> | size:<band> | industry:<value>), which metrics
// (?m=…; all by default) and which UTC days (?days=7|30|90|180|365, or
// ?from=YYYY-MM-DD&to=YYYY-MM-DD, both days included). A value that does not
// parse is dropped with a note saying why, and the rest of the page shows.
import { z } from "zod";
import { daySchema, searchSchema } from "@/lib/url/list-query";
import { COMPARE_METRICS, METRIC_DEFINITIONS, type CompareMetric } from "./compare-metrics";
import { INDUSTRIES, SIZE_BANDS, SIZE_BAND_LABELS, type SizeBand } from "./peers";
import type { TypedRange } from "./range";

export const MAX_COMPARED = 10;
/** The longest range: the rollups answer any, but a year is what a comparison means. */
export const MAX_RANGE_DAYS = 366;
export const RANGE_PRESETS = [7, 30, 90, 180, 365] as const;
export const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

export type PeerGroup = { kind: "plan"; planId: string } | { kind: "size"; band: SizeBand } | { kind: "industry"; industry: string };

export interface CompareRange {
  /** First UTC day, YYYY-MM-DD (inclusive). */
  from: string;
  /** Last UTC day, YYYY-MM-DD (inclusive). */
  to: string;
  days: number;
  /** The preset it came from (null: from/to). */
  preset: number | null;
}

export interface CompareQuery {
  customers: string[];
  group: PeerGroup | null;
  metrics: CompareMetric[];
  range: CompareRange;
  /** The picker's search text. */
  q: string | null;
}

const slugSchema = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "not a customer's name in a link").max(63, "not a customer's name in a link");

/** Said when a group the page used replaced `n` ticked customers (loadComparison's ticksIgnored), rather than drop the ticks unseen. */
export const ticksIgnoredNote = (n: number): string =>
  `Ignored the ${n === 1 ? "customer" : `${n} customers`} ticked: a peer group replaces the chosen customers. To compare ${n === 1 ? "it" : "them"}, choose "— no group: the customers chosen —".`;

/** Said when a link's plan group is a plan not among the page's (loadComparison's groupIgnored). */
export const PLAN_GROUP_IGNORED = "Ignored the peer group: that plan is not one of your customers' plans here; choose a plan from the list.";

const groupSchema = z.string().transform((raw, ctx): PeerGroup => {
  const [kind, value = ""] = raw.split(":", 2);
  if (kind === "plan" && z.uuid().safeParse(value).success) return { kind: "plan", planId: value.toLowerCase() };
  if (kind === "size" && (SIZE_BANDS as readonly string[]).includes(value)) return { kind: "size", band: value as SizeBand };
  if (kind === "industry" && INDUSTRIES.some((i) => i.value === value && i.value !== "unspecified")) return { kind: "industry", industry: value };
  ctx.addIssue({ code: "custom", message: "choose a plan, a size band or an industry from the list" });
  return z.NEVER;
});

const presetSchema = z.coerce
  .number({ error: () => `choose ${RANGE_PRESETS.join(", ")} days` })
  .refine((d) => (RANGE_PRESETS as readonly number[]).includes(d), `choose ${RANGE_PRESETS.join(", ")} days`);

type Params = Record<string, string | string[] | undefined>;

/** Every value of a repeated or comma-separated parameter, trimmed, empty ones left out. */
function listOf(raw: string | string[] | undefined): string[] {
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

const first = (raw: string | string[] | undefined) => (Array.isArray(raw) ? raw[0] : raw)?.trim() || undefined;
const shown = (v: string) => `"${v.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 40)}${v.length > 40 ? "…" : ""}"`;
export const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (day: string, n: number) => utcDay(new Date(new Date(`${day}T00:00:00Z`).getTime() + n * DAY_MS));
const daysBetween = (from: string, to: string) => Math.round((new Date(`${to}T00:00:00Z`).getTime() - new Date(`${from}T00:00:00Z`).getTime()) / DAY_MS) + 1;

export function presetRange(days: number, now: Date): CompareRange {
  const to = utcDay(now);
  return { from: addDays(to, -(days - 1)), to, days, preset: days };
}

/** The day after `to`: the exclusive end the SQL takes. */
export const dayAfter = (day: string) => addDays(day, 1);

export function parseCompareQuery(params: Params, now = new Date()): { query: CompareQuery; problems: string[]; typed: TypedRange | null } {
  const problems: string[] = [];

  const customers: string[] = [];
  for (const c of listOf(params.c)) {
    const p = slugSchema.safeParse(c.toLowerCase());
    if (!p.success) problems.push(`Ignored the customer ${shown(c)}: ${p.error.issues[0]?.message}.`);
    else if (!customers.includes(p.data)) customers.push(p.data);
  }
  if (customers.length > MAX_COMPARED) {
    problems.push(`Compare at most ${MAX_COMPARED} customers at once: kept the first ${MAX_COMPARED} of ${customers.length}.`);
    customers.length = MAX_COMPARED;
  }

  let group: PeerGroup | null = null;
  const g = first(params.group);
  if (g) {
    const p = groupSchema.safeParse(g);
    if (p.success) group = p.data;
    else problems.push(`Ignored the peer group ${shown(g)}: ${p.error.issues[0]?.message}.`);
  }
  // A group replaces the chosen customers, but only a group the page uses (a plan group may still be
  // ignored by loadComparison): the page says so from its data (ComparisonData.ticksIgnored,
  // ticksIgnoredNote), never here.

  const metrics: CompareMetric[] = [];
  for (const m of listOf(params.m)) {
    if ((COMPARE_METRICS as readonly string[]).includes(m)) {
      if (!metrics.includes(m as CompareMetric)) metrics.push(m as CompareMetric);
    } else {
      problems.push(`Ignored the metric ${shown(m)}: not a metric here; choose from ${COMPARE_METRICS.map((x) => METRIC_DEFINITIONS[x].label.toLowerCase()).join(", ")}.`);
    }
  }

  let range = presetRange(DEFAULT_DAYS, now);
  const preset = first(params.days);
  if (preset) {
    const p = presetSchema.safeParse(preset);
    if (p.success) range = presetRange(p.data, now);
    else problems.push(`Ignored the range ${shown(preset)}: ${p.error.issues[0]?.message}.`);
  }
  const fromRaw = first(params.from);
  const toRaw = first(params.to);
  let typed: TypedRange | null = null;
  if (fromRaw || toRaw) {
    const from = fromRaw ? daySchema.safeParse(fromRaw) : null;
    const to = toRaw ? daySchema.safeParse(toRaw) : null;
    if (from && !from.success) problems.push(`Ignored the start ${shown(fromRaw!)}: ${from.error.issues[0]?.message}.`);
    if (to && !to.success) problems.push(`Ignored the end ${shown(toRaw!)}: ${to.error.issues[0]?.message}.`);
    if ((!from || from.success) && (!to || to.success)) {
      const end = to?.success ? to.data : utcDay(now);
      const start = from?.success ? from.data : addDays(end, -(DEFAULT_DAYS - 1));
      const days = daysBetween(start, end);
      if (days < 1) problems.push(`Ignored the range ${start} to ${end}: it ends before it starts; the start comes first.`);
      else if (days > MAX_RANGE_DAYS) problems.push(`Ignored the range ${start} to ${end}: ${days} days is too long; compare at most ${MAX_RANGE_DAYS} days.`);
      else range = { from: start, to: end, days, preset: null };
    }
    if (range.preset !== null) typed = { from: (fromRaw ?? "").slice(0, 10), to: (toRaw ?? "").slice(0, 10) };
  }

  const q = first(params.q);
  let search: string | null = null;
  if (q) {
    const p = searchSchema.safeParse(q);
    if (p.success) search = p.data || null;
    else problems.push(`Ignored the search ${shown(q)}: ${p.error.issues[0]?.message}.`);
  }

  return { query: { customers, group, metrics: metrics.length ? metrics : [...COMPARE_METRICS], range, q: search }, problems, typed };
}

export const groupParam = (g: PeerGroup | null): string | null =>
  g === null ? null : g.kind === "plan" ? `plan:${g.planId}` : g.kind === "size" ? `size:${g.band}` : `industry:${g.industry}`;

export const groupLabel = (g: PeerGroup, planName?: string): string =>
  g.kind === "plan" ? `Plan: ${planName ?? "unknown plan"}` : g.kind === "size" ? `Size: ${SIZE_BAND_LABELS[g.band]}` : `Industry: ${INDUSTRIES.find((i) => i.value === g.industry)?.label ?? g.industry}`;

/** The page's URL for a query (defaults left out). */
export function compareHref(q: Partial<CompareQuery>): string {
  const p = new URLSearchParams();
  for (const c of q.customers ?? []) p.append("c", c);
  const group = groupParam(q.group ?? null);
  if (group) p.set("group", group);
  if (q.metrics && q.metrics.length < COMPARE_METRICS.length) p.set("m", q.metrics.join(","));
  if (q.range) {
    if (q.range.preset !== null) {
      if (q.range.preset !== DEFAULT_DAYS) p.set("days", String(q.range.preset));
    } else {
      p.set("from", q.range.from);
      p.set("to", q.range.to);
    }
  }
  if (q.q) p.set("q", q.q);
  const s = p.toString();
  return s ? `/compare?${s}` : "/compare";
}
