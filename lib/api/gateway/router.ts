// Which endpoint a path names. Paths are relative to /api/v1, optionally
// prefixed by /tenants/{slug} (an MSSP or customer key addressing a tenant
// below its own; the slug is checked under RLS, never trusted).
import type { Endpoint, HttpMethod } from "@/lib/api/endpoint";
import { SLUG_PATTERN } from "@/lib/tenancy/slug";

export const API_BASE = "/api/v1";

export interface Addressed {
  /** The tenant named by /tenants/{slug}, or null for the key's own tenant. */
  slug: string | null;
  /** The rest of the path, e.g. "/alerts/123" ("/" when empty). */
  rest: string;
}

/** Splits "/api/v1/tenants/acme/alerts" into {slug: "acme", rest: "/alerts"}; null if the slug is malformed. */
export function addressOf(pathname: string): Addressed | { malformedSlug: true } {
  let path = pathname.startsWith(API_BASE) ? pathname.slice(API_BASE.length) : pathname;
  if (path === "") path = "/";
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  const m = /^\/tenants\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return { slug: null, rest: path };
  let slug: string;
  try {
    slug = decodeURIComponent(m[1]);
  } catch {
    return { malformedSlug: true };
  }
  if (!SLUG_PATTERN.test(slug)) return { malformedSlug: true };
  return { slug, rest: m[2] ?? "/" };
}

export interface Match {
  endpoint: Endpoint;
  params: Record<string, string>;
}

function compile(template: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split("/")
    .map((part) => {
      const p = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part);
      if (p) {
        names.push(p[1]);
        return "([^/]+)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { re: new RegExp(`^${source}$`), names };
}

const cache = new WeakMap<Endpoint, { re: RegExp; names: string[] }>();

/**
 * The endpoint for `method` and `rest`, or why there is none: "not_found"
 * (no endpoint has this path), or "method" with the methods it does take.
 * HEAD is the GET of the same path (the gateway answers it without the body),
 * so a path that takes GET takes HEAD too.
 */
export function matchRoute(
  routes: readonly Endpoint[],
  method: string,
  rest: string,
): Match | { error: "not_found" } | { error: "method"; allowed: (HttpMethod | "HEAD")[] } | { error: "bad_param" } {
  const wanted = method === "HEAD" ? "GET" : method;
  const allowed: HttpMethod[] = [];
  for (const endpoint of routes) {
    let c = cache.get(endpoint);
    if (!c) cache.set(endpoint, (c = compile(endpoint.path)));
    const m = c.re.exec(rest);
    if (!m) continue;
    if (endpoint.method !== wanted) {
      allowed.push(endpoint.method);
      continue;
    }
    const params: Record<string, string> = {};
    try {
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
    } catch {
      return { error: "bad_param" };
    }
    return { endpoint, params };
  }
  return allowed.length > 0 ? { error: "method", allowed: [...new Set(allowed)].flatMap((a) => (a === "GET" ? ["GET", "HEAD"] as const : [a])) } : { error: "not_found" };
}
