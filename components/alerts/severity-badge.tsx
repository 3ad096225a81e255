import type { AlertStatus, Severity } from "@/drizzle/schema";
import { STATUS_LABELS } from "@/lib/alerts/labels";

export const SEVERITY_COLORS: Record<Severity, string> = {
  critical: "#dc2626",
  high: "#f97316",
  medium: "#eab308",
  low: "#0ea5e9",
  info: "#94a3b8",
};

const SEVERITY_CLASSES: Record<Severity, string> = {
  critical: "bg-red-100 text-red-800 ring-red-200",
  high: "bg-orange-100 text-orange-800 ring-orange-200",
  medium: "bg-yellow-100 text-yellow-800 ring-yellow-200",
  low: "bg-sky-100 text-sky-800 ring-sky-200",
  info: "bg-slate-100 text-slate-700 ring-slate-200",
};


export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-semibold capitalize ring-1 ${SEVERITY_CLASSES[severity]}`}>
      {severity}
    </span>
  );
}

export function statusLabel(status: AlertStatus): string {
  return STATUS_LABELS[status];
}
