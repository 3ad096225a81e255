// An alert's page, on the console and on a tenant's host alike: what
// happened, where it stands (status, assignee, SLA), what can be done (only
// when the PDP allows triage) and what has been done (the timeline).
import type { AlertDetailPage } from "@/lib/alerts/detail";
import { formatTimeWithZone } from "@/lib/locale/time";
import { AlertTimeline } from "./alert-timeline";
import { RawEventSection } from "./raw-event";
import { SeverityBadge, statusLabel } from "./severity-badge";
import { SlaBadges } from "./sla-badges";
import { TriagePanel } from "./triage-panel";

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 break-words text-sm text-slate-800">{children}</dd>
    </div>
  );
}

export function AlertDetailView({ data, backHref, showTenant }: { data: AlertDetailPage; backHref: string; showTenant: boolean }) {
  const a = data.alert;
  const when = (at: Date) => formatTimeWithZone(at, data.timeZone);
  return (
    <div className="space-y-6">
      <a href={backHref} className="text-sm font-medium text-brand hover:underline">
        ← All alerts
      </a>
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <SeverityBadge severity={a.severity} />
          <span data-testid="alert-status" className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold text-slate-700 ring-1 ring-slate-200">
            {statusLabel(a.status)}
          </span>
          {data.sla?.breached && (
            <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-800 ring-1 ring-red-300">SLA breached</span>
          )}
        </div>
        {/* Titles and descriptions carry unbroken tokens (Backdoor:Win32/CobaltStrike.F!dha, paths, URLs): they wrap anywhere rather than widen a phone's page. */}
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 [overflow-wrap:anywhere]">{a.title}</h1>
        {a.description && <p className="max-w-3xl whitespace-pre-wrap text-sm text-slate-600 [overflow-wrap:anywhere]">{a.description}</p>}
      </header>

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="facts">
            <h2 id="facts" className="sr-only">Details</h2>
            <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2">
              {showTenant && <Fact label="Tenant">{a.tenantName}</Fact>}
              <Fact label="Assignee">{a.assigneeName ?? "Unassigned"}</Fact>
              <Fact label="Group">
                <span data-testid="alert-group">{a.assignedGroup?.name ?? "No group"}</span>
              </Fact>
              <Fact label="Host">{a.hostname ?? "—"}</Fact>
              <Fact label="Source IP">{a.sourceIp ?? "—"}</Fact>
              <Fact label="Source">{a.source}</Fact>
              <Fact label="Rule">{a.ruleName ?? "—"}</Fact>
              <Fact label="Detected">{when(a.detectedAt)}</Fact>
              <Fact label="Acknowledged">{a.acknowledgedAt ? when(a.acknowledgedAt) : "Not yet"}</Fact>
              {a.resolvedAt && <Fact label="Closed">{when(a.resolvedAt)}</Fact>}
              {a.closeReason && <Fact label="Close reason">{a.closeReason}</Fact>}
            </dl>
          </section>
          <section aria-labelledby="timeline-title" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h2 id="timeline-title" className="mb-3 text-sm font-semibold text-slate-800">
              Timeline
            </h2>
            <AlertTimeline entries={data.timeline} timeZone={data.timeZone} />
          </section>
          {data.rawEvent && <RawEventSection raw={data.rawEvent} />}
        </div>
        <aside className="space-y-6">
          <section aria-labelledby="sla-title" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h2 id="sla-title" className="mb-3 text-sm font-semibold text-slate-800">
              SLA
            </h2>
            <SlaBadges sla={data.sla} />
          </section>
          <section aria-labelledby="triage-title" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <h2 id="triage-title" className="mb-3 text-sm font-semibold text-slate-800">
              Triage
            </h2>
            {data.canTriage ? (
              <TriagePanel tenantId={a.tenantId} alertId={a.id} status={a.status} nextStatuses={data.nextStatuses} assignees={data.assignees} assignedTo={a.assignedTo} assignedToLabel={a.assigneeName}
                groups={data.groups.map((g) => ({ id: g.id, name: g.name, inheritedFrom: g.inherited ? g.tenantName : null }))}
                groupMembers={data.groupMembers}
                assignedGroupId={a.assignedGroup?.id ?? null}
              />
            ) : (
              <p className="text-sm text-slate-500" data-testid="triage-read-only">
                You can read this alert but not change it here. Ask an admin if you should be able to triage it.
              </p>
            )}
          </section>
        </aside>
      </div>
    </div>
  );
}
