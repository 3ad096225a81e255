// The states a tenant goes through (supabase/migrations/20261130000400_tenant_lifecycle.sql
// says what each one means and what the database enforces in it). One list for
// the schema mirror, the pages and the commands. No imports: client components use it.
export const TENANT_STATUSES = ["provisioning", "active", "suspended", "deprovisioning", "deprovisioned"] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export const TENANT_STATUS_LABELS: Record<TenantStatus, string> = {
  provisioning: "Provisioning",
  active: "Active",
  suspended: "Suspended",
  deprovisioning: "Offboarding",
  deprovisioned: "Offboarded",
};

/** Whether the tenant's own users may work in it (every other state locks them out). */
export function isOpen(status: TenantStatus): boolean {
  return status === "active";
}
