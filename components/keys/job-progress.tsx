"use client";
// A job's progress bar, live: polls the job route every second while the job
// is unfinished (only this bar re-renders), then calls onFinished once so the
// row or card around it can catch up (GET /keys/live, not a page refresh).
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { isFinished } from "@/lib/jobs/types";
import type { JobJson } from "@/lib/vault/rotation-page";
import { formatDateTime, jobResultSummary } from "./format";

async function fetchJob(tenantId: string, id: string): Promise<JobJson> {
  const response = await fetch(`/keys/jobs/${tenantId}/${id}`, { cache: "no-store", headers: { accept: "application/json" } });
  if (response.status === 401) throw new Error("Your session has ended; sign in again to follow this job.");
  if (!response.ok) throw new Error("This job's status could not be read.");
  return (await response.json()) as JobJson;
}

/** How long a job may wait for a worker before the bar says so. */
const NO_WORKER_HINT_MS = 15_000;

/** `timeZone`: the page's (a retry's time is shown in it). */
export function JobProgress(props: { initial: JobJson; timeZone: string; compact?: boolean; onFinished?: () => void }) {
  const startedUnfinished = useRef(!isFinished(props.initial.status));
  const { data, error } = useQuery({
    queryKey: ["job", props.initial.tenantId, props.initial.id],
    queryFn: () => fetchJob(props.initial.tenantId, props.initial.id),
    initialData: props.initial,
    enabled: startedUnfinished.current,
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data.status) ? false : 1_000),
  });
  const job = data ?? props.initial;
  const finished = isFinished(job.status);
  // The clock is read after hydration only, so server and browser render the same markup.
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => setNow(Date.now()), [job]);

  const onFinished = useRef(props.onFinished);
  useEffect(() => {
    onFinished.current = props.onFinished;
  });
  useEffect(() => {
    if (finished && startedUnfinished.current) {
      startedUnfinished.current = false;
      onFinished.current?.();
    }
  }, [finished]);

  const total = job.progressTotal;
  const percent = finished && job.status === "succeeded" ? 100 : total && total > 0 ? Math.min(100, Math.round((job.progressDone / total) * 100)) : 0;
  const retrying = job.status === "queued" && job.attempts > 0;
  const waiting = job.status === "queued" && !retrying;
  const stalled = waiting && now !== null && now - new Date(job.createdAt).getTime() > NO_WORKER_HINT_MS;
  const dek = job.kind === "vault.rotate-dek";

  let label: string;
  if (job.status === "succeeded") label = `Done — ${jobResultSummary(job)}`;
  else if (job.status === "failed") label = `Failed — ${job.lastError ?? "no reason recorded"}`;
  else if (retrying) label = `Retrying at ${formatDateTime(job.runAfter, props.timeZone)} after attempt ${job.attempts} failed: ${job.lastError ?? "no reason recorded"}`;
  else if (waiting) label = "Waiting for a worker…";
  else if (total === null) label = dek ? "Creating the new key…" : "Re-wrapping tenant keys…";
  else label = dek ? `Re-sealing ${job.progressDone} of ${total} credentials` : `Re-wrapping tenant keys (${job.progressDone}/${total})`;

  const barColor =
    job.status === "failed" ? "bg-red-500" : job.status === "succeeded" ? "bg-emerald-500" : retrying ? "bg-amber-500" : "bg-brand";
  const trackColor = job.status === "failed" ? "bg-red-100" : retrying ? "bg-amber-100" : "bg-slate-200";

  return (
    <div className={`text-left ${props.compact ? "w-64" : "w-full"}`} data-testid={`job-${job.id}`} data-job-status={job.status}>
      <div
        role="progressbar"
        aria-label={dek ? "Data key rotation progress" : "KEK rotation progress"}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={label}
        className={`h-2 overflow-hidden rounded-full ${trackColor}`}
      >
        <div
          className={`h-full rounded-full transition-[width] duration-500 ${barColor} ${waiting ? "animate-pulse" : ""}`}
          style={{ width: `${waiting ? 100 : Math.max(percent, job.status === "running" ? 3 : 0)}%`, opacity: waiting ? 0.35 : 1 }}
        />
      </div>
      <p
        className={`mt-1 text-xs ${props.compact ? "line-clamp-3" : ""} ${job.status === "failed" || retrying ? "text-red-700" : job.status === "succeeded" ? "text-emerald-700" : "text-slate-600"}`}
        title={props.compact ? label : undefined}
        data-testid="job-progress-label"
      >
        {label}
        {!finished && total !== null && total > 0 && <span className="ml-1 tabular-nums text-slate-500">({percent}%)</span>}
      </p>
      {stalled && (
        <p className="mt-1 text-xs text-amber-700">
          No worker has picked this up yet. Check that a portal replica runs with <code>JOBS_WORKER</code> on (the default): the job waits for one.
        </p>
      )}
      {error && <p className="mt-1 text-xs text-amber-700">{(error as Error).message}</p>}
    </div>
  );
}
