// Every console control that offers one choice per tenant, for a few tenants
// and for a thousand: the list pages' tenant filter (the alert list, the audit
// trail), the dashboard's scope, the reports' and the legacy import's tenant,
// the bulk wizard's root and TenantPicker (team, credentials).
//
// A customer with its sites picks from a list. An MSSP operator sees every
// customer: a list of 1,617 names is no way to find one, and every render of
// the console's list pages carried all of them twice (as HTML and again in the
// inline RSC payload). Past TENANT_SELECT_UP_TO tenants the filter is a text
// field instead: a tenant's slug or its name, or enough of either to name one
// tenant; several matches are offered as links. Still a plain GET form (the
// URL is the state; works without JavaScript). components/tenants/tenant-filter.tsx
// draws it. A POST form (a server action) sends what was typed in place of the
// tenant's id, and the action resolves it with tenantNamedBy among the tenants
// RLS shows the caller and the PDP allows the action on: a name naming none or
// several is refused with a message (TenantNotNamed), nothing done.
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

export interface ResolvedTenantFilter<C extends TenantChoice = TenantChoice> {
  /** The tenant the list is filtered to; null when what was typed names none or several. */
  chosen: C | null;
  /** When `chosen` is null: the tenants it matches (at most TENANT_MATCHES_SHOWN), by name. */
  matches: C[];
  /** How many tenants it matches in all. */
  matchCount: number;
}

/**
 * Which of `choices` (the tenants the caller may read) `typed` names: a slug
 * exactly, else a name exactly (ignoring case), else the one tenant whose name
 * or slug contains it. Anything else chooses none, so the list never widens
 * to every tenant on a typo.
 */
export function resolveTenantFilter<C extends TenantChoice>(choices: readonly C[], typed: string): ResolvedTenantFilter<C> {
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

/**
 * What a text field shows for the tenant chosen: its name when the name alone names it again, else
 * its slug (two sites called "EU West": submitting the name would name both).
 */
export function typedValueOf(choices: readonly TenantChoice[], chosen: TenantChoice): string {
  return resolveTenantFilter(choices, chosen.name).chosen?.slug === chosen.slug ? chosen.name : chosen.slug;
}

/** Whether the choices are many enough that the control is a text field (name or slug) rather than a list. */
export function typedPastList(count: number): boolean {
  return count > TENANT_SELECT_UP_TO;
}

// ---------------------------------------------------------------------------
// A page showing one tenant picked by ?tenant= (TenantPicker: team, credentials)
// ---------------------------------------------------------------------------

export interface TenantPick<C extends TenantChoice> {
  /** The tenant the page shows: the one ?tenant= names, else the fallback (the host's tenant, else the first). */
  selected: C | null;
  /** What ?tenant= named when it named none or several (the page says so beside the picker); else null. */
  unresolved: ResolvedTenantFilter<C> | null;
  /** ?tenant= as typed, when it was given and valid. */
  typed: string | undefined;
}

/**
 * The tenant a page shows among `choices` (what RLS shows and the PDP allows
 * there): the one `typed` names (a slug, a name, a unique part), else
 * `fallbackId`'s, else the first. A value that is too long or holds control
 * characters is dropped, as the list pages drop it.
 */
export function pickTenant<C extends TenantChoice & { id: string }>(choices: readonly C[], typed: string | undefined, fallbackId: string | null): TenantPick<C> {
  const wanted = typed === undefined ? undefined : tenantFilterSchema.safeParse(typed);
  const found = wanted?.success ? resolveTenantFilter(choices, wanted.data) : null;
  const selected = found?.chosen ?? choices.find((c) => c.id === fallbackId) ?? choices[0] ?? null;
  return { selected, unresolved: found && !found.chosen ? found : null, typed: wanted?.success ? wanted.data : undefined };
}

// ---------------------------------------------------------------------------
// A POST form's tenant field: an id (the list form) or a name or slug (typed)
// ---------------------------------------------------------------------------

/**
 * A POST form's tenant field: a tenant's id (the list form) or a name or slug typed in its place,
 * which the action resolves (tenantNamedBy). `required`: the message when it is empty.
 */
export function typedTenantSchema(required: string) {
  // A select left on its disabled "Choose…" option sends no field at all: the same message as an empty one.
  return z
    .string({ error: required })
    .trim()
    .min(1, required)
    .max(100, "At most 100 characters.")
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "Remove the control characters.");
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a form's tenant field holds a tenant id (the list form posts ids; the text field, names). */
export function isTenantId(value: string): boolean {
  return ID.test(value);
}

/**
 * What a server action refuses when the tenant typed into its form names no
 * tenant or several: bad input, like a field zod rejects (a message on the
 * field, nothing done, no audit row: nothing was attempted on any tenant).
 * lib/actions/guard.ts answers it; the message names only tenants the caller
 * may act on, never what was typed.
 */
export class TenantNotNamed extends Error {
  constructor(
    message: string,
    /** The form field the message belongs to. */
    readonly field: string = "tenantId",
    /** How many tenants it names: 0 (none) or more than one. */
    readonly matchCount = 0,
  ) {
    super(message);
    this.name = "TenantNotNamed";
  }
}

/**
 * The tenant a form's typed name or slug names among `choices` (the tenants
 * the caller may act on: RLS shows them and the PDP allows the action), or a
 * TenantNotNamed saying it names none or several (offering up to
 * TENANT_MATCHES_SHOWN of them by name and slug). `what`: how the form calls
 * them ("customer or site you may report on").
 */
export function tenantNamedBy<C extends TenantChoice>(choices: readonly C[], typed: string, what: { one: string; many: string }, field?: string): C {
  const valid = tenantFilterSchema.safeParse(typed);
  if (!valid.success) throw new TenantNotNamed(`Type the name or slug of a ${what.one}.`, field);
  const found = resolveTenantFilter(choices, valid.data);
  if (found.chosen) return found.chosen;
  if (found.matchCount === 0) throw new TenantNotNamed(`No ${what.one} is called that: check the spelling, or type its slug.`, field, 0);
  const listed = found.matches.map((m) => `${m.name} (${m.slug})`).join(", ");
  const more = found.matchCount > found.matches.length ? `, and ${(found.matchCount - found.matches.length).toLocaleString("en")} more` : "";
  throw new TenantNotNamed(`That names ${found.matchCount.toLocaleString("en")} ${what.many}: ${listed}${more}. Type the slug (or the whole name) of the one you mean.`, field, found.matchCount);
}
