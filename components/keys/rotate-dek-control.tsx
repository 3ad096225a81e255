"use client";
// The "Rotate key" button of one tenant row, and the progress of its rotation.
// Queuing refreshes the recent jobs; the job finishing refreshes this row at
// once (GET /keys/live), then the rest of the page in the background (filter
// counts, and every row, which may have moved in or out of the filter).
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { rotateTenantKey } from "@/lib/actions/keys/rotate-tenant-key";
import type { QueuedRotation } from "@/lib/actions/keys/schemas";
import { idle, type ActionResult } from "@/lib/actions/result";
import { isFinished } from "@/lib/jobs/types";
import type { JobJson } from "@/lib/vault/rotation-page";
import { JobProgress } from "./job-progress";
import { useRefreshKeys } from "./live";

export function RotateDekControl(props: { tenantId: string; tenantName: string; canRotate: boolean; latestJob: JobJson | null; timeZone: string }) {
  const refresh = useRefreshKeys();
  const router = useRouter();
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [state, action] = useActionState(rotateTenantKey, idle as ActionResult<QueuedRotation>);
  const keptAction = useKeptForm(state, action);
  useEffect(() => {
    if (state.ok) void refresh([]).then(setRefreshError);
  }, [state, refresh]);

  // The job this row follows: the one just queued here, else an unfinished or failed one from the server.
  const queued = state.ok ? state.data.job : null;
  const fromServer = props.latestJob && (!isFinished(props.latestJob.status) || props.latestJob.status === "failed") ? props.latestJob : null;
  const job = queued ?? fromServer;
  const busy = job !== null && !isFinished(job.status) && queued === null;

  return (
    <div className="ml-auto flex w-64 flex-col items-end gap-2">
      {job && (
        <JobProgress
          key={job.id}
          initial={job}
          timeZone={props.timeZone}
          compact
          onFinished={() =>
            void refresh([props.tenantId]).then((error) => {
              setRefreshError(error);
              router.refresh();
            })
          }
        />
      )}
      {props.canRotate && !busy && (
        <form action={action} {...keptAction} aria-label={`Rotate the data key of ${props.tenantName}`}>
          <input type="hidden" name="tenantId" value={props.tenantId} />
          <SubmitButton tone="quiet" pendingLabel="Starting…">
            {queued ? "Rotate again" : "Rotate key"}
          </SubmitButton>
        </form>
      )}
      {!state.ok && state.error && <ResultMessage state={state} />}
      {refreshError && <p className="text-xs text-amber-700">{refreshError}</p>}
    </div>
  );
}
