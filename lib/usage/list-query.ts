// The console usage table's URL state (?q=&sort=&dir=&page=), parsed with
// lib/url/list-query: a value that does not parse is dropped with a note.
import { choiceSchema, containsPattern, listHref, pageSchema, parseListQuery, searchSchema } from "@/lib/url/list-query";
import type { CustomerUsageRow } from "./page-data";
import { METRIC_DEFINITIONS, USAGE_METRICS } from "./metrics";

export const USAGE_SORTS = ["name", "limit", ...USAGE_METRICS] as const;
export type UsageSort = (typeof USAGE_SORTS)[number];
export const PAGE_SIZE = 50;

export interface UsageListQuery {
  q: string | null;
  sort: UsageSort;
  dir: "asc" | "desc";
  page: number;
}

export const USAGE_LIST_DEFAULTS: UsageListQuery = { q: null, sort: "limit", dir: "desc", page: 1 };

const sortLabel = (s: UsageSort) => (s === "name" ? "name" : s === "limit" ? "% of limit" : METRIC_DEFINITIONS[s].label.toLowerCase());

export function parseUsageListQuery(params: Record<string, string | string[] | undefined>): { query: UsageListQuery; problems: string[] } {
  return parseListQuery<UsageListQuery>(
    params,
    {
      q: searchSchema.transform((s) => s || null),
      sort: choiceSchema(USAGE_SORTS, sortLabel),
      dir: choiceSchema(["asc", "desc"] as const, (d) => d),
      page: pageSchema,
    },
    { q: "search", sort: "sort", dir: "order", page: "page" },
    USAGE_LIST_DEFAULTS,
  );
}

export const usageListHref = (q: Partial<UsageListQuery>): string => listHref({ ...USAGE_LIST_DEFAULTS, ...q }, USAGE_LIST_DEFAULTS);

/** Filters, sorts and pages the rows as the query says (ties broken by name). */
export function applyUsageQuery(rows: readonly CustomerUsageRow[], q: UsageListQuery): { rows: CustomerUsageRow[]; total: number; pages: number; page: number } {
  const needle = containsPattern(q.q) ? q.q!.toLowerCase() : null;
  const filtered = needle ? rows.filter((r) => r.name.toLowerCase().includes(needle) || r.slug.includes(needle)) : [...rows];
  const key = (r: CustomerUsageRow): number | string =>
    q.sort === "name" ? r.name.toLowerCase() : q.sort === "limit" ? (r.maxPercent ?? -1) : r.metrics[q.sort].value;
  const sign = q.dir === "asc" ? 1 : -1;
  filtered.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return c !== 0 ? c * sign : a.name.localeCompare(b.name);
  });
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
  const page = Math.min(q.page, pages);
  return { rows: filtered.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), total: filtered.length, pages, page };
}
