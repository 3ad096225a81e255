// Origins of the console and tenant portals, relative to the current request,
// so links work the same on localhost:3000 and behind a TLS ingress.
import { headers } from "next/headers";
import { consoleOrigin, tenantOrigin } from "./host";

async function current(): Promise<{ protocol: string; port: string }> {
  const h = await headers();
  const rawHost = h.get("host") ?? "";
  const port = /:(\d{1,5})$/.exec(rawHost)?.[1] ?? "";
  const proto = h.get("x-forwarded-proto") === "https" ? "https:" : "http:";
  return { protocol: proto, port };
}

export async function originForTenant(slug: string): Promise<string> {
  return tenantOrigin(slug, await current());
}

export async function originForConsole(): Promise<string> {
  return consoleOrigin(await current());
}

/** Where a tenant's people work: the console for an MSSP, the tenant's own host otherwise. */
export async function portalOriginFor(tenant: { slug: string; kind: string }): Promise<string> {
  return tenant.kind === "mssp" ? originForConsole() : originForTenant(tenant.slug);
}

/** The landing page of that portal. */
export async function portalHomeFor(tenant: { slug: string; kind: string }): Promise<string> {
  return `${await portalOriginFor(tenant)}${tenant.kind === "mssp" ? "/" : "/alerts"}`;
}
