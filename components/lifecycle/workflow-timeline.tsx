"use client";
// A lifecycle workflow as a step timeline, live: polls the tenant's live route
// every second while the workflow is unfinished (TanStack Query), shows each
// step's state and the running step's own progress bar (the purge's rows),
// and offers Retry when it failed (carrying on from the failed step).
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useRef } from "react";
import { JobStatusBadge } from "@/components/jobs/job-status-badge";
import { ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { retryOffboarding, retryProvisioning } from "@/lib/actions/lifecycle/retry-workflow";
import { idle, type ActionResult } from "@/lib/actions/result";
import { isFinished } from "@/lib/jobs/types";
import { formatTimeWithZone } from "@/lib/locale/time";
import type { WorkflowView } from "@/lib/lifecycle/live";
import { STEP_LABELS, WORKFLOW_LABELS } from "@/lib/lifecycle/labels";

const DOT: Record<string, string> = {
  pending: "bg-slate-200 ring-slate-300",
  running: "bg-indigo-500 ring-indigo-200 animate-pulse",
  succeeded: "bg-emerald-500 ring-emerald-200",
  failed: "bg-red-500 ring-red-200",
  skipped: "bg-slate-300 ring-slate-200",
};

async function fetchWorkflow(slug: string, kind: string): Promise<WorkflowView | null> {
  const response = await fetch(`/customers/${encodeURIComponent(slug)}/live`, { cache: "no-store", headers: { accept: "application/json" } });
  if (response.status === 401) throw new Error("Your session has ended; sign in again to follow this.");
  if (!response.ok) throw new Error("The latest progress could not be read; reload the page.");
  const data = (await response.json()) as { workflows: WorkflowView[] };
  return data.workflows.find((w) => w.job.kind === kind) ?? null;
}

function stepDetail(step: WorkflowView["steps"][number]): string | null {
  const o = step.output as Record<string, unknown>;
  if (step.status === "failed") return step.lastError;
  if (typeof o.total === "number" && typeof o.done === "number" && (step.status === "running" || step.name === "purge")) {
    return `${o.done.toLocaleString("en")} of ${o.total.toLocaleString("en")} rows`;
  }
  if (step.name === "isolation" && typeof o.status === "string") return o.status === "applied" ? `applied to ${String(o.server ?? "the cluster")}` : o.status === "rendered" ? "rendered, not applied (no cluster configured)" : String(o.status);
  if (step.name === "export" && typeof o.file === "string") return `${o.file} (${Number(o.rows ?? 0).toLocaleString("en")} rows)`;
  if (step.name === "invite-admin" && typeof o.invited === "string") return `invitation for ${o.invited}`;
  if (step.name === "crypto-shred" && typeof o.keyVersionsDestroyed === "number") return `${o.keyVersionsDestroyed} key version(s) destroyed`;
  return null;
}

/** `timeZone`: the page's zone, a prop because the polled JSON carries instants only (formatted with it, server and browser agree). */
export function WorkflowTimeline(props: { slug: string; initial: WorkflowView; canRetry: boolean; timeZone: string }) {
  const router = useRouter();
  const following = useRef(!isFinished(props.initial.job.status));
  const { data, error } = useQuery({
    queryKey: ["workflow", props.slug, props.initial.job.kind],
    queryFn: () => fetchWorkflow(props.slug, props.initial.job.kind),
    initialData: props.initial,
    refetchInterval: (q) => (q.state.data && !isFinished(q.state.data.job.status) ? 1_000 : false),
  });
  const wf = data ?? props.initial;
  const finished = isFinished(wf.job.status);
  useEffect(() => {
    // The page around it (status, counts) catches up once, when the workflow ends.
    if (finished && following.current) {
      following.current = false;
      router.refresh();
    }
    if (!finished) following.current = true;
  }, [finished, router]);
  const retry = wf.job.kind === "lifecycle.offboard" ? retryOffboarding : retryProvisioning;
  const [retried, runRetry] = useActionState(retry, idle as ActionResult<{ jobId: string }>);

  const done = wf.steps.filter((s) => s.status === "succeeded").length;
  const total = wf.steps.length || 1;
  const percent = wf.job.status === "succeeded" ? 100 : Math.round((done / total) * 100);
  const scheduled = wf.job.status === "queued" && wf.job.attempts === 0 && new Date(wf.job.runAfter).getTime() > Date.now() + 5_000;

  return (
    <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid={`workflow-${wf.job.kind}`} data-job-status={wf.job.status}>
      <div className="mb-3 flex items-center justify-between gap-3">
        <h3 className="text-sm font-semibold text-slate-800">{WORKFLOW_LABELS[wf.job.kind] ?? wf.job.kind}</h3>
        <JobStatusBadge status={wf.job.status} retrying={wf.job.status === "queued" && wf.job.attempts > 0} />
      </div>
      <div role="progressbar" aria-label={`${WORKFLOW_LABELS[wf.job.kind] ?? "Workflow"} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="mb-4 h-2 overflow-hidden rounded-full bg-slate-200">
        <div className={`h-full rounded-full transition-[width] duration-500 ${wf.job.status === "failed" ? "bg-red-500" : wf.job.status === "succeeded" ? "bg-emerald-500" : "bg-brand"}`} style={{ width: `${Math.max(percent, wf.job.status === "running" ? 4 : 0)}%` }} />
      </div>
      {scheduled && <p className="mb-3 text-sm text-slate-600">Scheduled for <time dateTime={wf.job.runAfter}>{formatTimeWithZone(new Date(wf.job.runAfter), props.timeZone)}</time> (the grace period).</p>}
      <ol className="space-y-2">
        {(wf.steps.length ? wf.steps : []).map((s) => {
          const detail = stepDetail(s);
          const o = s.output as Record<string, unknown>;
          const stepPercent = typeof o.total === "number" && o.total > 0 && typeof o.done === "number" ? Math.round((o.done / o.total) * 100) : null;
          return (
            <li key={s.name} className="flex gap-3" data-testid={`step-${s.name}`} data-step-status={s.status}>
              <span className={`mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full ring-4 ${DOT[s.status]}`} aria-hidden />
              <div className="min-w-0 flex-1">
                <p className="text-sm text-slate-800">
                  {STEP_LABELS[s.name] ?? s.name}
                  {s.attempts > 1 && <span className="ml-2 text-xs text-amber-700">attempt {s.attempts}</span>}
                </p>
                {s.status === "running" && stepPercent !== null && (
                  <div className="mt-1 h-1.5 w-64 overflow-hidden rounded-full bg-slate-200">
                    <div className="h-full bg-indigo-500" style={{ width: `${stepPercent}%` }} />
                  </div>
                )}
                {detail && <p className={`text-xs ${s.status === "failed" ? "text-red-700" : "text-slate-500"}`}>{detail}</p>}
              </div>
            </li>
          );
        })}
        {wf.steps.length === 0 && <li className="text-sm text-slate-500">{scheduled ? "Nothing runs before then." : "Waiting for a worker to start it…"}</li>}
      </ol>
      {wf.job.status === "failed" && (
        <div className="mt-4 rounded-lg border border-red-200 bg-red-50 p-3">
          <p className="text-sm text-red-800">{wf.job.lastError ?? "It failed without a recorded reason."}</p>
          {props.canRetry && (
            <form action={runRetry} className="mt-2 flex items-center gap-3">
              <input type="hidden" name="tenantId" value={wf.job.tenantId} />
              <input type="hidden" name="jobId" value={wf.job.id} />
              <SubmitButton pendingLabel="Retrying…">Retry from the failed step</SubmitButton>
              <ResultMessage state={retried} />
            </form>
          )}
        </div>
      )}
      {error && <p className="mt-2 text-xs text-amber-700">{(error as Error).message}</p>}
    </section>
  );
}
