// Reports on the durable job engine (graphile-worker):
//   reports:generate   one queued report (added by the insert's trigger, in
//                      the tenant's queue tenant:<id>: fairness between tenants)
//   reports:schedules  hourly at :07 (crontab): every due schedule of an
//                      active tenant gets its report row (the last complete
//                      week or month, created_by = the schedule's author) and
//                      its next run, in one transaction; the rows' trigger
//                      queues the per-tenant generate jobs. Schedules of a
//                      tenant that is not active, or whose report exports
//                      are off (features.reports), move on without a report.
import type { Task } from "graphile-worker";
import { z } from "zod";
import { withServiceRole } from "@/lib/db/service-role";
import { registerCronItem, registerEngineTask } from "@/lib/jobs/worker";
import { log, safeError } from "@/lib/log";
import { featureOn } from "@/lib/settings/enforce";
import { effectiveConfigsAsService } from "@/lib/settings/resolve";
import { generateQueuedReport } from "./generate";
import type { ReportCadence } from "./kinds";
import { nextRun, previousPeriod } from "./period";

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
    if (stats.due < batch) break;
  }
  return total;
}

function runDueBatch(now: Date, batch: number): Promise<ScheduleRunStats> {
  return withServiceRole("reports.generate", async (db) => {
    const { rows } = await db.$client.query<{ tenant_id: string; id: string; kind: string; format: string; cadence: ReportCadence; created_by: string | null; status: string }>(
      `select s.tenant_id, s.id, s.kind, s.format, s.cadence, s.created_by, t.status
         from public.report_schedules s join public.tenants t on t.id = s.tenant_id
        where s.next_run_at <= $1 order by s.next_run_at limit $2 for update of s skip locked`,
      [now, batch],
    );
    let queued = 0;
    // The due tenants' configurations in one read (report exports may be switched off, here or above).
    const configs = await effectiveConfigsAsService(db, [...new Set(rows.map((s) => s.tenant_id))]);
    for (const s of rows) {
      if (s.status === "active" && s.created_by && featureOn(configs.get(s.tenant_id), "features.reports")) {
        const period = previousPeriod(s.cadence, now);
        await db.$client.query(
          `insert into public.reports (tenant_id, kind, format, period_start, period_end, schedule_id, created_by, include_usage)
           values ($1, $2, $3, $4, $5, $6, $7,
                   exists (select 1 from public.memberships m join public.tenants a on a.id = m.tenant_id join public.tenants t on t.id = $1
                            where m.user_id = $7 and m.role in ('mssp_admin', 'tenant_admin') and a.path operator(extensions.@>) t.path))`,
          [s.tenant_id, s.kind, s.format, period.from, period.to, s.id, s.created_by],
        );
        queued++;
      }
      await db.$client.query("update public.report_schedules set next_run_at = $3, last_run_at = $4 where tenant_id = $1 and id = $2", [s.tenant_id, s.id, nextRun(s.cadence, now), now]);
    }
    return { due: rows.length, queued, skipped: rows.length - queued };
  });
}

const schedulesTask: Task = async () => {
  try {
    const stats = await runDueSchedules();
    log.info({ event: "reports.schedules", ...stats }, "report schedules run");
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
