"use client";
// The run page's controls: the confirmation (typed count, optional canary),
// stop, continue, undo and discard, each a server action that checks
// everything again; and the poll that refreshes the page while a run works.
// A run paused during its undo offers "Continue undo" only: continuing it
// carries on with the undo (lib/bulk/runs.ts), never the change itself.
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { continueBulkRun, discardBulkRun, stopBulkRun, undoBulkRun } from "@/lib/actions/bulk/control-bulk-run";
import { startBulkRun } from "@/lib/actions/bulk/start-bulk-run";
import { idle, type ActionResult } from "@/lib/actions/result";

const input = "mt-1 w-40 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm";

/** router.refresh() every 1.5 s while the run is working (server components re-read it under RLS). */
export function RefreshWhileWorking({ working }: { working: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!working) return;
    const t = setInterval(() => router.refresh(), 1500);
    return () => clearInterval(t);
  }, [working, router]);
  return null;
}

export function ConfirmForm(props: { msspId: string; runId: string; toChange: number }) {
  const [state, action] = useActionState(startBulkRun, idle as ActionResult<undefined>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} noValidate className="space-y-3 rounded-xl border border-amber-200 bg-amber-50 p-4" aria-label="Confirm the bulk run" data-testid="bulk-confirm">
      <input type="hidden" name="tenantId" value={props.msspId} />
      <input type="hidden" name="runId" value={props.runId} />
      <p className="text-sm text-amber-950">
        This changes <strong>{props.toChange}</strong> tenant{props.toChange === 1 ? "" : "s"}. Type that number to confirm.
      </p>
      <div className="flex flex-wrap items-end gap-4">
        <label className="flex flex-col text-xs font-medium text-slate-800">
          Tenants that will change
          <input name="confirm" inputMode="numeric" autoComplete="off" className={input} />
          <FieldError state={state} name="confirm" />
        </label>
        <label className="flex flex-col text-xs font-medium text-slate-800">
          Canary: first N, then pause (optional)
          <input name="canary" inputMode="numeric" autoComplete="off" className={input} />
          <FieldError state={state} name="canary" />
        </label>
        <SubmitButton pendingLabel="Starting…">Start the run</SubmitButton>
      </div>
      <ResultMessage state={state} />
    </form>
  );
}

function ControlButton(props: { msspId: string; runId: string; kind: "stop" | "continue" | "undo" | "discard"; label: string; tone?: "danger" | "quiet" }) {
  const run = { stop: stopBulkRun, continue: continueBulkRun, undo: undoBulkRun, discard: discardBulkRun }[props.kind];
  const [state, action] = useActionState(run, idle as ActionResult<undefined>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} className="flex flex-col gap-1">
      <input type="hidden" name="tenantId" value={props.msspId} />
      <input type="hidden" name="runId" value={props.runId} />
      <SubmitButton tone={props.tone}>{props.label}</SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

export function RunControls(props: { msspId: string; runId: string; status: string; pending: number; undo: true | string; undoStarted: boolean }) {
  const { status, undoStarted } = props;
  const pausedUndo = status === "paused" && undoStarted;
  return (
    <div className="flex flex-wrap items-start gap-3" data-testid="bulk-controls">
      {status === "running" && <ControlButton {...props} kind="stop" label="Stop" tone="danger" />}
      {status === "undoing" && <ControlButton {...props} kind="stop" label="Stop the undo" tone="danger" />}
      {(status === "running" || status === "undoing") && (
        <div className="flex max-w-xs flex-col gap-1">
          <ControlButton {...props} kind="continue" label="Hand to a worker again" tone="quiet" />
          <p className="text-xs text-slate-600">Only if the progress has not moved for a minute (a worker restarted): it carries on from the first tenant not done.</p>
        </div>
      )}
      {status === "paused" && !pausedUndo && props.pending > 0 && <ControlButton {...props} kind="continue" label="Continue" />}
      {pausedUndo && (
        <div className="flex max-w-xs flex-col gap-1">
          <ControlButton {...props} kind="continue" label="Continue undo" />
          <p className="text-xs text-slate-600">Carries on walking back the tenants this run changed, as you; the tenants it never reached stay as they are.</p>
        </div>
      )}
      {(status === "paused" || status === "finished") && !pausedUndo && props.undo === true && <ControlButton {...props} kind="undo" label="Undo this run" tone="quiet" />}
      {status === "planned" && <ControlButton {...props} kind="discard" label="Discard the dry run" tone="quiet" />}
      {(status === "paused" || status === "finished") && props.undo !== true && <p className="max-w-md text-xs text-slate-600">{props.undo}</p>}
    </div>
  );
}
