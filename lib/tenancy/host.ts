// Host -> portal area. The only place the portal decides which tenant a
// request is about (DESIGN.md: "Tenant context is resolved once, in the proxy,
// from the host ... never from a query parameter or a body field").
//
//   localhost, portal.<domain>, <domain>     -> the MSSP console
//   <slug>.localhost, <slug>.<domain>        -> tenant <slug>
//   anything else                            -> unknown (404)

import { SLUG_PATTERN as SLUG } from "./slug";
import { settings } from "@/lib/config";

export type HostTarget =
  | { area: "console" }
  | { area: "tenant"; slug: string }
  | { area: "unknown" };

const RESERVED_SUBDOMAINS = new Set(["portal", "www", "api", "admin"]);

export function portalDomain(): string {
  return settings().PORTAL_DOMAIN;
}

/** Strips the port and a trailing dot, lowercases; null if the header is not a plausible host. */
export function normalizeHost(rawHost: string | null | undefined): string | null {
  if (!rawHost) return null;
  const host = rawHost.trim().toLowerCase().replace(/:\d{1,5}$/, "").replace(/\.$/, "");
  if (!/^[a-z0-9.-]{1,253}$/.test(host)) return null;
  return host;
}

export function parseHost(rawHost: string | null | undefined, domain = portalDomain()): HostTarget {
  const host = normalizeHost(rawHost);
  if (!host) return { area: "unknown" };
  if (host === domain || host === `portal.${domain}`) return { area: "console" };
  if (!host.endsWith(`.${domain}`)) return { area: "unknown" };
  const sub = host.slice(0, -(domain.length + 1));
  // One label only: a.b.localhost is not a tenant.
  if (sub.includes(".") || RESERVED_SUBDOMAINS.has(sub) || !SLUG.test(sub)) return { area: "unknown" };
  return { area: "tenant", slug: sub };
}

/**
 * Internal request header the proxy sets, after looking the host up, when the
 * request's host is a verified custom domain: the slug of the tenant it
 * serves (lib/domains/resolve.ts). The proxy deletes any client-sent value
 * first, so code behind the proxy may trust it.
 */
export const CUSTOM_DOMAIN_TENANT_HEADER = "x-portal-custom-domain-tenant";

interface HeaderReader {
  get(name: string): string | null;
}

/** parseHost for the current request: a verified custom domain (named by the proxy) is its tenant's host. */
export function hostTarget(h: HeaderReader): HostTarget {
  const target = parseHost(h.get("host"));
  if (target.area !== "unknown") return target;
  const slug = h.get(CUSTOM_DOMAIN_TENANT_HEADER);
  return slug && SLUG.test(slug) && normalizeHost(h.get("host")) ? { area: "tenant", slug } : target;
}

/** The slug of the tenant whose verified custom domain the request came in on; null on the portal's own hosts. */
export function customDomainTenant(h: HeaderReader): string | null {
  if (parseHost(h.get("host")).area !== "unknown") return null;
  const target = hostTarget(h);
  return target.area === "tenant" ? target.slug : null;
}

/** portalAuthority for the current request, custom domains included (see hostTarget). */
export function requestAuthority(h: HeaderReader): string | null {
  const raw = h.get("host");
  if (hostTarget(h).area === "unknown") return null;
  const host = normalizeHost(raw)!;
  const port = /:(\d{1,5})$/.exec(raw!.trim())?.[1];
  return port ? `${host}:${port}` : host;
}

/**
 * The request's scheme as proxy.ts decided it (PORTAL_PROTOCOL when set, else the ingress's
 * X-Forwarded-Proto or the URL): the proxy overwrites X-Forwarded-Proto with exactly "http" or
 * "https", and every link built in a request reads it here.
 */
export function requestProtocol(h: HeaderReader): "https:" | "http:" {
  return h.get("x-forwarded-proto") === "https" ? "https:" : "http:";
}

/** The origin a tenant's portal lives at, for links from the switcher. */
export function tenantOrigin(slug: string, current: { protocol: string; port: string }, domain = portalDomain()): string {
  const port = current.port ? `:${current.port}` : "";
  return `${current.protocol}//${slug}.${domain}${port}`;
}

export function consoleOrigin(current: { protocol: string; port: string }, domain = portalDomain()): string {
  const port = current.port ? `:${current.port}` : "";
  return `${current.protocol}//${domain === "localhost" ? domain : `portal.${domain}`}${port}`;
}

/**
 * The host (with its port, if any) a request is served for, when it is one of
 * the portal's (console or a well-formed tenant host); null otherwise. This is
 * the one validated source of "which host" for routing and for next-auth's
 * URLs (proxy.ts overwrites X-Forwarded-Host with it; issue 9, finding 9).
 */
export function portalAuthority(rawHost: string | null | undefined, domain = portalDomain()): string | null {
  if (parseHost(rawHost, domain).area === "unknown") return null;
  const host = normalizeHost(rawHost)!;
  const port = /:(\d{1,5})$/.exec(rawHost!.trim())?.[1];
  return port ? `${host}:${port}` : host;
}

/**
 * Where an auth redirect may go: a path on `origin`, or an absolute URL on
 * exactly `origin`; anything else (another host, scheme-relative `//x`,
 * `/\x`, unparsable) becomes `origin` itself. Absolute, because next-auth's
 * client parses the result with new URL().
 */
export function sameOriginRedirect(url: string, origin: string): string {
  try {
    const resolved = new URL(url, `${origin}/`);
    return resolved.origin === origin ? resolved.href : origin;
  } catch {
    return origin;
  }
}
