// Tenants and principals for tests that ask the PDP directly (no database):
// resources with made-up ids and paths under "mssp_a", and principals built the
// only way lib/authz accepts, from claims.
import { principalFromClaims, type TenantResource } from "@/lib/authz";

/** A tenant resource with a fixed id derived from `n`. */
export const tenantNo = (n: number, path: string, kind: TenantResource["kind"], status: TenantResource["status"] = "active"): TenantResource => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  path,
  kind,
  status,
});

export const MSSP = tenantNo(1, "mssp_a", "mssp");
export const ACME = tenantNo(2, "mssp_a.acme", "customer");
export const ACME_EU = tenantNo(3, "mssp_a.acme.eu", "site");
export const GLOBEX = tenantNo(4, "mssp_a.globex", "customer");
export const SUSPENDED = tenantNo(5, "mssp_a.sleepy", "customer", "suspended");

/** The principal of person `id` holding these roles, as principalFromClaims builds it. */
export const member = (id: string, memberships: Array<[TenantResource, string]>) =>
  principalFromClaims({
    sub: id,
    tenants: memberships.map(([t, role]) => ({ tenant_id: t.id, slug: t.path, name: t.path, kind: t.kind, path: t.path, role })),
  });
