// What a tenant slug looks like: lowercase letters and digits in words joined
// by single hyphens (it becomes a subdomain and an ltree label). One pattern
// for the host parser, the list filters and the pages that take ?tenant=.
import { z } from "zod";

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A `?tenant=` value: a slug, at most 63 characters (one DNS label). */
export const tenantSlugSchema = z.string().max(63).regex(SLUG_PATTERN);
