const ROLE_LABELS: Record<string, string> = {
  mssp_admin: "MSSP admin",
  mssp_analyst: "MSSP analyst",
  tenant_admin: "Admin",
  tenant_analyst: "Analyst",
  tenant_viewer: "Viewer",
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}
