// The TLS terminator's question (Caddy's on_demand_tls `ask`): may a
// certificate be obtained for this host? Yes only for the portal's own hosts
// (the console, an existing tenant's subdomain) and routed custom domains;
// anything else is refused, so nobody can make the terminator request
// certificates for names we do not serve (CA rate limits, abuse).
import { findTenantBySlug } from "@/lib/tenancy/resolve-host";
import { normalizeHost, parseHost } from "@/lib/tenancy/host";
import { tenantSlugForDomain } from "./resolve";

export async function mayIssueCertificate(domain: string | null): Promise<boolean> {
  if (!domain || domain.length > 253 || /[:/]/.test(domain)) return false;
  const host = normalizeHost(domain);
  if (!host) return false;
  const target = parseHost(host);
  if (target.area === "console") return true;
  if (target.area === "tenant") return (await findTenantBySlug(target.slug)) !== null;
  return (await tenantSlugForDomain(host)) !== null;
}
