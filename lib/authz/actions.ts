import type { TenantStatus } from "@/lib/lifecycle/states";

// The portal's actions: the vocabulary the policy decision point (Cerbos)
// decides on. The matrix of which role may do which action lives once, in
// docs/authorization.md, and is exactly what policies/ enforces.
export const ACTIONS = [
  "alerts:read",
  "alerts:triage",
  "users:manage",
  "credentials:view",
  "credentials:manage",
  "settings:view",
  "settings:manage",
  // Custom domains (issue 14): add, verify, remove (lib/domains).
  "domains:manage",
  "branding:manage",
  "settings:govern",
  "branding:whitelabel",
  "tenants:provision",
  "tenants:suspend",
  "tenants:deprovision",
  "tenants:move",
  "tenants:export",
  "billing:view",
  // Plans, assignments, drafting, finalizing and crediting invoices (lib/billing): the MSSP's admins only.
  "billing:manage",
  "reports:export",
  "audit:view",
  "keys:rotate",
  // API keys (issue 11): who may create and revoke a tenant's keys, and the
  // actions only a key's scopes name (a scope is the action it allows).
  "apikeys:manage",
  "alerts:write",
  "assets:read",
  "assets:write",
  "collectors:write",
  "usage:read",
  // Comparison and benchmarking (issue 13): console /compare, tenant /benchmark (lib/analytics).
  "benchmark:view",
  // Starting, stopping and undoing bulk runs (lib/bulk); each tenant's change still needs its own action.
  "bulk:run",
] as const;

export type Action = (typeof ACTIONS)[number];

/** The tenant an action is about, as the PDP sees it. */
export interface TenantResource {
  id: string;
  /** ltree path, e.g. "sentinel.acme.acme_eu_west"; also the Cerbos policy scope. */
  path: string;
  kind: "mssp" | "customer" | "site";
  status: TenantStatus;
}
