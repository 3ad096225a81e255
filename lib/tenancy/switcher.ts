// The tenant switcher's entries: one per membership root from the claims.
// MSSP memberships open the console; others open the tenant's own host.
import type { Claims } from "@/lib/db/claims";
import { originForConsole, originForTenant } from "./origin";

export interface SwitcherLink {
  slug: string;
  name: string;
  kind: string;
  role: string;
  href: string;
  current: boolean;
}

export async function switcherLinks(claims: Claims, currentSlug: string | null): Promise<SwitcherLink[]> {
  const consoleHref = `${await originForConsole()}/`;
  return Promise.all(
    claims.tenants.map(async (m) => ({
      slug: m.slug,
      name: m.name,
      kind: m.kind,
      role: m.role,
      href: m.kind === "mssp" ? consoleHref : `${await originForTenant(m.slug)}/alerts`,
      current: currentSlug === null ? m.kind === "mssp" : m.slug === currentSlug,
    })),
  );
}
