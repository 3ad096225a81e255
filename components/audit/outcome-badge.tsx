import type { AuditOutcome } from "@/drizzle/schema";

const OUTCOME_CLASSES: Record<AuditOutcome, string> = {
  success: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  denied: "bg-red-100 text-red-800 ring-red-300",
  failure: "bg-amber-100 text-amber-900 ring-amber-200",
};

const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  success: "Success",
  denied: "Denied",
  failure: "Failed",
};

export function outcomeLabel(outcome: AuditOutcome): string {
  return OUTCOME_LABELS[outcome];
}

export function OutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  return (
    <span
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${OUTCOME_CLASSES[outcome]}`}
      data-outcome={outcome}
    >
      {OUTCOME_LABELS[outcome]}
    </span>
  );
}
