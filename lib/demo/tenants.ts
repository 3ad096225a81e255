// The demo tenant tree: one MSSP, five customers, seven sites. Listed parents
// first, so inserting in array order (or level by level) always finds the
// parent. The ltree `path` column is computed by the tenants trigger from
// parent_id and slug; nothing here (or in seed.ts) ever writes it.
//
// Dependency-free on purpose: E2E tests and pages may import the slugs.

export type DemoTenantKind = "mssp" | "customer" | "site";

export interface DemoTenant {
  slug: string;
  name: string;
  kind: DemoTenantKind;
  /** null only for the MSSP root. */
  parentSlug: string | null;
}

export const DEMO_MSSP_SLUG = "sentinel";

export const DEMO_TENANTS: readonly DemoTenant[] = [
  { slug: "sentinel", name: "Sentinel MSSP", kind: "mssp", parentSlug: null },

  { slug: "acme", name: "Acme Corp", kind: "customer", parentSlug: "sentinel" },
  { slug: "globex", name: "Globex", kind: "customer", parentSlug: "sentinel" },
  { slug: "initech", name: "Initech", kind: "customer", parentSlug: "sentinel" },
  { slug: "umbrella", name: "Umbrella Health", kind: "customer", parentSlug: "sentinel" },
  { slug: "hooli", name: "Hooli", kind: "customer", parentSlug: "sentinel" },
  { slug: "vandelay", name: "Vandelay Industries", kind: "customer", parentSlug: "sentinel" },

  { slug: "acme-eu-west", name: "Acme EU West", kind: "site", parentSlug: "acme" },
  { slug: "acme-us-east", name: "Acme US East", kind: "site", parentSlug: "acme" },
  { slug: "globex-hq", name: "Globex HQ", kind: "site", parentSlug: "globex" },
  { slug: "globex-lab", name: "Globex Research Lab", kind: "site", parentSlug: "globex" },
  { slug: "globex-dc", name: "Globex Data Center", kind: "site", parentSlug: "globex" },
  { slug: "umbrella-north", name: "Umbrella North Clinic", kind: "site", parentSlug: "umbrella" },
  { slug: "umbrella-south", name: "Umbrella South Clinic", kind: "site", parentSlug: "umbrella" },
];

/**
 * Each demo customer's industry (the profile.industry setting, lib/settings):
 * three technology customers make a non-trivial industry peer group on the
 * comparison page (lib/analytics/peers.ts).
 */
export const DEMO_INDUSTRIES: Readonly<Record<string, string>> = {
  acme: "manufacturing",
  globex: "technology",
  initech: "technology",
  umbrella: "healthcare",
  hooli: "technology",
  vandelay: "retail",
};

export function demoTenant(slug: string): DemoTenant {
  const t = DEMO_TENANTS.find((x) => x.slug === slug);
  if (!t) throw new Error(`unknown demo tenant: ${slug}`);
  return t;
}

/** Slugs of `slug` and all of its ancestors, nearest first. */
export function demoTenantLineage(slug: string): string[] {
  const out: string[] = [];
  for (let t: DemoTenant | undefined = demoTenant(slug); t; ) {
    out.push(t.slug);
    t = t.parentSlug ? demoTenant(t.parentSlug) : undefined;
  }
  return out;
}

/** Depth in the tree: 0 for the MSSP root. */
export function demoTenantDepth(slug: string): number {
  return demoTenantLineage(slug).length - 1;
}
