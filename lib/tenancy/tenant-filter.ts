// A list page's tenant filter (the alert list, the audit trail), for a few
// tenants and for a thousand.
//
// A customer with its sites picks from a list. An MSSP operator sees every
// customer: a list of 1,617 names is no way to find one, and every render of
// the console's list pages carried all of them twice (as HTML and again in the
// inline RSC payload). Past TENANT_SELECT_UP_TO tenants the filter is a text
// field instead: a tenant's slug or its name, or enough of either to name one
// tenant; several matches are offered as links. Still a plain GET form (the
// URL is the state; works without JavaScript). components/tenants/tenant-filter.tsx
// draws it.
import { z } from "zod";

/** Up to this many tenants the filter is a list to pick from; past it, a text field. */
export const TENANT_SELECT_UP_TO = 50;

/** At most this many matches are offered when what was typed names several tenants. */
export const TENANT_MATCHES_SHOWN = 10;

export interface TenantChoice {
  slug: string;
  name: string;
}

/** `?tenant=`: a slug or (past TENANT_SELECT_UP_TO tenants) a name, or part of either. */
export const tenantFilterSchema = z
  .string()
  .trim()
  .min(1)
  .max(100, { error: "at most 100 characters" })
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: "no control characters" });

export interface ResolvedTenantFilter {
  /** The tenant the list is filtered to; null when what was typed names none or several. */
  chosen: TenantChoice | null;
  /** When `chosen` is null: the tenants it matches (at most TENANT_MATCHES_SHOWN), by name. */
  matches: TenantChoice[];
  /** How many tenants it matches in all. */
  matchCount: number;
}

/**
 * Which of `choices` (the tenants the caller may read) `typed` names: a slug
 * exactly, else a name exactly (ignoring case), else the one tenant whose name
 * or slug contains it. Anything else chooses none, so the list never widens
 * to every tenant on a typo.
 */
export function resolveTenantFilter(choices: readonly TenantChoice[], typed: string): ResolvedTenantFilter {
  const bySlug = choices.find((c) => c.slug === typed);
  if (bySlug) return { chosen: bySlug, matches: [], matchCount: 1 };
  const wanted = typed.toLocaleLowerCase("en");
  const named = choices.filter((c) => c.name.toLocaleLowerCase("en") === wanted);
  if (named.length === 1) return { chosen: named[0], matches: [], matchCount: 1 };
  const found = named.length > 1 ? named : choices.filter((c) => c.name.toLocaleLowerCase("en").includes(wanted) || c.slug.includes(wanted));
  if (found.length === 1) return { chosen: found[0], matches: [], matchCount: 1 };
  const matches = [...found].sort((a, b) => a.name.localeCompare(b.name, "en") || a.slug.localeCompare(b.slug)).slice(0, TENANT_MATCHES_SHOWN);
  return { chosen: null, matches, matchCount: found.length };
}

export interface TenantFilterState {
  /** The filter's choices when it is a list (up to TENANT_SELECT_UP_TO tenants); else none. */
  tenants: TenantChoice[];
  /** How many tenants there are to choose from (the filter is a text field past TENANT_SELECT_UP_TO). */
  tenantCount: number;
  /** What `?tenant=` named, when given. */
  tenantFilter: ResolvedTenantFilter | null;
}

/**
 * The list's filters with `?tenant=` resolved to the slug it names (left as
 * typed, so nothing matches, while it names none or several), and what the
 * page shows of the tenant filter. `choices`: the tenants the caller may read.
 */
export function applyTenantFilter<F extends { tenant?: string }>(filters: F, choices: TenantChoice[]): { listed: F } & TenantFilterState {
  const tenantFilter = filters.tenant ? resolveTenantFilter(choices, filters.tenant) : null;
  return {
    listed: tenantFilter?.chosen ? { ...filters, tenant: tenantFilter.chosen.slug } : filters,
    tenants: choices.length <= TENANT_SELECT_UP_TO ? choices : [],
    tenantCount: choices.length,
    tenantFilter,
  };
}

/** Whether the list is shown: no ?tenant=, or one naming a single tenant (else the page offers the matches). */
export function tenantNamed(found: ResolvedTenantFilter | null): boolean {
  return !found || found.chosen !== null;
}
