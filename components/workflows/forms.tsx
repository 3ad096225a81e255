"use client";
// The workflow forms: a rule editor (fields, no JSON), a channel form, and the
// per-row buttons. Each posts to a server action that re-checks everything
// (zod, PDP, RLS); the page only hides what would be refused.
import { useActionState, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { ConfirmedForm } from "@/components/ui/confirmed-form";
import { RowRemovals, useRowRemoval } from "@/components/ui/row-removals";
import { FieldError, ResultMessage } from "@/components/team/form-bits";
import { idle, type ActionResult } from "@/lib/actions/result";
import { createChannel } from "@/lib/actions/workflows/create-channel";
import { deleteChannel } from "@/lib/actions/workflows/delete-channel";
import type { testChannel } from "@/lib/actions/workflows/test-channel";
import { createRule, updateRule } from "@/lib/actions/workflows/save-rule";
import { deleteRule, setRuleEnabled } from "@/lib/actions/workflows/set-rule-enabled";
import type { RuleFormValues } from "@/lib/rules/form-values";

const input = "mt-1 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900";
const button = "rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:opacity-90";
const quiet = "rounded-lg border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50";

export interface FieldOption {
  name: string;
  label: string;
  ops: { value: string; label: string }[];
  values?: readonly string[];
}

/** One person or channel out of a list, or none (an empty value). */
function PickOne(props: { name: string; none: string; options: ReadonlyArray<{ id: string; label: string }>; defaultValue: string }) {
  return (
    <select name={props.name} className={input} defaultValue={props.defaultValue}>
      <option value="">{props.none}</option>
      {props.options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

export function RuleEditor(props: {
  tenantId: string;
  fields: FieldOption[];
  people: { id: string; label: string }[];
  /** Assignee groups of the tenant and inherited ones (lib/groups). */
  groups: { id: string; label: string }[];
  channels: { id: string; label: string }[];
  /** Editing this rule (saved as a new version); a new rule when absent. */
  rule?: RuleFormValues;
}) {
  const [state, action, pending] = useActionState(props.rule ? updateRule : createRule, idle as ActionResult<{ id: string; version: number }>);
  const keptAction = useKeptForm(state, action);
  const allOps = Array.from(new Map(props.fields.flatMap((f) => f.ops).map((o) => [o.value, o])).values());
  const r = props.rule;
  const cond = (i: number) => r?.conditions[i] ?? (r ? { field: "", op: "is", value: "" } : i === 0 ? { field: "severity", op: "at_least", value: "high" } : { field: "", op: "is", value: "" });
  return (
    <form action={action} {...keptAction} className="space-y-3" data-testid="rule-editor">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      {r ? <input type="hidden" name="ruleId" value={r.ruleId} /> : null}
      {/* The version this form was opened on: a save over a newer one is refused, not silently overwritten. */}
      {r ? <input type="hidden" name="version" value={r.version} /> : null}
      <div className="grid gap-3 sm:grid-cols-3">
        <label className="text-sm font-medium text-slate-700 sm:col-span-2">
          Name
          <input name="name" className={input} placeholder="Critical on prod → on-call" required maxLength={80} defaultValue={r?.name} />
          <FieldError state={state} name="name" />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Order (lower runs first)
          <input name="position" type="number" min={0} max={10000} defaultValue={r?.position ?? 100} className={input} />
          <FieldError state={state} name="position" />
        </label>
      </div>
      <fieldset className="min-w-0 rounded-lg border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-700">When an alert arrives and</legend>
        <label className="text-sm text-slate-700">
          Match{" "}
          <select name="match" className="rounded border border-slate-300 px-2 py-1 text-sm" aria-label="Match all or any condition" defaultValue={r?.match ?? "all"}>
            <option value="all">all conditions</option>
            <option value="any">any condition</option>
          </select>
        </label>
        {[0, 1, 2].map((i) => (
          <div key={i} className="mt-2 grid gap-2 sm:grid-cols-3">
            <div>
              <select name={`cond${i}_field`} aria-label={`Condition ${i + 1} field`} className={input} defaultValue={cond(i).field}>
                <option value="">{i === 0 ? "Field" : "(no condition)"}</option>
                {props.fields.map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.label}
                  </option>
                ))}
              </select>
              <FieldError state={state} name={`cond${i}_field`} />
            </div>
            <div>
              <select name={`cond${i}_op`} aria-label={`Condition ${i + 1} comparison`} className={input} defaultValue={cond(i).op}>
                {allOps.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
              <FieldError state={state} name={`cond${i}_op`} />
            </div>
            <div>
              <input name={`cond${i}_value`} aria-label={`Condition ${i + 1} value`} className={input} placeholder={i === 0 ? "high" : "e.g. prod"} defaultValue={cond(i).value} />
              <FieldError state={state} name={`cond${i}_value`} />
            </div>
          </div>
        ))}
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="text-sm font-medium text-slate-700">
          Assign to
          <PickOne name="assignTo" none="(nobody)" options={props.people} defaultValue={r?.assignTo ?? ""} />
          <FieldError state={state} name="assignTo" />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Group
          <PickOne name="assignGroup" none="(no group)" options={props.groups} defaultValue={r?.assignGroup ?? ""} />
          <FieldError state={state} name="assignGroup" />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Notify
          <PickOne name="notify" none="(no channel)" options={props.channels} defaultValue={r?.notify ?? ""} />
          <FieldError state={state} name="notify" />
        </label>
        <label className="flex items-start gap-2 text-sm text-slate-700 sm:col-span-2">
          <input type="checkbox" name="notifyDefaults" className="mt-0.5" defaultChecked={r?.notifyDefaults ?? false} />
          <span>
            Also notify the tenant&apos;s default recipients <span className="text-slate-600">(Settings → Notifications, read when the rule runs)</span>
          </span>
        </label>
      </div>
      <fieldset className="grid min-w-0 gap-3 rounded-lg border border-slate-200 p-3 sm:grid-cols-2">
        <legend className="px-1 text-sm font-medium text-slate-700">If not acknowledged (optional)</legend>
        <label className="text-sm text-slate-700">
          after minutes
          <input name="escalateAfter" type="number" min={1} max={10080} className={input} placeholder="15" defaultValue={r?.escalateAfter} />
          <FieldError state={state} name="escalateAfter" />
        </label>
        <label className="text-sm text-slate-700">
          escalate to
          <PickOne name="escalateAssignTo" none="(nobody)" options={props.people} defaultValue={r?.escalateAssignTo ?? ""} />
        </label>
        <label className="text-sm text-slate-700">
          escalate to group
          <PickOne name="escalateAssignGroup" none="(no group)" options={props.groups} defaultValue={r?.escalateAssignGroup ?? ""} />
          <FieldError state={state} name="escalateAssignGroup" />
        </label>
        <label className="text-sm text-slate-700">
          and notify
          <PickOne name="escalateNotify" none="(no channel)" options={props.channels} defaultValue={r?.escalateNotify ?? ""} />
          <FieldError state={state} name="escalateNotify" />
        </label>
        <label className="flex items-center gap-2 text-sm text-slate-700 sm:col-span-2">
          <input type="checkbox" name="escalateNotifyDefaults" defaultChecked={r?.escalateNotifyDefaults ?? false} /> and the default recipients
        </label>
      </fieldset>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" name="enabled" defaultChecked={r?.enabled ?? true} /> Enabled
      </label>
      <FieldError state={state} name="form" />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={button} disabled={pending}>
          {r ? `Save as version ${r.version + 1}` : "Save rule"}
        </button>
        {r ? (
          <a href="/workflows" className="text-sm font-medium text-slate-700 underline">
            Cancel
          </a>
        ) : null}
        <ResultMessage state={state} />
      </div>
    </form>
  );
}

export function ChannelForm(props: { tenantId: string }) {
  const [state, action, pending] = useActionState(createChannel, idle as ActionResult<{ id: string; secret: string | null }>);
  const keptAction = useKeptForm(state, action);
  // Only the field the chosen kind uses is shown (the server checks the pair again).
  const [kind, setKind] = useState<"webhook" | "email">("webhook");
  return (
    <form action={action} {...keptAction} className="space-y-3" data-testid="channel-form">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <div className="grid gap-3 sm:grid-cols-3">
        <label className="text-sm font-medium text-slate-700">
          Name
          <input name="name" className={input} required maxLength={80} placeholder="SOC webhook" />
          <FieldError state={state} name="name" />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Kind
          <select name="kind" className={input} value={kind} onChange={(e) => setKind(e.target.value === "email" ? "email" : "webhook")}>
            <option value="webhook">Webhook (signed)</option>
            <option value="email">Email</option>
          </select>
        </label>
        {kind === "webhook" ? (
          <label className="text-sm font-medium text-slate-700">
            Webhook URL (https)
            <input name="url" className={input} placeholder="https://hooks.example.com/soc" />
            <FieldError state={state} name="url" />
          </label>
        ) : (
          <label className="text-sm font-medium text-slate-700">
            Email recipients (comma or space separated)
            <input name="recipients" className={input} placeholder="oncall@example.com" />
            <FieldError state={state} name="recipients" />
          </label>
        )}
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" className={button} disabled={pending}>
          Add channel
        </button>
        <ResultMessage state={state} />
      </div>
      {state.ok && state.data.secret ? (
        <p className="rounded-lg bg-amber-50 p-3 font-mono text-xs text-amber-900" data-testid="channel-secret">
          Signing secret (shown once): {state.data.secret}
        </p>
      ) : null}
    </form>
  );
}

export function RowButton(props: { label: string; ariaLabel?: string; action: typeof testChannel; fields: Record<string, string>; testId?: string }) {
  const [state, action, pending] = useActionState(props.action, idle as ActionResult<undefined>);
  const keptAction = useKeptForm(state, action);
  return (
    <form action={action} {...keptAction} className="inline-flex items-center gap-2">
      {Object.entries(props.fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={quiet} disabled={pending} data-testid={props.testId} aria-label={props.ariaLabel}>
        {props.label}
      </button>
      {state.ok && state.message ? <span role="status" className="text-xs text-emerald-700">{state.message}</span> : null}
      {!state.ok && state.error ? <span role="alert" className="text-xs text-red-700">{state.error}</span> : null}
    </form>
  );
}

/** A row's removal: asked first, answered above its list (RuleRemovals, ChannelRemovals), since the row goes. */
export function RemoveButton(props: { label: string; ariaLabel: string; question: string; fields: Record<string, string> }) {
  const remove = useRowRemoval();
  return (
    <ConfirmedForm action={remove} question={props.question} className="inline-flex">
      {Object.entries(props.fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={quiet} aria-label={props.ariaLabel}>
        {props.label}
      </button>
    </ConfirmedForm>
  );
}

export function RuleRemovals(props: { children: React.ReactNode }) {
  return (
    <RowRemovals action={deleteRule} testId="rule-removal-answer">
      {props.children}
    </RowRemovals>
  );
}

export function ChannelRemovals(props: { children: React.ReactNode }) {
  return (
    <RowRemovals action={deleteChannel} testId="channel-removal-answer" answerClassName="mt-2">
      {props.children}
    </RowRemovals>
  );
}

export function RuleButtons(props: { tenantId: string; ruleId: string; name: string; enabled: boolean; editable: boolean }) {
  const fields = { tenantId: props.tenantId, ruleId: props.ruleId };
  return (
    <span className="flex flex-wrap gap-2">
      {props.editable ? (
        <a href={`/workflows?edit=${props.ruleId}#rule-editor`} className={quiet} aria-label={`Edit ${props.name}`}>
          Edit
        </a>
      ) : null}
      <RowButton
        label={props.enabled ? "Disable" : "Enable"}
        ariaLabel={`${props.enabled ? "Disable" : "Enable"} ${props.name}`}
        action={setRuleEnabled as unknown as typeof testChannel}
        fields={{ ...fields, enabled: String(!props.enabled) }}
      />
      <RemoveButton label="Delete" ariaLabel={`Delete ${props.name}`} question={`Delete the rule "${props.name}"? It stops acting on new alerts; its versions stay in the history.`} fields={fields} />
    </span>
  );
}
