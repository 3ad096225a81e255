// Query-string fields: every value arrives as a string; lists are
// comma-separated ("status=new,acknowledged").
import { z } from "zod";

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** "a,b" → ["a", "b"], each one of `values`, at most `values.length` of them. */
export function csvOf<const T extends readonly [string, ...string[]]>(values: T) {
  const one = `(?:${values.join("|")})`;
  return z
    .string()
    .max(200)
    .regex(new RegExp(`^${one}(?:,${one})*$`), `a comma-separated list of: ${values.join(", ")}`)
    .describe(`Comma-separated, any of: ${values.join(", ")}`)
    .transform((s) => [...new Set(s.split(","))])
    .pipe(z.array(z.enum(values)).min(1).max(values.length));
}

export const limitParam = z
  .string()
  .regex(/^(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|200)$/, `limit is a whole number from 1 to ${MAX_LIMIT}`)
  .describe(`Page size, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT})`)
  .transform(Number)
  .pipe(z.int().min(1).max(MAX_LIMIT))
  // What a client sends is a whole number; the OpenAPI document says so (the string and its pattern are how it is parsed).
  .meta({ type: "integer", minimum: 1, maximum: MAX_LIMIT, pattern: undefined });

export const cursorParam = z
  .string()
  .min(1)
  .max(600)
  .regex(/^[A-Za-z0-9_-]+$/, "cursor is the opaque value next_cursor returned")
  .describe("The next_cursor of the previous page");
