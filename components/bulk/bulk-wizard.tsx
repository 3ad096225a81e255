"use client";
// The new-run wizard of console /bulk: 1. which tenants, 2. which change,
// 3. the dry run (planBulkRun checks everything again and stores the diff);
// its page (/bulk/<id>) then asks for the confirmation.
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { planBulkRun } from "@/lib/actions/bulk/plan-bulk-run";
import { idle, type ActionResult } from "@/lib/actions/result";
import { KIND_FILTER_LABELS, KIND_FILTERS, OPERATION_LABELS, OPERATIONS, type Operation } from "@/lib/bulk/model";

const input = "mt-1 w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm";
const label = "flex flex-col text-xs font-medium text-slate-700";

export interface WizardProps {
  msspId: string;
  roots: { id: string; name: string; kind: string }[];
  plans: { id: string; name: string; currency: string }[];
  settings: { key: string; label: string; group: string; bounds: string }[];
}

type Kept = ActionResult<{ runId: string }> & { submitted?: Record<string, string> };

export function BulkWizard(props: WizardProps) {
  const router = useRouter();
  const [state, action] = useActionState(async (prev: Kept, form: FormData): Promise<Kept> => {
    const result = await planBulkRun(prev, form);
    if (result.ok) return result;
    return { ...result, submitted: Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string")) };
  }, idle as Kept);
  const kept = state.ok ? {} : (state.submitted ?? {});
  const [operation, setOperation] = useState<Operation>((kept.operation as Operation) ?? "setting");
  const [mode, setMode] = useState(kept.mode ?? "set");
  const [key, setKey] = useState(kept.key ?? props.settings[0]?.key ?? "");
  useEffect(() => {
    if (state.ok) router.push(`/bulk/${state.data.runId}`);
  }, [state, router]);
  const setting = props.settings.find((s) => s.key === key);

  return (
    <form action={action} noValidate className="space-y-6" aria-label="New bulk run" data-testid="bulk-wizard">
      <input type="hidden" name="tenantId" value={props.msspId} />
      <fieldset className="rounded-xl border border-slate-200 bg-white p-4">
        <legend className="px-1 text-sm font-semibold text-slate-900">1. Which tenants</legend>
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <label className={label}>
            Under
            <select name="rootId" defaultValue={kept.rootId ?? props.msspId} className={input}>
              {props.roots.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.kind === "mssp" ? `${r.name} (every customer)` : r.name}
                </option>
              ))}
            </select>
            <FieldError state={state} name="rootId" />
          </label>
          <label className={label}>
            Kind
            <select name="kinds" defaultValue={kept.kinds ?? "customers"} className={input}>
              {KIND_FILTERS.map((k) => (
                <option key={k} value={k}>
                  {KIND_FILTER_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label className={label}>
            Plan
            <select name="plan" defaultValue={kept.plan ?? ""} className={input}>
              <option value="">Any plan</option>
              <option value="none">No plan</option>
              {props.plans.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.currency})
                </option>
              ))}
            </select>
          </label>
          <label className={label}>
            Status
            <select name="status" defaultValue={kept.status ?? "any"} className={input}>
              <option value="any">Any</option>
              <option value="active">Active</option>
              <option value="suspended">Suspended</option>
            </select>
          </label>
          <label className={`${label} sm:col-span-2`}>
            Name contains (optional)
            <input name="q" defaultValue={kept.q ?? ""} maxLength={100} className={input} />
            <FieldError state={state} name="q" />
          </label>
        </div>
      </fieldset>

      <fieldset className="rounded-xl border border-slate-200 bg-white p-4">
        <legend className="px-1 text-sm font-semibold text-slate-900">2. Which change</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          <label className={label}>
            Operation
            <select name="operation" value={operation} onChange={(e) => setOperation(e.target.value as Operation)} className={input}>
              {OPERATIONS.map((o) => (
                <option key={o} value={o}>
                  {OPERATION_LABELS[o]}
                </option>
              ))}
            </select>
          </label>
          {operation === "setting" && (
            <>
              <label className={label}>
                Setting
                <select name="key" value={key} onChange={(e) => setKey(e.target.value)} className={input}>
                  {props.settings.map((s) => (
                    <option key={s.key} value={s.key}>
                      {s.label} ({s.key})
                    </option>
                  ))}
                </select>
                <FieldError state={state} name="key" />
              </label>
              <label className={label}>
                Change
                <select name="mode" value={mode} onChange={(e) => setMode(e.target.value)} className={input}>
                  <option value="set">Set this value on each tenant</option>
                  <option value="inherit">Remove each tenant&apos;s own value (inherit)</option>
                </select>
              </label>
              {mode === "set" && (
                <label className={label}>
                  New value {setting ? <span className="font-normal text-slate-600">({setting.bounds}; lists one per line)</span> : null}
                  <textarea name="value" rows={2} defaultValue={kept.value ?? ""} className={input} />
                  <FieldError state={state} name="value" />
                </label>
              )}
            </>
          )}
          {operation === "plan" && (
            <>
              <label className={label}>
                Plan
                <select name="planId" defaultValue={kept.planId ?? ""} className={input}>
                  <option value="">Choose a plan</option>
                  {props.plans.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.currency})
                    </option>
                  ))}
                </select>
              </label>
              <label className={label}>
                From month
                <input type="month" name="from" defaultValue={kept.from ?? new Date().toISOString().slice(0, 7)} className={input} />
              </label>
            </>
          )}
          {operation === "suspend" && (
            <label className={`${label} sm:col-span-2`}>
              Reason (kept on each tenant and in its audit trail)
              <input name="reason" defaultValue={kept.reason ?? ""} maxLength={300} className={input} />
              <FieldError state={state} name="reason" />
            </label>
          )}
          {operation === "report" && (
            <>
              <label className={label}>
                Report
                <select name="kind" defaultValue={kept.kind ?? "executive"} className={input}>
                  <option value="executive">Executive</option>
                  <option value="operational">Operational</option>
                </select>
              </label>
              <label className={label}>
                Format
                <select name="format" defaultValue={kept.format ?? "pdf"} className={input}>
                  <option value="pdf">PDF</option>
                  <option value="csv">CSV</option>
                </select>
              </label>
              <label className={label}>
                From (UTC day)
                <input type="date" name="from" defaultValue={kept.from ?? ""} className={input} />
              </label>
              <label className={label}>
                To (exclusive)
                <input type="date" name="to" defaultValue={kept.to ?? ""} className={input} />
              </label>
            </>
          )}
          {operation === "rotate_keys" && (
            <p className="text-sm text-slate-600 sm:col-span-2">Each tenant gets a new data-key version; a job per tenant re-seals its credentials. This cannot be undone.</p>
          )}
        </div>
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel="Computing the dry run…">3. Dry run: show what would change</SubmitButton>
        <p className="text-xs text-slate-600">Nothing changes until you confirm on the next page.</p>
      </div>
      <ResultMessage state={state} />
    </form>
  );
}
