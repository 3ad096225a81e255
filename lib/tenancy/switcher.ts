// The tenant switcher's entries: one per membership root from the claims.
// MSSP memberships open the console; others open the tenant's own host.
import type { Claims } from "@/lib/db/claims";
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
    claims.tenants.map(async (m) => ({
      slug: m.slug,
      name: m.name,
      kind: m.kind,
      role: m.role,
      href: await portalHomeFor(m),
      current: currentSlug === null ? m.kind === "mssp" : m.slug === currentSlug,
    })),
  );
}
