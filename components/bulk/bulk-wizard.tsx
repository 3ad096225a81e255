"use client";
// The new-run wizard of console /bulk: 1. which tenants, 2. which change,
// 3. the dry run (planBulkRun checks everything again and stores the diff);
// its page (/bulk/<id>) then asks for the confirmation. "Under" lists the
// MSSP and its customers up to TENANT_SELECT_UP_TO of them; past that it takes
// a customer's name or slug (empty: every customer), resolved by the action.
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { InputField, SelectField, choicesOf } from "@/components/forms/fields";
import { ReportFields } from "@/components/forms/report-fields";
import { ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { typedTenantPlaceholder } from "@/components/tenants/tenant-filter";
import { planBulkRun } from "@/lib/actions/bulk/plan-bulk-run";
import { idle, type ActionResult } from "@/lib/actions/result";
import { typedPastList } from "@/lib/tenancy/tenant-filter";
import { KIND_FILTER_LABELS, KIND_FILTERS, OPERATION_LABELS, OPERATIONS, type Operation } from "@/lib/bulk/model";

// Every control fills its grid cell.
const W = "w-full";
const STATUS_CHOICES = [
  { value: "any", label: "Any" },
  { value: "active", label: "Active" },
  { value: "suspended", label: "Suspended" },
];
const MODE_CHOICES = [
  { value: "set", label: "Set this value on each tenant" },
  { value: "inherit", label: "Remove each tenant's own value (inherit)" },
];

export interface WizardProps {
  msspId: string;
  /** Up to TENANT_SELECT_UP_TO; none past it (the field takes a name). */
  roots: { id: string; name: string; kind: string }[];
  rootCount: number;
  plans: { id: string; name: string; currency: string }[];
  settings: { key: string; label: string; group: string; bounds: string }[];
}

export function BulkWizard(props: WizardProps) {
  const router = useRouter();
  // A refused dry run keeps every choice: useKeptForm submits without React's reset, and the
  // choices that decide which fields show are state. The action is the server action itself.
  const [state, action] = useActionState(planBulkRun, idle as ActionResult<{ runId: string }>);
  const keptAction = useKeptForm(state, action);
  const [operation, setOperation] = useState<Operation>("setting");
  const [mode, setMode] = useState("set");
  const [key, setKey] = useState(props.settings[0]?.key ?? "");
  useEffect(() => {
    if (state.ok) router.push(`/bulk/${state.data.runId}`);
  }, [state, router]);
  const setting = props.settings.find((s) => s.key === key);
  const planChoices = props.plans.map((p) => ({ value: p.id, label: `${p.name} (${p.currency})` }));

  return (
    <form action={action} {...keptAction} noValidate className="space-y-6" aria-label="New bulk run" data-testid="bulk-wizard">
      <input type="hidden" name="tenantId" value={props.msspId} />
      <fieldset className="rounded-xl border border-slate-200 bg-white p-4">
        <legend className="px-1 text-sm font-semibold text-slate-900">1. Which tenants</legend>
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {typedPastList(props.rootCount) ? (
            <InputField
              label="Under (empty: every customer)"
              name="rootId"
              defaultValue=""
              maxLength={100}
              placeholder={typedTenantPlaceholder(props.rootCount - 1, "customers")}
              state={state}
              controlClassName={W}
            />
          ) : (
            <SelectField
              label="Under"
              name="rootId"
              defaultValue={props.msspId}
              options={props.roots.map((r) => ({ value: r.id, label: r.kind === "mssp" ? `${r.name} (every customer)` : r.name }))}
              state={state}
              controlClassName={W}
            />
          )}
          <SelectField label="Kind" name="kinds" defaultValue="customers" options={choicesOf(KIND_FILTERS, KIND_FILTER_LABELS)} controlClassName={W} />
          <SelectField
            label="Billing plan"
            name="plan"
            defaultValue=""
            options={[{ value: "", label: "Any billing plan" }, { value: "none", label: "No billing plan" }, ...planChoices]}
            controlClassName={W}
          />
          <SelectField label="Status" name="status" defaultValue="any" options={STATUS_CHOICES} controlClassName={W} />
          <InputField label="Name contains (optional)" name="q" defaultValue="" maxLength={100} state={state} className="sm:col-span-2" controlClassName={W} />
        </div>
      </fieldset>

      <fieldset className="rounded-xl border border-slate-200 bg-white p-4">
        <legend className="px-1 text-sm font-semibold text-slate-900">2. Which change</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          <SelectField label="Operation" name="operation" value={operation} onChange={(v) => setOperation(v as Operation)} options={choicesOf(OPERATIONS, OPERATION_LABELS)} controlClassName={W} />
          {operation === "setting" && (
            <>
              <SelectField
                label="Setting"
                name="key"
                value={key}
                onChange={setKey}
                options={props.settings.map((s) => ({ value: s.key, label: `${s.label} (${s.key})` }))}
                state={state}
                controlClassName={W}
              />
              <SelectField label="Change" name="mode" value={mode} onChange={setMode} options={MODE_CHOICES} controlClassName={W} />
              {mode === "set" && (
                <InputField
                  label={<>New value {setting ? <span className="font-normal text-slate-600">({setting.bounds}; lists one per line)</span> : null}</>}
                  name="value"
                  multiline={{ rows: 2 }}
                  defaultValue=""
                  state={state}
                  controlClassName={W}
                />
              )}
            </>
          )}
          {operation === "plan" && (
            <>
              <SelectField label="Billing plan" name="planId" defaultValue="" options={[{ value: "", label: "Choose a billing plan" }, ...planChoices]} controlClassName={W} />
              <InputField label="From month" name="from" type="month" defaultValue={new Date().toISOString().slice(0, 7)} controlClassName={W} />
            </>
          )}
          {operation === "suspend" && (
            <InputField label="Reason (kept on each tenant and in its audit trail)" name="reason" defaultValue="" maxLength={300} state={state} className="sm:col-span-2" controlClassName={W} />
          )}
          {operation === "report" && (
            <ReportFields period={{ fromLabel: "From (UTC day)", toLabel: "To (exclusive)" }} controlClassName={W} />
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
