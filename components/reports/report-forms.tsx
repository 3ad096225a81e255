"use client";
// The reports pages' forms. Each posts to a server action that checks
// everything again (zod, PDP reports:export, RLS, the tenant's state); the
// page only offers the tenants the caller may export.
import { useActionState } from "react";
import { FieldError, ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { createSchedule } from "@/lib/actions/reports/create-schedule";
import { deleteSchedule } from "@/lib/actions/reports/delete-schedule";
import { generateReport } from "@/lib/actions/reports/generate-report";
import { idle, type ActionResult } from "@/lib/actions/result";
import { REPORT_CADENCE_LABELS, REPORT_CADENCES, REPORT_FORMAT_LABELS, REPORT_FORMATS, REPORT_KIND_HINTS, REPORT_KIND_LABELS, REPORT_KINDS } from "@/lib/reports/kinds";

const input = "mt-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900";
const label = "flex flex-col text-xs font-medium text-slate-700";

type Tenant = { id: string; name: string };

function TenantField(props: { tenants: Tenant[]; state: ActionResult<unknown>; id: string }) {
  if (props.tenants.length === 1) return <input type="hidden" name="tenantId" value={props.tenants[0].id} />;
  return (
    <label className={label} htmlFor={props.id}>
      Customer or site
      <select id={props.id} name="tenantId" className={`${input} w-full sm:w-64`} defaultValue="">
        <option value="" disabled>
          Choose…
        </option>
        {props.tenants.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <FieldError state={props.state} name="tenantId" />
    </label>
  );
}

export function GenerateReportForm(props: { tenants: Tenant[]; defaultFrom: string; defaultTo: string }) {
  const [state, action] = useActionState(generateReport, idle as ActionResult<{ id: string }>);
  return (
    <form action={action} noValidate className="space-y-3" aria-label="Generate a report" data-testid="generate-report-form">
      <div className="flex flex-wrap items-end gap-3">
        <TenantField tenants={props.tenants} state={state} id="report-tenant" />
        <label className={label}>
          Report
          <select name="kind" className={input} defaultValue="executive">
            {REPORT_KINDS.map((k) => (
              <option key={k} value={k}>
                {REPORT_KIND_LABELS[k]}
              </option>
            ))}
          </select>
          <FieldError state={state} name="kind" />
        </label>
        <label className={label}>
          Format
          <select name="format" className={input} defaultValue="pdf">
            {REPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {REPORT_FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
        <label className={label}>
          From (UTC)
          <input type="date" name="from" defaultValue={props.defaultFrom} className={input} />
          <FieldError state={state} name="from" />
        </label>
        <label className={label}>
          To (UTC, inclusive)
          <input type="date" name="to" defaultValue={props.defaultTo} className={input} />
          <FieldError state={state} name="to" />
        </label>
        <SubmitButton pendingLabel="Queuing…">Generate</SubmitButton>
      </div>
      <p className="text-xs text-slate-600">
        {REPORT_KINDS.map((k) => `${REPORT_KIND_LABELS[k]}: ${REPORT_KIND_HINTS[k]}`).join(" ")} At most 366 days.
      </p>
      <ResultMessage state={state} />
    </form>
  );
}

export function ScheduleForm(props: { tenants: Tenant[] }) {
  const [state, action] = useActionState(createSchedule, idle as ActionResult<{ id: string }>);
  return (
    <form action={action} noValidate className="space-y-3" aria-label="Schedule a report" data-testid="schedule-form">
      <div className="flex flex-wrap items-end gap-3">
        <TenantField tenants={props.tenants} state={state} id="schedule-tenant" />
        <label className={label}>
          Report
          <select name="kind" className={input} defaultValue="executive">
            {REPORT_KINDS.map((k) => (
              <option key={k} value={k}>
                {REPORT_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label className={label}>
          Format
          <select name="format" className={input} defaultValue="pdf">
            {REPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {REPORT_FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
        <label className={label}>
          How often
          <select name="cadence" className={input} defaultValue="monthly">
            {REPORT_CADENCES.map((c) => (
              <option key={c} value={c}>
                {REPORT_CADENCE_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        <label className={`${label} w-full sm:w-auto sm:min-w-[16rem] sm:flex-1`}>
          Email a link to (comma separated, up to 20)
          <input name="recipients" className={`${input} w-full`} placeholder="soc-lead@example.com" />
          <FieldError state={state} name="recipients" />
        </label>
        <SubmitButton pendingLabel="Saving…">Add schedule</SubmitButton>
      </div>
      <ResultMessage state={state} />
    </form>
  );
}

export function DeleteScheduleButton(props: { tenantId: string; scheduleId: string }) {
  const [state, action] = useActionState(deleteSchedule, idle as ActionResult<{ id: string }>);
  return (
    <form action={action} className="inline">
      <input type="hidden" name="tenantId" value={props.tenantId} />
      <input type="hidden" name="scheduleId" value={props.scheduleId} />
      <SubmitButton tone="quiet" pendingLabel="Removing…">
        Remove
      </SubmitButton>
      <ResultMessage state={state} />
    </form>
  );
}
