import { TENANT_STATUS_LABELS, type TenantStatus } from "@/lib/lifecycle/states";

const TONES: Record<TenantStatus, string> = {
  provisioning: "bg-indigo-50 text-indigo-700 ring-indigo-200",
  active: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  suspended: "bg-amber-50 text-amber-800 ring-amber-300",
  deprovisioning: "bg-red-50 text-red-700 ring-red-200",
  deprovisioned: "bg-slate-100 text-slate-700 ring-slate-200",
};

export function TenantStatusBadge({ status }: { status: TenantStatus }) {
  return (
    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${TONES[status]}`} data-testid="tenant-status" data-status={status}>
      {TENANT_STATUS_LABELS[status]}
    </span>
  );
}
