// Words the pages use for workflows and their steps. No imports: client components use it.
export const WORKFLOW_LABELS: Record<string, string> = {
  "lifecycle.provision": "Provisioning",
  "lifecycle.offboard": "Offboarding",
  "lifecycle.isolation-reapply": "Isolation applied again (Kubernetes)",
};

export const STEP_LABELS: Record<string, string> = {
  "tenant-row": "Tenant record created",
  "data-key": "Data encryption key",
  configuration: "Configuration from the parent",
  "invite-admin": "First admin invited",
  isolation: "Isolation resources (Kubernetes)",
  ready: "Ready",
  freeze: "Locked",
  export: "Archive exported",
  "crypto-shred": "Data keys destroyed",
  purge: "Rows removed",
  tombstone: "Tombstone left for the audit trail",
};
