// The tenant switcher's entries: one per membership root from the claims.
// MSSP memberships open the console; others open the tenant's own host.
// Call it outside withTenant: the current portal's link may read its custom
// domain (lib/domains) on a connection of its own, and a request that waits
// for a second pooled connection while holding one can starve the pool when
// every connection is held by such a request (the load bench at 20+ sessions).
import type { Claims } from "@/lib/db/claims";
import { handoffHref } from "@/lib/auth/handoff-link";
import { portalHomeFor } from "./origin";

export interface SwitcherLink {
  slug: string;
  name: string;
  kind: string;
  role: string;
  href: string;
  current: boolean;
}

export async function switcherLinks(claims: Claims, currentSlug: string | null): Promise<SwitcherLink[]> {
  return Promise.all(
    claims.tenants.map(async (m) => {
      const current = currentSlug === null ? m.kind === "mssp" : m.slug === currentSlug;
      return {
        slug: m.slug,
        name: m.name,
        kind: m.kind,
        role: m.role,
        // Another portal: through a handoff, so the user arrives signed in (lib/auth/handoff.ts).
        href: current ? await portalHomeFor(m) : handoffHref(m.kind === "mssp" ? "console" : m.slug),
        current,
      };
    }),
  );
}
