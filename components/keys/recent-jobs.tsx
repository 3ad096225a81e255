"use client";
// The latest key jobs the caller can see: what ran, how far it got, how long
// it took, and why it failed. Updated when a job on the page is queued or
// finishes (components/keys/live.ts).
import type { RecentJob } from "@/lib/vault/rotation-page";
import { formatDateTimeBare, formatDuration, jobKindLabel, jobResultSummary } from "./format";
import { JobStatusBadge } from "@/components/jobs/job-status-badge";
import { TableScroll } from "@/components/ui/table-scroll";
import { useRecentJobs } from "./live";

/** `timeZone`: the page's, named once in the Queued header. */
export function RecentJobs({ initial, timeZone }: { initial: RecentJob[]; timeZone: string }) {
  const jobs = useRecentJobs(initial);
  if (jobs.length === 0) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="jobs-empty">
        <p className="text-sm font-medium text-slate-800">No key rotations yet.</p>
        <p className="mt-1 text-sm text-slate-500">
          Rotate a tenant&apos;s data key above, or from a shell: <code>npm run keys -- rotate-dek --tenant &lt;slug&gt;</code>.
        </p>
      </div>
    );
  }
  return (
    <TableScroll label="Recent key jobs" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="recent-jobs">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-3">
              Queued
              <span className="block font-normal normal-case tracking-normal">{timeZone}</span>
            </th>
            <th className="px-4 py-3">Tenant</th>
            <th className="px-4 py-3">Job</th>
            <th className="px-4 py-3">Status</th>
            <th className="px-4 py-3 text-right">Progress</th>
            <th className="px-4 py-3 text-right">Duration</th>
            <th className="px-4 py-3">Outcome</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {jobs.map((job) => {
            const retrying = job.status === "queued" && job.attempts > 0;
            return (
              <tr key={job.id} className="align-top" data-testid="recent-job">
                <td className="whitespace-nowrap px-4 py-2.5 text-slate-600">{formatDateTimeBare(job.createdAt, timeZone)}</td>
                <td className="px-4 py-2.5 font-medium text-slate-800">{job.tenantName}</td>
                <td className="whitespace-nowrap px-4 py-2.5 text-slate-700">
                  {jobKindLabel(job.kind)}
                  <span className="ml-1 text-xs text-slate-500">{job.queuedBy === "system" ? "· command line" : ""}</span>
                </td>
                <td className="px-4 py-2.5">
                  <JobStatusBadge status={job.status} retrying={retrying} />
                  {job.attempts > 1 && <span className="ml-1 text-xs text-slate-500">attempt {job.attempts}</span>}
                </td>
                <td className="whitespace-nowrap px-4 py-2.5 text-right tabular-nums text-slate-700">
                  {job.progressTotal === null ? "—" : `${job.progressDone} / ${job.progressTotal}`}
                </td>
                <td className="whitespace-nowrap px-4 py-2.5 text-right tabular-nums text-slate-600">{formatDuration(job.startedAt, job.finishedAt)}</td>
                <td className={`max-w-md px-4 py-2.5 text-xs ${job.status === "failed" || retrying ? "text-red-700" : "text-slate-600"}`}>
                  {job.status === "succeeded" || job.status === "failed" ? jobResultSummary(job) : retrying ? job.lastError : "—"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
