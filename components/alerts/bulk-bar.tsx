"use client";
// Bulk triage over the rows ticked in the alert table: acknowledge, assign or
// close (with a reason) in one go. The selection is read from the table's
// checkboxes (data-alert-key "tenantId:alertId") into each form's hidden
// field; the action answers with a line per outcome. The three forms appear
// with the first ticked alert and then stay (their results show there): they
// need the selection, which needs JavaScript anyway, and every alert page
// rendered them for nobody: in one load run the page without them took 1.7 ms
// less CPU (npm run bench -- --only=load, BENCH_LOAD_EXTRA_PHASES).
import { useActionState, useEffect, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { bulkAcknowledge, bulkAssign, bulkClose } from "@/lib/actions/alerts/bulk-triage";
import { idle, type ActionResult } from "@/lib/actions/result";
import type { Assignee } from "@/lib/alerts/detail";
import type { BulkRowResult } from "@/lib/alerts/triage";

const MAX = 100;
const input = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand focus:outline-none";

function useSelection(): [string[], () => void] {
  const [keys, setKeys] = useState<string[]>([]);
  useEffect(() => {
    const boxes = () => [...document.querySelectorAll<HTMLInputElement>("input[data-alert-key]")];
    const read = () => setKeys(boxes().filter((b) => b.checked).map((b) => b.dataset.alertKey!));
    const onChange = (e: Event) => {
      const t = e.target as HTMLInputElement;
      if (t.matches("input[data-select-all]")) for (const b of boxes()) b.checked = t.checked;
      if (t.matches("input[data-select-all], input[data-alert-key]")) read();
    };
    document.addEventListener("change", onChange);
    // Boxes ticked before the page hydrated fired no listener: read them now,
    // and a "select all" ticked then still selects every row.
    const all = document.querySelector<HTMLInputElement>("input[data-select-all]");
    if (all?.checked) for (const b of boxes()) b.checked = true;
    read();
    return () => document.removeEventListener("change", onChange);
  }, []);
  const clear = () => {
    for (const b of document.querySelectorAll<HTMLInputElement>("input[data-alert-key], input[data-select-all]")) b.checked = false;
    setKeys([]);
  };
  return [keys, clear];
}

function Refused({ state }: { state: ActionResult<BulkRowResult[]> }) {
  const refused = state.ok ? state.data.filter((r) => r.outcome === "refused") : [];
  if (!refused.length) return null;
  const reasons = [...new Set(refused.map((r) => r.message ?? "refused"))];
  return <p className="text-xs text-amber-800">Not changed: {reasons.join("; ")}.</p>;
}

export function BulkBar(props: { tenantId: string; assignees: Assignee[] }) {
  const [keys, clear] = useSelection();
  const [opened, setOpened] = useState(false);
  useEffect(() => {
    if (keys.length > 0) setOpened(true);
  }, [keys.length]);
  const none = keys.length === 0;
  return (
    <section aria-label="Bulk triage" data-testid="bulk-bar" className="space-y-3 rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
      <p className="text-sm text-slate-700" role="status" data-testid="bulk-count">
        {none ? "Tick alerts in the list to act on several at once." : `${keys.length} selected${keys.length > MAX ? ` (at most ${MAX} at a time)` : ""}.`}
      </p>
      {(opened || !none) && <BulkForms tenantId={props.tenantId} assignees={props.assignees} keys={keys} clear={clear} />}
    </section>
  );
}

function BulkForms(props: { tenantId: string; assignees: Assignee[]; keys: string[]; clear: () => void }) {
  const { keys, clear } = props;
  const [ack, ackAction] = useActionState(bulkAcknowledge, idle as ActionResult<BulkRowResult[]>);
  const keptAckAction = useKeptForm(ack, ackAction);
  const [assign, assignAction] = useActionState(bulkAssign, idle as ActionResult<BulkRowResult[]>);
  const keptAssignAction = useKeptForm(assign, assignAction);
  const [close, closeAction] = useActionState(bulkClose, idle as ActionResult<BulkRowResult[]>);
  const keptCloseAction = useKeptForm(close, closeAction);
  useEffect(() => {
    if (ack.ok || assign.ok || close.ok) clear();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ack, assign, close]);
  // Nothing ticked (after an action cleared the selection): the buttons wait for a selection; the count above says so.
  const none = keys.length === 0;
  const hidden = (
    <>
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="alerts" value={keys.join(",")} />
    </>
  );
  return (
      <div className="flex flex-wrap items-start gap-4">
        <form action={ackAction} {...keptAckAction} className="flex flex-col gap-1">
          {hidden}
          <SubmitButton pendingLabel="Acknowledging…" disabled={none}>Acknowledge selected</SubmitButton>
          <ResultMessage state={ack} />
          <Refused state={ack} />
        </form>
        <form action={assignAction} {...keptAssignAction} className="flex flex-wrap items-start gap-2">
          {hidden}
          <label className="sr-only" htmlFor="bulk-assignee">
            Assign selected to
          </label>
          <select id="bulk-assignee" name="assigneeId" className={input} defaultValue="">
            <option value="">Unassigned</option>
            {props.assignees.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name || a.email}
              </option>
            ))}
          </select>
          <SubmitButton tone="quiet" pendingLabel="Assigning…" disabled={none}>
            Assign selected
          </SubmitButton>
          <div className="basis-full">
            <ResultMessage state={assign} />
            <Refused state={assign} />
          </div>
        </form>
        <form action={closeAction} {...keptCloseAction} className="flex flex-wrap items-start gap-2">
          {hidden}
          <label className="sr-only" htmlFor="bulk-resolution">
            Close selected as
          </label>
          <select id="bulk-resolution" name="resolution" className={input} defaultValue="resolved">
            <option value="resolved">Resolved</option>
            <option value="false_positive">False positive</option>
          </select>
          <label className="sr-only" htmlFor="bulk-reason">
            Reason for closing
          </label>
          <input id="bulk-reason" name="reason" maxLength={1000} placeholder="Reason (required)" className={`${input} w-56`} />
          <SubmitButton tone="quiet" pendingLabel="Closing…" disabled={none}>
            Close selected
          </SubmitButton>
          <div className="basis-full">
            <FieldError state={close} name="reason" />
            <ResultMessage state={close} />
            <Refused state={close} />
          </div>
        </form>
      </div>
  );
}
