import type { JobStatus } from "@/lib/jobs/types";

const CLASSES: Record<JobStatus, string> = {
  queued: "bg-slate-100 text-slate-700 ring-slate-200",
  running: "bg-indigo-50 text-indigo-700 ring-indigo-200",
  succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-100 text-red-800 ring-red-300",
  cancelled: "bg-slate-50 text-slate-500 ring-slate-200",
};
const LABELS: Record<JobStatus, string> = { queued: "Queued", running: "Running", succeeded: "Done", failed: "Failed", cancelled: "Cancelled" };

export function JobStatusBadge({ status, retrying }: { status: JobStatus; retrying?: boolean }) {
  return (
    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${CLASSES[status]}`} data-status={status}>
      {retrying ? "Retrying" : LABELS[status]}
    </span>
  );
}
