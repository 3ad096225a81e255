// Resuming a paused report schedule (lib/reports/pause.ts), under the
// caller's RLS, after the caller's server action asked the PDP for
// reports:export on the tenant (lib/actions/reports/resume-schedule.ts). The
// schedule runs as the caller from then on (created_by = auth.uid(): the
// policy of migration 20261201029000 allows nothing else), from its next run
// (the next Monday / 1st, 06:00 UTC, which the database sets on a person's
// resume: migration 20261201030910). Refused, with nothing changed, for a
// tenant that is not active, below one that is not active (a suspended
// customer's site), or whose report exports are off.
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";
import { TENANT_STATUS_LABELS, type TenantStatus } from "@/lib/lifecycle/states";
import { requireFeature } from "@/lib/settings/enforce";
import type { ReportCadence, ReportKind } from "./kinds";
import { aboveMessage, closedAboveForCaller } from "./store";

export interface ResumedSchedule {
  kind: ReportKind;
  cadence: ReportCadence;
  tenantName: string;
  nextRunAt: Date;
}

/** Resumes a paused schedule of `tenantId` as the caller; null when there is no paused one (or RLS hides it). */
export async function resumeSchedule(tx: TenantTx, tenantId: string, id: string): Promise<ResumedSchedule | null> {
  const { rows: found } = await tx.client.query<{ cadence: ReportCadence; status: string }>(
    `select s.cadence, t.status from public.report_schedules s join public.tenants t on t.id = s.tenant_id
      where s.tenant_id = $1 and s.id = $2 and s.paused_at is not null`,
    [tenantId, id],
  );
  if (!found[0]) return null;
  const status = found[0].status;
  if (status !== "active") throw new ActionRefusal(`This tenant is ${TENANT_STATUS_LABELS[status as TenantStatus]?.toLowerCase() ?? status}: the schedule stays paused. Nothing was changed.`, { reason: "tenant_state", status });
  const above = await closedAboveForCaller(tx, tenantId);
  if (above.closed) throw new ActionRefusal(aboveMessage(above.status, "The schedule stays paused. Nothing was changed."), { reason: "tenant_state_above", ...(above.status ? { status: above.status } : {}) });
  await requireFeature(tx, tenantId, "features.reports");
  const { rows } = await tx.client.query<{ kind: ReportKind; cadence: ReportCadence; tenant_name: string; next_run_at: Date }>(
    `update public.report_schedules s set paused_at = null, paused_reason = null, created_by = auth.uid()
       from public.tenants t
      where s.tenant_id = $1 and s.id = $2 and t.id = s.tenant_id and s.paused_at is not null
      returning s.kind, s.cadence, t.name as tenant_name, s.next_run_at`,
    [tenantId, id],
  );
  return rows[0] ? { kind: rows[0].kind, cadence: rows[0].cadence, tenantName: rows[0].tenant_name, nextRunAt: rows[0].next_run_at } : null;
}
