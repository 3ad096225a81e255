// Which roles exist where, and their rank. The database enforces the same
// ranking (tenancy.role_rank); this copy only decides what the UI offers.
import type { Role } from "@/drizzle/schema";

export const ROLE_RANK: Record<Role, number> = {
  mssp_admin: 5,
  mssp_analyst: 4,
  tenant_admin: 3,
  tenant_analyst: 2,
  tenant_viewer: 1,
};

export function rolesForTenantKind(kind: "mssp" | "customer" | "site"): Role[] {
  return kind === "mssp" ? ["mssp_admin", "mssp_analyst"] : ["tenant_admin", "tenant_analyst", "tenant_viewer"];
}

/** Roles the caller may hand out on a tenant of `kind`, given their best admin rank over it. */
export function grantableRoles(kind: "mssp" | "customer" | "site", callerRank: number): Role[] {
  return rolesForTenantKind(kind).filter((r) => ROLE_RANK[r] <= callerRank);
}
