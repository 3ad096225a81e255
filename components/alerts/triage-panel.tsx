"use client";
// The controls on an alert's page, shown only when the PDP allows
// alerts:triage there: the next steps the workflow offers, closing with a
// reason, the assignee picker and a comment box. Each is its own small form,
// posting to its server action; results and refusals are read out (role=status / alert).
import { useActionState, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import type { AlertStatus } from "@/drizzle/schema";
import { idle, type ActionResult } from "@/lib/actions/result";
import { assignAlert } from "@/lib/actions/alerts/assign-alert";
import { assignAlertGroup } from "@/lib/actions/alerts/assign-alert-group";
import { acknowledgeAlert, closeAlert, startAlert } from "@/lib/actions/alerts/change-alert-status";
import { commentOnAlert } from "@/lib/actions/alerts/comment-on-alert";
import type { Assignee } from "@/lib/alerts/detail";
import { transitionVerb } from "@/lib/alerts/workflow";

interface Props {
  tenantId: string;
  alertId: string;
  status: AlertStatus;
  nextStatuses: readonly AlertStatus[];
  assignees: Assignee[];
  assignedTo: string | null;
  /** How the page names the current assignee (for one the caller cannot pick: "MSSP staff", "a former member"…). */
  assignedToLabel: string | null;
  /** Groups the alert may be given (its tenant's and inherited), and members of each the caller can see. */
  groups: { id: string; name: string; inheritedFrom: string | null }[];
  groupMembers: Record<string, string[]>;
  assignedGroupId: string | null;
}

const field = "w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand focus:outline-none";

function Hidden({ tenantId, alertId, status }: { tenantId: string; alertId: string; status?: string }) {
  return (
    <>
      <input type="hidden" name="tenantId" value={tenantId} />
      <input type="hidden" name="alertId" value={alertId} />
      {/* The status this page shows: a status change is refused if a colleague changed it since. */}
      {status && <input type="hidden" name="shown" value={status} />}
    </>
  );
}

function StepButton(props: Props & { to: "acknowledged" | "in_progress" }) {
  const [state, action] = useActionState(props.to === "acknowledged" ? acknowledgeAlert : startAlert, idle as ActionResult);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} className="flex flex-col gap-1">
      <Hidden {...props} />
      <SubmitButton pendingLabel="Saving…">{transitionVerb(props.status, props.to)}</SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

function CloseForm(props: Props) {
  const [state, action] = useActionState(closeAlert, idle as ActionResult);
  const keptAction = useKeptForm(state, action);
  const choices = props.nextStatuses.filter((s): s is "resolved" | "false_positive" => s === "resolved" || s === "false_positive");
  return (
    <form action={action} {...keptAction} className="space-y-2 rounded-lg border border-slate-200 p-3" aria-label="Close the alert">
      <Hidden {...props} />
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className="mb-1 text-xs font-medium text-slate-600">Close as</legend>
        {choices.map((s, i) => (
          <label key={s} className="flex items-center gap-1.5">
            <input type="radio" name="resolution" value={s} defaultChecked={i === 0} />
            {s === "resolved" ? "Resolved" : "False positive"}
          </label>
        ))}
      </fieldset>
      <label className="block text-xs font-medium text-slate-600">
        Reason (required)
        <textarea name="reason" rows={2} maxLength={1000} className={`${field} mt-1`} placeholder="What was found, what was done" />
      </label>
      <FieldError state={state} name="reason" />
      <SubmitButton tone="quiet" pendingLabel="Closing…">
        Close alert
      </SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

function AssignForm(props: Props) {
  const [state, action] = useActionState(assignAlert, idle as ActionResult);
  // Saved, the select goes on showing the new assignee (a reset would show the one it was rendered with).
  const keptAction = useKeptForm(state, action, { resetOnSuccess: false });
  return (
    <form action={action} {...keptAction} className="space-y-2" aria-label="Assignee">
      <Hidden {...props} />
      <label className="block text-xs font-medium text-slate-600">
        Assignee
        <select name="assigneeId" defaultValue={props.assignedTo ?? ""} className={`${field} mt-1`}>
          <option value="">Unassigned</option>
          {props.assignees.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name ? `${a.name} (${a.email})` : a.email}
            </option>
          ))}
          {props.assignedTo && !props.assignees.some((a) => a.id === props.assignedTo) && <option value={props.assignedTo}>{props.assignedToLabel ?? "someone you cannot see"} (current)</option>}
        </select>
      </label>
      <FieldError state={state} name="assigneeId" />
      <SubmitButton tone="quiet" pendingLabel="Saving…">
        Save assignee
      </SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

/** A group, and optionally a person in it: the people offered are the group's members the caller can see (all assignees when none are). */
function GroupForm(props: Props) {
  const [state, action] = useActionState(assignAlertGroup, idle as ActionResult);
  const keptAction = useKeptForm(state, action, { resetOnSuccess: false });
  const [groupId, setGroupId] = useState(props.assignedGroupId ?? "");
  const members = new Set(props.groupMembers[groupId] ?? []);
  const people = groupId && members.size > 0 ? props.assignees.filter((a) => members.has(a.id)) : props.assignees;
  return (
    <form action={action} {...keptAction} className="space-y-2" aria-label="Group">
      <Hidden {...props} />
      <label className="block text-xs font-medium text-slate-600">
        Group
        <select name="groupId" value={groupId} onChange={(e) => setGroupId(e.target.value)} className={`${field} mt-1`}>
          <option value="">No group</option>
          {props.groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.inheritedFrom ? `${g.name} (from ${g.inheritedFrom})` : g.name}
            </option>
          ))}
        </select>
      </label>
      <FieldError state={state} name="groupId" />
      {groupId && (
        <label className="block text-xs font-medium text-slate-600">
          Person in the group (optional)
          <select name="assigneeId" defaultValue="" key={groupId} className={`${field} mt-1`}>
            <option value="">Anyone in the group</option>
            {people.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name ? `${a.name} (${a.email})` : a.email}
              </option>
            ))}
          </select>
        </label>
      )}
      <FieldError state={state} name="assigneeId" />
      <SubmitButton tone="quiet" pendingLabel="Saving…">
        Save group
      </SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

function CommentForm(props: Props) {
  const [state, action] = useActionState(commentOnAlert, idle as ActionResult);
  // A posted comment is on the timeline now: the box is cleared for the next one (a refused one keeps its text).
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} className="space-y-2" aria-label="Add a comment">
      <Hidden {...props} />
      <label className="block text-xs font-medium text-slate-600">
        Comment
        <textarea name="body" rows={3} maxLength={4000} className={`${field} mt-1`} placeholder="Notes for whoever picks this up next" />
      </label>
      <FieldError state={state} name="body" />
      <SubmitButton tone="quiet" pendingLabel="Posting…">
        Add comment
      </SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}

export function TriagePanel(props: Props) {
  const steps = props.nextStatuses.filter((s): s is "acknowledged" | "in_progress" => s === "acknowledged" || s === "in_progress");
  const closable = props.nextStatuses.some((s) => s === "resolved" || s === "false_positive");
  return (
    <div className="space-y-5" data-testid="triage-panel">
      {steps.length > 0 && (
        <div className="flex flex-wrap gap-3">
          {steps.map((to) => (
            <StepButton key={to} {...props} to={to} />
          ))}
        </div>
      )}
      {closable && <CloseForm {...props} />}
      {props.groups.length > 0 || props.assignedGroupId ? <GroupForm {...props} /> : null}
      <AssignForm {...props} />
      <CommentForm {...props} />
    </div>
  );
}
