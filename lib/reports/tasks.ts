// Reports on the durable job engine (graphile-worker):
//   reports:generate   one queued report (added by the insert's trigger, in
//                      the tenant's queue tenant:<id>: fairness between tenants)
//   reports:schedules  hourly at :07 (crontab): every due schedule of an
//                      active tenant gets its report row (the last complete
//                      week or month, created_by = the schedule's author) and
//                      its next run, in one transaction; the rows' trigger
//                      queues the per-tenant generate jobs. Schedules of a
//                      tenant that is not active, or below one that is not
//                      (a suspended customer's site), or whose report exports
//                      are off (features.reports), move on without a report.
//                      A paused schedule is not due; one whose author's
//                      account is gone, or whose tenant was offboarded, is
//                      paused (lib/reports/pause.ts; a refused run pauses
//                      its schedule too, lib/reports/generate.ts).
//                      First it fails the reports a killed last attempt left
//                      running, and hands over again the queued reports whose
//                      job was used up or is gone (lib/reports/stranded.ts).
import type { Task } from "graphile-worker";
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { featureOn } from "@/lib/settings/enforce";
import { effectiveConfigsAsService } from "@/lib/settings/resolve";
import { hasUsage } from "@/lib/usage/read";
import { generateQueuedReport } from "./generate";
import type { ReportCadence } from "./kinds";
import { pauseNotice, pauseSchedule, type PauseCause, type PauseNotice } from "./pause";
import { nextRun, previousPeriod } from "./period";
import { handOverStrandedReports, sweepStrandedReports } from "./stranded";

export { handOverStrandedReports, MAX_REPORT_HANDOVERS, STRANDED_REPORT_ERROR, sweepStrandedReports, UNSTARTED_REPORT_ERROR } from "./stranded";

export const REPORTS_GENERATE_TASK = "reports:generate";
export const REPORTS_SCHEDULES_TASK = "reports:schedules";
export const REPORTS_SCHEDULES_CRONTAB = `7 * * * * ${REPORTS_SCHEDULES_TASK}`;

const payloadSchema = z.object({ tenantId: z.string().uuid(), reportId: z.string().uuid() });

const generateTask: Task = async (payload, helpers) => {
  const p = payloadSchema.safeParse(payload);
  if (!p.success) {
    log.warn({ event: "reports.bad-payload" }, "reports:generate with a malformed payload; dropped");
    return;
  }
  const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
  await generateQueuedReport(p.data.tenantId, p.data.reportId, { lastAttempt });
};

export interface ScheduleRunStats {
  due: number;
  queued: number;
  skipped: number;
}

/** Schedules taken per transaction (the rest of a due wave in further ones, in the same run). */
export const DUE_SCHEDULES_BATCH = 500;

/**
 * Queues the report of every due schedule (see above), in transactions of
 * `batch`: a wave larger than one batch (a thousand customers' weekly reports
 * due on Monday) is taken whole by one hourly run, the longest due first,
 * instead of leaving the rest for the next hour. Safe to run twice: a
 * schedule's next run moves on with its report, so each batch takes new ones.
 */
export async function runDueSchedules(now = new Date(), batch = DUE_SCHEDULES_BATCH): Promise<ScheduleRunStats> {
  const total: ScheduleRunStats = { due: 0, queued: 0, skipped: 0 };
  // Bounded all the same (200 batches: 100,000 schedules a run), should a next run ever fail to move on.
  for (let i = 0; i < 200; i++) {
    const stats = await runDueBatch(now, batch);
    total.due += stats.due;
    total.queued += stats.queued;
    total.skipped += stats.skipped;
    // Done when the last read found less than a batch, or another run holds all it found (that run queues them).
    if (stats.found < batch || stats.due === 0) break;
  }
  return total;
}

type DueSchedule = { tenant_id: string; id: string; kind: string; format: string; cadence: ReportCadence; created_by: string | null; status: string; frozen: boolean };

const usageKey = (userId: string, tenantId: string) => `${userId}:${tenantId}`;

/**
 * Whether each author's report of each tenant holds the usage section, decided as for a report asked on
 * demand (lib/reports/store.ts generateReport): hasUsage under the author's RLS, i.e. they may read the
 * tenant's metering (admins) and some exists. One transaction per author, before the schedules are locked
 * (never a second pooled connection while holding one: lib/db/held-connection.ts).
 */
async function usageAsAuthors(rows: readonly { tenant_id: string; created_by: string | null }[]): Promise<Map<string, boolean>> {
  const byAuthor = new Map<string, Set<string>>();
  for (const r of rows) if (r.created_by) byAuthor.set(r.created_by, (byAuthor.get(r.created_by) ?? new Set()).add(r.tenant_id));
  const out = new Map<string, boolean>();
  for (const [userId, tenants] of byAuthor) {
    await withTenant({ userId, activeTenantId: null }, async (tx) => {
      for (const t of tenants) out.set(usageKey(userId, t), await hasUsage(tx, t));
    });
  }
  return out;
}

