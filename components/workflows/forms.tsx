"use client";
// The workflow forms: a rule editor (fields, no JSON), a channel form, and the
// per-row buttons. Each posts to a server action that re-checks everything
// (zod, PDP, RLS); the page only hides what would be refused.
import { useActionState } from "react";
import { FieldError, ResultMessage } from "@/components/team/form-bits";
import { idle, type ActionResult } from "@/lib/actions/result";
import { createChannel } from "@/lib/actions/workflows/create-channel";
import { deleteChannel } from "@/lib/actions/workflows/delete-channel";
import { testChannel } from "@/lib/actions/workflows/test-channel";
import { createRule } from "@/lib/actions/workflows/save-rule";
import { deleteRule, setRuleEnabled } from "@/lib/actions/workflows/set-rule-enabled";

const input = "mt-1 w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900";
const button = "rounded-lg bg-brand px-3 py-1.5 text-sm font-medium text-white hover:opacity-90";
const quiet = "rounded-lg border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50";

export interface FieldOption {
  name: string;
  label: string;
  ops: { value: string; label: string }[];
  values?: readonly string[];
}

export function RuleEditor(props: {
  tenantId: string;
  fields: FieldOption[];
  people: { id: string; label: string }[];
  channels: { id: string; label: string }[];
}) {
  const [state, action, pending] = useActionState(createRule, idle as ActionResult<{ id: string; version: number }>);
  const allOps = Array.from(new Map(props.fields.flatMap((f) => f.ops).map((o) => [o.value, o])).values());
  return (
    <form action={action} className="space-y-3" data-testid="rule-editor">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <div className="grid gap-3 sm:grid-cols-3">
        <label className="text-sm font-medium text-slate-700 sm:col-span-2">
          Name
          <input name="name" className={input} placeholder="Critical on prod → on-call" required maxLength={80} />
          <FieldError state={state} name="name" />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Order
          <input name="position" type="number" min={0} max={10000} defaultValue={100} className={input} />
        </label>
      </div>
      <fieldset className="rounded-lg border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-700">When an alert arrives and</legend>
        <label className="text-sm text-slate-700">
          Match{" "}
          <select name="match" className="rounded border border-slate-300 px-2 py-1 text-sm" aria-label="Match all or any condition">
            <option value="all">all conditions</option>
            <option value="any">any condition</option>
          </select>
        </label>
        {[0, 1, 2].map((i) => (
          <div key={i} className="mt-2 grid gap-2 sm:grid-cols-3">
            <div>
              <select name={`cond${i}_field`} aria-label={`Condition ${i + 1} field`} className={input} defaultValue={i === 0 ? "severity" : ""}>
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
              <select name={`cond${i}_op`} aria-label={`Condition ${i + 1} comparison`} className={input} defaultValue={i === 0 ? "at_least" : "is"}>
                {allOps.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
              <FieldError state={state} name={`cond${i}_op`} />
            </div>
            <div>
              <input name={`cond${i}_value`} aria-label={`Condition ${i + 1} value`} className={input} placeholder={i === 0 ? "high" : "e.g. prod"} defaultValue={i === 0 ? "high" : ""} />
              <FieldError state={state} name={`cond${i}_value`} />
            </div>
          </div>
        ))}
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="text-sm font-medium text-slate-700">
          Assign to
          <select name="assignTo" className={input} defaultValue="">
            <option value="">(nobody)</option>
            {props.people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
          <FieldError state={state} name="assignTo" />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Notify
          <select name="notify" className={input} defaultValue="">
            <option value="">(no channel)</option>
            {props.channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
          <FieldError state={state} name="notify" />
        </label>
      </div>
      <fieldset className="grid gap-3 rounded-lg border border-slate-200 p-3 sm:grid-cols-3">
        <legend className="px-1 text-sm font-medium text-slate-700">If not acknowledged (optional)</legend>
        <label className="text-sm text-slate-700">
          after minutes
          <input name="escalateAfter" type="number" min={1} max={10080} className={input} placeholder="15" />
          <FieldError state={state} name="escalateAfter" />
        </label>
        <label className="text-sm text-slate-700">
          escalate to
          <select name="escalateAssignTo" className={input} defaultValue="">
            <option value="">(nobody)</option>
            {props.people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm text-slate-700">
          and notify
          <select name="escalateNotify" className={input} defaultValue="">
            <option value="">(no channel)</option>
            {props.channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" name="enabled" defaultChecked /> Enabled
      </label>
      <FieldError state={state} name="form" />
      <div className="flex items-center gap-3">
        <button type="submit" className={button} disabled={pending}>
          Save rule
        </button>
        <ResultMessage state={state} />
      </div>
    </form>
  );
}

export function ChannelForm(props: { tenantId: string }) {
  const [state, action, pending] = useActionState(createChannel, idle as ActionResult<{ id: string; secret: string | null }>);
  return (
    <form action={action} className="space-y-3" data-testid="channel-form">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <div className="grid gap-3 sm:grid-cols-3">
        <label className="text-sm font-medium text-slate-700">
          Name
          <input name="name" className={input} required maxLength={80} placeholder="SOC webhook" />
          <FieldError state={state} name="name" />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Kind
          <select name="kind" className={input}>
            <option value="webhook">Webhook (signed)</option>
            <option value="email">Email</option>
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Webhook URL
          <input name="url" className={input} placeholder="https://hooks.example.com/soc" />
          <FieldError state={state} name="url" />
        </label>
      </div>
      <label className="block text-sm font-medium text-slate-700">
        Email recipients (for email; comma or space separated)
        <input name="recipients" className={input} placeholder="oncall@example.com" />
        <FieldError state={state} name="recipients" />
      </label>
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

function RowButton(props: { label: string; action: typeof testChannel; fields: Record<string, string>; testId?: string }) {
  const [state, action, pending] = useActionState(props.action, idle as ActionResult<undefined>);
  return (
    <form action={action} className="inline-flex items-center gap-2">
      {Object.entries(props.fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={quiet} disabled={pending} data-testid={props.testId}>
        {props.label}
      </button>
      {state.ok && state.message ? <span role="status" className="text-xs text-emerald-700">{state.message}</span> : null}
      {!state.ok && state.error ? <span role="alert" className="text-xs text-red-700">{state.error}</span> : null}
    </form>
  );
}

export function ChannelButtons(props: { tenantId: string; channelId: string; name: string }) {
  const fields = { tenantId: props.tenantId, channelId: props.channelId };
  return (
    <span className="flex flex-wrap gap-2">
      <RowButton label={`Send test`} action={testChannel} fields={fields} testId="channel-test" />
      <RowButton label="Remove" action={deleteChannel} fields={fields} />
    </span>
  );
}

export function RuleButtons(props: { tenantId: string; ruleId: string; enabled: boolean }) {
  const fields = { tenantId: props.tenantId, ruleId: props.ruleId };
  return (
    <span className="flex flex-wrap gap-2">
      <RowButton label={props.enabled ? "Disable" : "Enable"} action={setRuleEnabled as unknown as typeof testChannel} fields={{ ...fields, enabled: String(!props.enabled) }} />
      <RowButton label="Delete" action={deleteRule} fields={fields} />
    </span>
  );
}
