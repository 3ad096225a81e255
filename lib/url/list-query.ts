// The URL search params of the list pages (console Credentials, Keys, Alerts): one
// schema per kind of value, one parser that drops and reports a value that
// does not parse (a mistyped or stale link shows a clear note and the rest of
// the page, never an error page), one href builder and one LIKE pattern.
import { z } from "zod";
import { DEFAULT_TIME_ZONE, nextDay, startOfDayIn } from "@/lib/locale/time";

export const MAX_SEARCH = 100;

/** A free-text search: trimmed, bounded, no control characters. */
export const searchSchema = z
  .string()
  .trim()
  .max(MAX_SEARCH, `a search is at most ${MAX_SEARCH} characters`)
  .regex(/^[^\u0000-\u001f\u007f]*$/, "a search cannot contain control characters");

/** A 1-based page number. */
export const pageSchema = z.coerce
  .number({ error: () => "pages are numbered 1, 2, 3 …" })
  .int("pages are numbered 1, 2, 3 …")
  .min(1, "pages are numbered from 1")
  .max(100_000, "there are not that many pages");

/** A calendar day, YYYY-MM-DD (what <input type="date"> sends), that exists. */
export const daySchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "write a date as YYYY-MM-DD")
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d) && t.getUTCFullYear() >= 2000 && t.getUTCFullYear() <= 2100;
  }, "not a date between 2000 and 2100");

/**
 * The start of a YYYY-MM-DD day and of the day after it in `zone` (the page's reader's, whose
 * clock the rows' times are shown on): [from, before) covers `to` whole, 23 or 25 hours on the
 * days a daylight-saving change falls on.
 */
export function dayRange(from: string | undefined, to: string | undefined, zone: string = DEFAULT_TIME_ZONE): { from?: Date; before?: Date } {
  return {
    from: from ? startOfDayIn(from, zone) : undefined,
    before: to ? startOfDayIn(nextDay(to), zone) : undefined,
  };
}

/** One of `values`, with the choices named in words when it is not. */
export function choiceSchema<const V extends readonly [string, ...string[]]>(values: V, label: (v: V[number]) => string) {
  return z.enum(values, { error: () => `choose one of ${values.map(label).join(", ")}` });
}

type Params = Record<string, string | string[] | undefined>;

/**
 * Parses `params` key by key against `schemas` onto `defaults`; `names` says
 * what each key is called in a note ("Ignored the filter "x": …").
 */
export function parseListQuery<Q extends object>(
  params: Params,
  schemas: { [K in keyof Q]?: z.ZodType<Q[K]> },
  names: { [K in keyof Q]?: string },
  defaults: Q,
): { query: Q; problems: string[] } {
  const query = { ...defaults };
  const problems: string[] = [];
  for (const key of Object.keys(schemas) as (keyof Q & string)[]) {
    const raw = params[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value.trim() === "") continue;
    const parsed = schemas[key]!.safeParse(value);
    if (parsed.success) query[key] = parsed.data;
    else {
      const shown = value.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 40);
      problems.push(
        `Ignored the ${names[key] ?? key} "${shown}${value.length > 40 ? "…" : ""}": ${parsed.error.issues[0]?.message ?? "not valid"}.`,
      );
    }
  }
  return { query, problems };
}

/** "?a=1&b=x" from the values that differ from their defaults ("?" when none do). */
export function listHref(entries: Record<string, string | number | null | undefined>, defaults: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(entries)) {
    if (value === null || value === undefined || value === "" || value === (defaults as Record<string, unknown>)[key]) continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "?";
}

/** "acme" -> "%acme%", with LIKE's wildcards (and the escape) in the search taken literally. */
export function containsPattern(q: string | null): string | null {
  return q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
}