/** Why a due schedule pauses instead of running: its author's account is gone, or its tenant was offboarded. */
const pauseCauseOf = (s: { created_by: string | null; status: string }): PauseCause | null =>
  s.status === "deprovisioned" ? "offboarded" : s.created_by ? null : "author-gone";

/** The pause mails' links and brand of these tenants, read before the schedules are locked. */
async function noticesOf(tenantIds: readonly string[]): Promise<Map<string, PauseNotice>> {
  const out = new Map<string, PauseNotice>();
  for (const id of new Set(tenantIds)) out.set(id, await pauseNotice(id));
  return out;
}

async function runDueBatch(now: Date, batch: number): Promise<ScheduleRunStats & { found: number }> {
  // The due schedules (paused ones are not), the longest due first (read only here; they are locked below).
  const found = await withServiceRole("reports.generate", async (db) =>
    (await db.$client.query<{ tenant_id: string; id: string; created_by: string | null; status: string; frozen: boolean }>(
      `select s.tenant_id, s.id, s.created_by, t.status, jobs_engine.tenant_is_frozen(t.id) as frozen
         from public.report_schedules s join public.tenants t on t.id = s.tenant_id
        where s.next_run_at <= $1 and s.paused_at is null order by s.next_run_at, s.id limit $2`,
      [now, batch],
    )).rows,
  );
  if (found.length === 0) return { due: 0, queued: 0, skipped: 0, found: 0 };
  const usage = await usageAsAuthors(found.filter((s) => s.status === "active" && !s.frozen));
  const notices = await noticesOf(found.filter((s) => pauseCauseOf(s)).map((s) => s.tenant_id));
  const stats = await withServiceRole("reports.generate", async (db) => {
    // Those still due and not taken by another run meanwhile (a schedule found above is taken by one run only).
    const { rows } = await db.$client.query<DueSchedule>(
      `select s.tenant_id, s.id, s.kind, s.format, s.cadence, s.created_by, t.status, jobs_engine.tenant_is_frozen(t.id) as frozen
         from public.report_schedules s join public.tenants t on t.id = s.tenant_id
        where s.id = any ($2::uuid[]) and s.next_run_at <= $1 and s.paused_at is null order by s.next_run_at, s.id for update of s skip locked`,
      [now, found.map((s) => s.id)],
    );
    let queued = 0;
    // The due tenants' configurations in one read (report exports may be switched off, here or above).
    const configs = await effectiveConfigsAsService(db, [...new Set(rows.map((s) => s.tenant_id))]);
    for (const s of rows) {
      const cause = pauseCauseOf(s);
      const notice = notices.get(s.tenant_id);
      // Paused: it stays as it is (next_run_at too) until someone resumes it.
      if (cause && notice && (await pauseSchedule(db, { tenantId: s.tenant_id, scheduleId: s.id, cause, author: s.created_by }, notice))) continue;
      // Frozen: the tenant or one above it is not active (a suspended customer's site): it moves on without a report.
      if (s.status === "active" && !s.frozen && s.created_by && featureOn(configs.get(s.tenant_id), "features.reports")) {
        const period = previousPeriod(s.cadence, now);
        await db.$client.query(
          `insert into public.reports (tenant_id, kind, format, period_start, period_end, schedule_id, created_by, include_usage)
           values ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [s.tenant_id, s.kind, s.format, period.from, period.to, s.id, s.created_by, usage.get(usageKey(s.created_by, s.tenant_id)) ?? false],
        );
        queued++;
      }
      await db.$client.query("update public.report_schedules set next_run_at = $3, last_run_at = $4 where tenant_id = $1 and id = $2", [s.tenant_id, s.id, nextRun(s.cadence, now), now]);
    }
    return { due: rows.length, queued, skipped: rows.length - queued };
  });
  return { ...stats, found: found.length };
}

const schedulesTask: Task = async () => {
  try {
    const stranded = await sweepStrandedReports();
    const unstarted = await handOverStrandedReports();
    const stats = await runDueSchedules();
    log.info(
      { event: "reports.schedules", ...stats, stranded: stranded.length, handed_over: unstarted.handedOver.length, unstarted_failed: unstarted.failed.length },
      "report schedules run",
    );
  } catch (err) {
    log.error({ event: "reports.schedules-failed", err: safeError(err) }, "report schedules failed; graphile-worker retries it");
    throw err;
  }
};

let registered = false;
/** Registers both tasks and the hourly schedule with every worker (lib/jobs/default-handlers.ts). */
export function registerReportTasks(): void {
  if (registered) return;
  registered = true;
  registerEngineTask(REPORTS_GENERATE_TASK, generateTask);
  registerEngineTask(REPORTS_SCHEDULES_TASK, schedulesTask);
  registerCronItem(REPORTS_SCHEDULES_CRONTAB);
}
