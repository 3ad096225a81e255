"use client";
// The reports pages' forms. Each posts to a server action that checks
// everything again (zod, PDP reports:export, RLS, the tenant's state); the
// page only offers the tenants the caller may export. Past
// TENANT_SELECT_UP_TO of them the tenant is typed (a name or slug) and the
// action resolves it among those (lib/reports/allowed.ts reportTenantOf).
import { useActionState } from "react";
import { useKeptForm } from "@/components/ui/use-kept-form";
import { RowRemovalForm, RowRemovals } from "@/components/ui/row-removals";
import { choicesOf, InputField, SelectField } from "@/components/forms/fields";
import { ReportFields } from "@/components/forms/report-fields";
import { ResultMessage, SubmitButton } from "@/components/team/form-bits";
import { typedTenantPlaceholder } from "@/components/tenants/tenant-filter";
import { createSchedule } from "@/lib/actions/reports/create-schedule";
import { deleteSchedule } from "@/lib/actions/reports/delete-schedule";
import { generateReport } from "@/lib/actions/reports/generate-report";
import { resumeSchedule } from "@/lib/actions/reports/resume-schedule";
import { idle, type ActionResult } from "@/lib/actions/result";
import { typedPastList } from "@/lib/tenancy/tenant-filter";
import { REPORT_CADENCE_LABELS, REPORT_CADENCES, REPORT_KIND_HINTS, REPORT_KIND_LABELS, REPORT_KINDS } from "@/lib/reports/kinds";

type Tenant = { id: string; name: string };
/**
 * The tenants offered (none past TENANT_SELECT_UP_TO: the page does not send them) and how many
 * there are; `preferred` is chosen at first (a tenant host's own tenant), one of `list`.
 */
export type OfferedTenants = { list: Tenant[]; count: number; preferred?: string };

function TenantField(props: { tenants: OfferedTenants; state: ActionResult<unknown>; id: string }) {
  const { list, count, preferred } = props.tenants;
  if (typedPastList(count)) {
    return (
      <InputField
        id={props.id}
        label="Customer or site"
        name="tenantId"
        maxLength={100}
        placeholder={typedTenantPlaceholder(count, "customers and sites")}
        state={props.state}
        controlClassName="w-full sm:w-80"
      />
    );
  }
  if (list.length === 1) return <input type="hidden" name="tenantId" value={list[0].id} />;
  const options = [{ value: "", label: "Choose…", disabled: true }, ...list.map((t) => ({ value: t.id, label: t.name }))];
  return <SelectField id={props.id} label="Customer or site" name="tenantId" options={options} defaultValue={preferred ?? ""} state={props.state} controlClassName="w-full sm:w-64" />;
}

export function GenerateReportForm(props: { tenants: OfferedTenants; defaultFrom: string; defaultTo: string }) {
  const [state, action] = useActionState(generateReport, idle as ActionResult<{ id: string }>);
  const kept = useKeptForm(state, action);
  return (
    <form action={action} {...kept} noValidate className="space-y-3" aria-label="Generate a report" data-testid="generate-report-form">
      <div className="flex flex-wrap items-end gap-3">
        <TenantField tenants={props.tenants} state={state} id="report-tenant" />
        <ReportFields state={state} defaults={{ from: props.defaultFrom, to: props.defaultTo }} period={{ fromLabel: "From (UTC)", toLabel: "To (UTC, inclusive)" }} />
        <SubmitButton pendingLabel="Queuing…">Generate</SubmitButton>
      </div>
      <p className="text-xs text-slate-600">
        {REPORT_KINDS.map((k) => `${REPORT_KIND_LABELS[k]}: ${REPORT_KIND_HINTS[k]}`).join(" ")} At most 366 days.
      </p>
      <ResultMessage state={state} />
    </form>
  );
}

export function ScheduleForm(props: { tenants: OfferedTenants }) {
  const [state, action] = useActionState(createSchedule, idle as ActionResult<{ id: string }>);
  const kept = useKeptForm(state, action);
  return (
    <form action={action} {...kept} noValidate className="space-y-3" aria-label="Schedule a report" data-testid="schedule-form">
      <div className="flex flex-wrap items-end gap-3">
        <TenantField tenants={props.tenants} state={state} id="schedule-tenant" />
        <ReportFields state={state} />
        <SelectField label="How often" name="cadence" options={choicesOf(REPORT_CADENCES, REPORT_CADENCE_LABELS)} defaultValue="monthly" state={state} />
        <InputField
          label="Email a link to (comma separated, up to 20)"
          name="recipients"
          placeholder="soc-lead@example.com"
          state={state}
          className="w-full sm:w-auto sm:min-w-[16rem] sm:flex-1"
          controlClassName="w-full"
        />
        <SubmitButton pendingLabel="Saving…">Add schedule</SubmitButton>
      </div>
      <ResultMessage state={state} />
    </form>
  );
}

/** The schedules list: its rows' Remove buttons share one answer, said above the list (the row goes). */
export function ScheduleRemovals(props: { children: React.ReactNode }) {
  return (
    <RowRemovals action={deleteSchedule} testId="schedule-removal-answer">
      {props.children}
    </RowRemovals>
  );
}

export function DeleteScheduleButton(props: { tenantId: string; scheduleId: string; label: string }) {
  return (
    <RowRemovalForm fields={{ tenantId: props.tenantId, scheduleId: props.scheduleId }} className="inline">
      <SubmitButton tone="quiet" pendingLabel="Removing…" aria-label={`Remove the schedule: ${props.label}`}>
        Remove
      </SubmitButton>
    </RowRemovalForm>
  );
}

/**
 * A paused schedule's Resume (it runs as the person who resumes it). Kept in the row once it is
 * resumed (`paused` false), so its answer stays where it was asked.
 */
export function ResumeSchedule(props: { tenantId: string; scheduleId: string; label: string; paused: boolean }) {
  const [state, action] = useActionState(resumeSchedule, idle as ActionResult<{ id: string }>);
  return (
    <div className="flex flex-wrap items-center gap-2">
      {props.paused && (
        <form action={action} className="inline">
          <input type="hidden" name="tenantId" value={props.tenantId} />
          <input type="hidden" name="scheduleId" value={props.scheduleId} />
          <SubmitButton tone="quiet" pendingLabel="Resuming…" aria-label={`Resume the schedule as you: ${props.label}`}>
            Resume as me
          </SubmitButton>
        </form>
      )}
      <ResultMessage state={state} />
    </div>
  );
}

