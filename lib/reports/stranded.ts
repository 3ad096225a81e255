// Reports no graphile-worker job will take any further, found by the hourly
// task reports:schedules (lib/reports/tasks.ts) while the app runs:
//   sweepStrandedReports       'running' ones whose last attempt was cut short: failed
//   handOverStrandedReports    'queued' ones whose job was used up or is gone before
//                              the report started: a new job, at most
//                              MAX_REPORT_HANDOVERS times, then failed
// (reports.dispatch_pending() at install hands over only queued reports with no job at all.)
import { withServiceRole } from "@/lib/db/service-role";
import { log } from "@/lib/log";

/** Why a stranded report failed (its page shows it). */
export const STRANDED_REPORT_ERROR = "The report was not finished: the worker stopped while generating it; generate it again.";

/**
 * Fails every report left 'running' that no graphile-worker job will run again: its last attempt was
 * cut short (the worker was killed while rendering), so the task never got to fail it. A job that may
 * still run it keeps it: one with attempts left (a retry, or a dead worker's job freed by
 * lib/jobs/liveness.ts), or one locked within graphile-worker's own 4 hours (running now). The spent
 * job goes too. Returns the reports failed. Run by the hourly reports:schedules task.
 */
export async function sweepStrandedReports(): Promise<{ tenantId: string; id: string }[]> {
  return withServiceRole("reports.generate", async (db) => {
    const { rows } = await db.$client.query<{ tenant_id: string; id: string }>(
      `update public.reports r set status = 'failed', error = $1, progress = 0, finished_at = now()
        where r.status = 'running'
          and not exists (select 1 from graphile_worker._private_jobs j
                           where j.key = 'reports:' || r.id::text
                             and (j.attempts < j.max_attempts or j.locked_at > now() - interval '4 hours'))
        returning r.tenant_id, r.id`,
      [STRANDED_REPORT_ERROR],
    );
    for (const r of rows) await db.$client.query("select graphile_worker.remove_job($1)", [`reports:${r.id}`]);
    if (rows.length > 0) log.warn({ event: "reports.stranded", reports: rows.map((r) => r.id) }, "failed reports whose worker stopped while generating them");
    return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
  });
}

/** How many new jobs one queued report gets from handOverStrandedReports before it fails. */
export const MAX_REPORT_HANDOVERS = 3;

/** Why a queued report handed over MAX_REPORT_HANDOVERS times failed (its page shows it). */
export const UNSTARTED_REPORT_ERROR = `The report was not generated: its job ran out of attempts before it started, ${MAX_REPORT_HANDOVERS + 1} times; generate it again.`;

/**
 * Gives every queued report that no job will start (its job is gone, or used up and not locked within
 * graphile-worker's own 4 hours) a new job in its tenant's queue, counting it on the report
 * (reports.handovers); one handed over `max` times already fails with UNSTARTED_REPORT_ERROR instead. A
 * report whose job may still run (attempts left, or locked now) keeps it: no second job. One SQL function,
 * reports.hand_over_stranded (migration 20261201029000), run as the service role.
 */
export async function handOverStrandedReports(max = MAX_REPORT_HANDOVERS): Promise<{ handedOver: string[]; failed: string[] }> {
  const rows = await withServiceRole("reports.generate", async (db) =>
    (await db.$client.query<{ report_id: string; handed_over: boolean }>(
      "select report_id, handed_over from reports.hand_over_stranded($1, $2)",
      [max, UNSTARTED_REPORT_ERROR],
    )).rows,
  );
  const handedOver = rows.filter((r) => r.handed_over).map((r) => r.report_id);
  const failed = rows.filter((r) => !r.handed_over).map((r) => r.report_id);
  if (rows.length > 0) log.warn({ event: "reports.unstarted", handed_over: handedOver, failed }, "queued reports whose job was used up or gone: handed over again, or failed");
  return { handedOver, failed };
}
