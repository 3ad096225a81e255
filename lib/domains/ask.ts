// The TLS terminator's question (Caddy's on_demand_tls `ask`): may a
// certificate be obtained for this host? Asked only by the terminator: a
// question without the configured secret (TLS_ASK_SECRET, which the Caddyfile
// puts in the ask URL) is answered 404 like any name not served, so nobody
// else learns from it which tenants or custom domains exist. Yes only for the
// portal's own hosts (the console, the subdomain of a tenant that is not
// being offboarded or offboarded, nor below one that is) and routed custom
// domains of such tenants; anything else is refused, so nobody can make the
// terminator request certificates for names we do not serve (CA rate limits,
// abuse). With TLS_ASK_PORTAL_SUBDOMAINS=0 (a wildcard certificate serves the
// portal's own hosts: deploy/caddy/Caddyfile.wildcard) the portal's own hosts
// are refused too, so no certificate is obtained per tenant subdomain.
import { createHash, timingSafeEqual } from "node:crypto";
import { settings } from "@/lib/config";
import { withServiceRole } from "@/lib/db/service-role";
import { log } from "@/lib/log";
import { normalizeHost, parseHost } from "@/lib/tenancy/host";
import { tenantSlugForDomain } from "./resolve";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
let warnedUnset = false;

/** Whether the question carries the terminator's secret (compared in constant time). Unset: nobody is the terminator. */
export function askedByTerminator(presented: string | null): boolean {
  const secret = settings().TLS_ASK_SECRET;
  if (!secret) {
    if (!warnedUnset) {
      warnedUnset = true;
      log.error({ event: "tls_ask.secret-unset" }, "/api/tls/ask was asked but TLS_ASK_SECRET is not set: every answer is 404, so the TLS terminator gets no certificates on demand (docs/white-label.md#tls-on-demand-caddy)");
    }
    return false;
  }
  return presented !== null && timingSafeEqual(digest(presented), digest(secret));
}

/** Whether the tenant `slug` exists and neither it nor a tenant above it is being offboarded or offboarded. */
async function servesTenant(slug: string): Promise<boolean> {
  return withServiceRole("tenancy.resolve-host", async (db) => {
    const { rows } = await db.$client.query<{ open: boolean }>(
      `select not exists (select 1 from public.tenants a
                           where t.path operator(extensions.<@) a.path and a.status in ('deprovisioning', 'deprovisioned')) as open
         from public.tenants t where t.slug = $1`,
      [slug],
    );
    return rows[0]?.open ?? false;
  });
}

export async function mayIssueCertificate(domain: string | null): Promise<boolean> {
  if (!domain || domain.length > 253 || /[:/]/.test(domain)) return false;
  const host = normalizeHost(domain);
  if (!host) return false;
  const target = parseHost(host);
  // The console and <slug>.<PORTAL_DOMAIN>: the wildcard certificate's, when there is one.
  if (target.area !== "unknown" && !settings().TLS_ASK_PORTAL_SUBDOMAINS) return false;
  if (target.area === "console") return true;
  const slug = target.area === "tenant" ? target.slug : await tenantSlugForDomain(host);
  return slug !== null && (await servesTenant(slug));
}
