// Origins of the console and tenant portals, relative to the current request,
// so links work the same on localhost:3000 and behind a TLS ingress.
import { headers } from "next/headers";
import { consoleOrigin, portalDomain, requestAuthority, requestProtocol, sameOriginRedirect, tenantOrigin } from "./host";
import { pathWithin } from "./path";
import { primaryDomainFor } from "@/lib/domains/resolve";
import { settings } from "@/lib/config";

/**
 * Outside a request (the tenants command, a job): the portal's public
 * address from the environment. PORTAL_PUBLIC_PORT defaults to 3000 on
 * localhost (the dev server) and none elsewhere (443 behind TLS).
 */
function configured(): { protocol: string; port: string } {
  const local = portalDomain() === "localhost";
  const s = settings();
  return {
    protocol: s.PORTAL_PROTOCOL === "http" || (local && s.PORTAL_PROTOCOL !== "https") ? "http:" : "https:",
    port: s.PORTAL_PUBLIC_PORT !== undefined ? String(s.PORTAL_PUBLIC_PORT) : local ? "3000" : "",
  };
}

async function current(): Promise<{ protocol: string; port: string }> {
  let h: Awaited<ReturnType<typeof headers>>;
  try {
    h = await headers();
  } catch {
    return configured();
  }
  const rawHost = h.get("host") ?? "";
  const port = /:(\d{1,5})$/.exec(rawHost)?.[1] ?? "";
  return { protocol: requestProtocol(h), port };
}

/**
 * The tenant's primary host: its verified custom domain when it has one (lib/domains), else <slug>.<domain>.
 * `customDomain`: that domain (or null, none) as the caller read it on the transaction it holds
 * (lib/domains primaryDomainSql); left out, it is looked up (primaryDomainFor: cached, but a
 * connection of its own on a miss, so not for code holding one: lib/db/held-connection.ts).
 */
export async function originForTenant(slug: string, customDomain?: string | null): Promise<string> {
  const at = await current();
  const custom = customDomain !== undefined ? customDomain : await primaryDomainFor(slug).catch(() => null);
  if (custom) return `${at.protocol}//${custom}${at.port ? `:${at.port}` : ""}`;
  return tenantOrigin(slug, at);
}

/**
 * The tenant's host on the portal's own domain (<slug>.<domain>), never its custom domain: for what
 * must not reach a host the tenant controls, such as a sign-in token of someone with access beyond
 * that tenant. A verified TXT record proves the tenant controls the domain's DNS, not that the domain
 * still points at the portal.
 */
export async function portalOwnOriginForTenant(slug: string): Promise<string> {
  return tenantOrigin(slug, await current());
}

/**
 * A tenant's primary host for links sent outside any request (alert and
 * health notifications from jobs): its verified custom domain when it has one
 * (`customDomain`, from lib/domains primaryDomainSql), else <slug>.<domain>,
 * with the configured public protocol and port.
 */
export function publicOriginForTenant(slug: string, customDomain: string | null): string {
  const at = configured();
  if (customDomain) return `${at.protocol}//${customDomain}${at.port ? `:${at.port}` : ""}`;
  return tenantOrigin(slug, at);
}

export async function originForConsole(): Promise<string> {
  return consoleOrigin(await current());
}

/** Where a tenant's people work: the console for an MSSP, the tenant's own host otherwise (`customDomain`: originForTenant's). */
export async function portalOriginFor(tenant: { slug: string; kind: string }, customDomain?: string | null): Promise<string> {
  return tenant.kind === "mssp" ? originForConsole() : originForTenant(tenant.slug, customDomain);
}

/** The path a portal opens on: the console's overview for an MSSP, a tenant's alerts otherwise. */
function landingPath(tenant: { kind: string }): string {
  return tenant.kind === "mssp" ? "/" : "/alerts";
}

/** The landing page of that portal. */
export async function portalHomeFor(tenant: { slug: string; kind: string }): Promise<string> {
  return `${await portalOriginFor(tenant)}${landingPath(tenant)}`;
}

/**
 * Where `person` is sent into `tenant`'s portal signed in (a handoff's token, the portal an accepted
 * invitation opens): portalOriginFor(tenant), the tenant's custom domain included, only when every
 * membership of theirs is at or below that tenant (nothing of theirs lies beyond what its admins run
 * anyway); anyone with access beyond it, MSSP staff above all, goes to <slug>.<domain>
 * (portalOwnOriginForTenant), never to a host the tenant controls (lib/auth/handoff-start.ts). An
 * MSSP's portal is the console, the portal's own host, for everyone. `customDomain`: originForTenant's.
 */
export async function portalOriginForMember(
  tenant: { slug: string; kind: string; path: string },
  memberships: readonly { path: string }[],
  customDomain?: string | null,
): Promise<string> {
  const onlyWithin = memberships.every((m) => pathWithin(m.path, tenant.path));
  return tenant.kind === "mssp" || onlyWithin ? portalOriginFor(tenant, customDomain) : portalOwnOriginForTenant(tenant.slug);
}

/** portalOriginForMember's landing page (portalHomeFor's path). */
export async function portalHomeForMember(tenant: { slug: string; kind: string; path: string }, memberships: readonly { path: string }[]): Promise<string> {
  return `${await portalOriginForMember(tenant, memberships)}${landingPath(tenant)}`;
}

/**
 * The origin of the current request, from the validated Host header (never
 * from X-Forwarded-Host, which proxy.ts overwrites with the same value
 * anyway); outside a request, or on a host that is not the portal's, the
 * console's configured origin. next-auth's redirects are checked against it.
 */
export async function requestOrigin(): Promise<string> {
  let h: Awaited<ReturnType<typeof headers>>;
  try {
    h = await headers();
  } catch {
    return consoleOrigin(configured());
  }
  const authority = requestAuthority(h);
  if (!authority) return consoleOrigin(configured());
  return `${requestProtocol(h)}//${authority}`;
}

/** next-auth's redirect callback: `url` if it stays on the request's own origin, else that origin. */
export async function authRedirect(url: string): Promise<string> {
  return sameOriginRedirect(url, await requestOrigin());
}
