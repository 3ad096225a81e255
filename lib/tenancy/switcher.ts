// The tenant switcher's entries: one per membership root from the claims.
// MSSP memberships open the console; others open the tenant's own host: its
// custom domain only for a person all of whose memberships are at or below that
// tenant, else <slug>.<domain> (lib/tenancy/origin.ts portalHomeForMember). A
// plain link lands where the person signs in with their password, and a
// custom domain is a host the tenant's admins may point anywhere.
// Call it outside withTenant: the current portal's link may read its custom
// domain (lib/domains) on a connection of its own, and a request that waits
// for a second pooled connection while holding one can starve the pool when
// every connection is held by such a request (the load bench at 20+ sessions).
// On a tenant's custom domain, a handoff goes only within that tenant's subtree
// (lib/auth/handoff-start.ts): other portals are plain links, signed in there.
import { headers } from "next/headers";
import type { Claims } from "@/lib/db/claims";
import { handoffHref } from "@/lib/auth/handoff-link";
import { customDomainTenant } from "./host";
import { pathWithin } from "./path";
import { portalHomeForMember } from "./origin";
import { findTenantBySlug } from "./resolve-host";

export interface SwitcherLink {
  slug: string;
  name: string;
  kind: string;
  role: string;
  href: string;
  current: boolean;
}

export async function switcherLinks(claims: Claims, currentSlug: string | null): Promise<SwitcherLink[]> {
  const custom = await customDomainRoot();
  return Promise.all(
    claims.tenants.map(async (m) => {
      const current = currentSlug === null ? m.kind === "mssp" : m.slug === currentSlug;
      const handoff = custom === null || pathWithin(m.path, custom);
      return {
        slug: m.slug,
        name: m.name,
        kind: m.kind,
        role: m.role,
        // The current portal, or one linked plainly from a custom domain: the host the claims' memberships
        // allow (portalHomeForMember, no lookup but the custom domain's own). Another portal otherwise:
        // through a handoff, so the user arrives signed in (lib/auth/handoff.ts).
        href: current || !handoff ? await portalHomeForMember(m, claims.tenants) : handoffHref(m.kind === "mssp" ? "console" : m.slug),
        current,
      };
    }),
  );
}

/** The path of the tenant whose custom domain this request came in on; null on the portal's own hosts or outside a request. */
async function customDomainRoot(): Promise<string | null> {
  let slug: string | null;
  try {
    slug = customDomainTenant(await headers());
  } catch {
    return null;
  }
  return slug === null ? null : ((await findTenantBySlug(slug))?.path ?? null);
}
