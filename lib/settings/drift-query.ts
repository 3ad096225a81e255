// The drift report's URL state (console /configuration?q=&setting=&page=),
// parsed with lib/url/list-query: a value that does not parse is dropped with
// a note, never an error page. Which settings the report compares lives here
// too, so the parser names only those.
import { z } from "zod";
import { listHref, pageSchema, parseListQuery, searchSchema } from "@/lib/url/list-query";
import { SETTINGS, type SettingGroup } from "./registry";

// Settings that describe a customer (its industry, its brand) are meant to differ from the
// MSSP's: they are not drift, and would bury the configuration that does drift.
const DESCRIBES_THE_CUSTOMER: readonly SettingGroup[] = ["profile", "branding"];

/** The settings the report compares, in the registry's order. */
export const DRIFT_SETTINGS = SETTINGS.filter((d) => !DESCRIBES_THE_CUSTOMER.includes(d.group));

/** Customers per page of the report. */
export const DRIFT_PAGE_SIZE = 50;

export interface DriftQuery {
  /** Part of a customer's name or slug. */
  q: string | null;
  /** Only customers that differ on this setting (a key of DRIFT_SETTINGS). */
  setting: string | null;
  page: number;
}

export const DEFAULT_DRIFT_QUERY: DriftQuery = { q: null, setting: null, page: 1 };

const settingSchema = z
  .string()
  .trim()
  .refine((key) => DRIFT_SETTINGS.some((d) => d.key === key), { error: "not a setting the report compares (pick one from the list)" });

export function parseDriftQuery(params: Record<string, string | string[] | undefined>): { query: DriftQuery; problems: string[] } {
  return parseListQuery<DriftQuery>(
    params,
    { q: searchSchema.transform((s) => s || null), setting: settingSchema, page: pageSchema },
    { q: "search", setting: "setting filter", page: "page" },
    DEFAULT_DRIFT_QUERY,
  );
}

/** The report's URL for a query (defaults left out; a changed filter should pass page 1). */
export const driftHref = (q: Partial<DriftQuery>): string => `/configuration${listHref({ ...DEFAULT_DRIFT_QUERY, ...q }, DEFAULT_DRIFT_QUERY)}`;
