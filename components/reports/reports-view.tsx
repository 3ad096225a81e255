// Both reports pages (console /reports and a tenant's /reports): generate,
// the stored reports with their status, the schedules; empty states that say
// what to do. The console adds the cross-tenant CSV export.
import { formatTime, formatTimeWithZone } from "@/lib/locale/time";
import type { ReportsPage } from "@/lib/reports/page-data";
import { REPORT_CADENCE_LABELS, REPORT_FORMAT_LABELS, REPORT_KIND_LABELS } from "@/lib/reports/kinds";
import { periodLabel } from "@/lib/reports/period";
import { typedPastList } from "@/lib/tenancy/tenant-filter";
import { AutoRefresh } from "./auto-refresh";
import { DeleteScheduleButton, GenerateReportForm, ResumeSchedule, ScheduleForm, ScheduleRemovals } from "./report-forms";
import { ReportTable } from "./report-table";

const card = "rounded-xl border border-slate-200 bg-white p-4";

/** Where report exports are switched off: who, and what to do (stored reports stay listed below). */
function ReportsOff(props: { off: { name: string }[]; anyOn: boolean }) {
  const names = props.off.slice(0, 5).map((t) => t.name).join(", ") + (props.off.length > 5 ? ` and ${props.off.length - 5} more` : "");
  return (
    <p className={`${props.anyOn ? "mt-3 " : ""}text-sm text-slate-700`} data-testid="reports-off">
      Report exports are not enabled for {names}: no report is made or scheduled for {props.off.length === 1 ? "it" : "them"}. The MSSP
      enables them in the configuration (Report exports); reports made before stay below to download.
    </p>
  );
}

export function defaultPeriod(now = new Date()): { from: string; to: string } {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

/** `hostTenantId`: on a tenant's host, its own tenant is chosen in the forms at first (most reports there are its own). */
export function ReportsView(props: { data: ReportsPage; showTenant: boolean; exportForm?: React.ReactNode; hostTenantId?: string }) {
  const { data } = props;
  // Active, below active tenants only: a suspended customer's sites get no report (the page data says which).
  const reportable = data.tenants.filter((t) => t.status === "active" && !t.closedAbove);
  const active = reportable.filter((t) => t.reportsOn);
  // Active tenants whose configuration switched report exports off (features.reports): not offered, and the page says why.
  const off = reportable.filter((t) => !t.reportsOn);
  const onHoldIds = new Set(data.tenants.filter((t) => t.closedAbove).map((t) => t.id));
  const offIds = new Set(data.tenants.filter((t) => !t.reportsOn).map((t) => t.id));
  // Past TENANT_SELECT_UP_TO the forms take a typed name: the list is not sent to the browser at all.
  const list = typedPastList(active.length) ? [] : active.map((t) => ({ id: t.id, name: t.name }));
  const preferred = list.some((t) => t.id === props.hostTenantId) ? props.hostTenantId : undefined;
  const generatable = { list, count: active.length, preferred };
  const period = defaultPeriod();
  return (
    <div className="space-y-6">
      <AutoRefresh active={data.pending} />
      <section className={card} aria-labelledby="generate-heading">
        <h2 id="generate-heading" className="mb-3 text-base font-semibold text-slate-900">
          Generate a report
        </h2>
        {generatable.count === 0 ? (
          off.length > 0 ? null : (
            <p className="text-sm text-slate-700" data-testid="reports-no-active">
              No active customer to report on: reports are made for active tenants only (resume a suspended one first).
            </p>
          )
        ) : (
          <GenerateReportForm tenants={generatable} defaultFrom={period.from} defaultTo={period.to} />
        )}
        {off.length > 0 && <ReportsOff off={off} anyOn={generatable.count > 0} />}
      </section>

      <section className={card} aria-labelledby="reports-heading">
        <h2 id="reports-heading" className="mb-3 text-base font-semibold text-slate-900">
          Stored reports
        </h2>
        {data.reports.length === 0 ? (
          <div className="rounded-lg border border-dashed border-slate-300 p-6 text-center" data-testid="reports-empty">
            <p className="text-sm font-medium text-slate-800">No reports yet.</p>
            <p className="mt-1 text-sm text-slate-600">Generate one above, or add a schedule below to get one every week or month.</p>
          </div>
        ) : (
          <ReportTable
            showTenant={props.showTenant}
            hrefFor={(id) => `/reports/${id}/download`}
            rows={data.reports.map((r) => ({
              id: r.id,
              tenantName: r.tenant.name,
              kind: r.kind,
              format: r.format,
              period: periodLabel({ from: r.periodStart, to: r.periodEnd }),
              status: r.status,
              progress: r.progress,
              sizeBytes: r.sizeBytes,
              error: r.error,
              scheduled: r.scheduled,
              // The Requested header names the zone once.
              createdAt: formatTime(r.createdAt, data.timeZone, "full"),
            }))}
            timeZone={data.timeZone}
          />
        )}
      </section>

      <section className={card} aria-labelledby="schedules-heading">
        <h2 id="schedules-heading" className="mb-3 text-base font-semibold text-slate-900">
          Schedules
        </h2>
        <ScheduleRemovals>
        {data.schedules.length === 0 ? (
          <p className="mb-3 text-sm text-slate-700" data-testid="schedules-empty">
            No schedules. Add one to make a report every Monday (the week before) or every 1st (the month before) and email its link.
          </p>
        ) : (
          <ul className="mb-4 divide-y divide-slate-100" data-testid="schedules">
            {data.schedules.map((s) => (
              <li key={s.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                <span className="text-slate-800">
                  {props.showTenant && <strong className="font-medium text-slate-900">{s.tenant.name}: </strong>}
                  {REPORT_KIND_LABELS[s.kind]} · {REPORT_FORMAT_LABELS[s.format]} · {REPORT_CADENCE_LABELS[s.cadence]}
                  <span className="block text-xs text-slate-600">
                    {s.pausedAt ? (
                      <span className="font-medium text-amber-800" data-testid="schedule-paused">
                        Paused {formatTimeWithZone(s.pausedAt, data.timeZone)}: {s.pausedReason}. It makes no report until someone who may export this tenant&apos;s reports resumes it (it then runs as them)
                      </span>
                    ) : offIds.has(s.tenantId) ? (
                      "Paused: report exports are off for this tenant, so its runs make no report"
                    ) : onHoldIds.has(s.tenantId) ? (
                      <span data-testid="schedule-on-hold">On hold: a tenant above it is not active, so its runs make no report until that tenant is active again</span>
                    ) : (
                      `Next ${formatTimeWithZone(s.nextRunAt, data.timeZone)}`
                    )}{" "}
                    · {s.recipients.length === 0 ? "no email" : `emailed to ${s.recipients.length} recipient${s.recipients.length === 1 ? "" : "s"}`}
                  </span>
                </span>
                <span className="flex flex-wrap items-center gap-2">
                  <ResumeSchedule tenantId={s.tenantId} scheduleId={s.id} label={`${s.tenant.name}, ${REPORT_KIND_LABELS[s.kind]}, ${s.cadence}`} paused={s.pausedAt !== null} />
                  <DeleteScheduleButton tenantId={s.tenantId} scheduleId={s.id} label={`${s.tenant.name}, ${REPORT_KIND_LABELS[s.kind]}, ${s.cadence}`} />
                </span>
              </li>
            ))}
          </ul>
        )}
        </ScheduleRemovals>
        {generatable.count > 0 && <ScheduleForm tenants={generatable} />}
      </section>
      {props.exportForm}
    </div>
  );
}
