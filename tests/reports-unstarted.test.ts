// Queued reports whose job was used up or vanished before they started are
// handed over again by the hourly task while the app runs (no install), on the
// real job engine (lib/reports/stranded.ts handOverStrandedReports, SQL
// reports.hand_over_stranded): a report whose job may still run keeps it (no
// second job), and one handed over MAX_REPORT_HANDOVERS times fails with a
// reason instead of looping for ever.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runJobsUntilIdle } from "@/lib/jobs";
import { generateReport, registerReportTasks, REPORTS_GENERATE_TASK, REPORTS_SCHEDULES_TASK } from "@/lib/reports";
import { MAX_REPORT_HANDOVERS, UNSTARTED_REPORT_ERROR } from "@/lib/reports/tasks";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
env.before(() => registerReportTasks());

const queue = async () =>
  (await env.as("acmeAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, kind: "operational", format: "csv", from: "2026-10-01", to: "2026-11-01" }), "acme")).id;
const key = (id: string) => `reports:${id}`;
/** Every graphile-worker job of the report, keyed or not (a replaced job can lose its key). */
const jobsOf = (id: string) =>
  env.owner<{ id: string; key: string | null; attempts: number; queue: string | null }>(
    `select j.id::text, j.key, j.attempts, q.queue_name as queue from graphile_worker._private_jobs j
       left join graphile_worker._private_job_queues q on q.id = j.job_queue_id
      where j.payload->>'reportId' = $1`,
    [id],
  );
const report = async (id: string) =>
  (await env.owner<{ status: string; error: string | null; handovers: number }>("select status, error, handovers from public.reports where id = $1", [id]))[0];
/** Its job used up before the report started: every attempt spent, no lock (graphile-worker keeps such a job). */
const useUp = (id: string) => env.owner("update graphile_worker._private_jobs set attempts = max_attempts, locked_at = null, locked_by = null where key = $1", [key(id)]);

/** The hourly task, as graphile-worker's crontab adds it. */
async function hourly(): Promise<void> {
  await env.owner("select graphile_worker.add_job($1, '{}'::json)", [REPORTS_SCHEDULES_TASK]);
  await runJobsUntilIdle({ kinds: [REPORTS_SCHEDULES_TASK] });
}

describe("queued reports no job will start", () => {
  test("the hourly task hands over one whose job was used up or vanished; one whose job may still run keeps it", async () => {
    const spent = await queue();
    const gone = await queue();
    const waiting = await queue(); // a retry to come
    const running = await queue(); // its last attempt runs now
    const ids = [spent, gone, waiting, running];
    try {
      await useUp(spent);
      await env.owner("delete from graphile_worker._private_jobs where key = $1", [key(gone)]);
      await env.owner("update graphile_worker._private_jobs set attempts = 2, run_at = now() + interval '1 hour' where key = $1", [key(waiting)]);
      await env.owner("update graphile_worker._private_jobs set attempts = max_attempts, locked_at = now(), locked_by = 'a-live-worker' where key = $1", [key(running)]);
      const kept = new Map(await Promise.all([waiting, running].map(async (id) => [id, (await jobsOf(id))[0].id] as const)));

      await hourly();

      for (const id of [spent, gone]) {
        const jobs = await jobsOf(id);
        assert.equal(jobs.length, 1, "one job, the spent one gone");
        assert.deepEqual({ ...jobs[0], id: "" }, { id: "", key: key(id), attempts: 0, queue: `tenant:${env.fx.tenants.acme}` });
        assert.deepEqual(await report(id), { status: "queued", error: null, handovers: 1 });
      }
      for (const id of [waiting, running]) {
        const jobs = await jobsOf(id);
        assert.deepEqual(jobs.map((j) => j.id), [kept.get(id)], "its own job kept, no second one");
        assert.equal((await report(id)).handovers, 0);
      }

      // Run again at once: nothing more is handed over (their new jobs may run).
      await hourly();
      assert.equal((await report(spent)).handovers, 1);
      assert.equal((await jobsOf(spent)).length, 1);

      // The worker takes them as any queued report.
      await runJobsUntilIdle({ kinds: [REPORTS_GENERATE_TASK] });
      assert.equal((await report(spent)).status, "ready");
      assert.equal((await report(gone)).status, "ready");
    } finally {
      await env.owner("delete from graphile_worker._private_jobs where payload->>'reportId' = any ($1::text[])", [ids]);
      await env.owner("delete from public.reports where id = any ($1::uuid[])", [ids]);
    }
  });

  test(`a report whose job is used up again and again is handed over ${MAX_REPORT_HANDOVERS} times, then fails with the reason`, async () => {
    const id = await queue();
    try {
      for (let n = 1; n <= MAX_REPORT_HANDOVERS; n++) {
        await useUp(id);
        await hourly();
        assert.deepEqual(await report(id), { status: "queued", error: null, handovers: n });
        assert.equal((await jobsOf(id)).length, 1);
      }
      await useUp(id);
      await hourly();
      const r = await report(id);
      assert.deepEqual({ status: r.status, error: r.error }, { status: "failed", error: UNSTARTED_REPORT_ERROR });
      assert.match(UNSTARTED_REPORT_ERROR, /ran out of attempts before it started, 4 times; generate it again/);
      assert.deepEqual(await jobsOf(id), [], "no job left to loop on");
      await hourly();
      assert.equal((await report(id)).status, "failed", "and it stays failed");
    } finally {
      await env.owner("delete from graphile_worker._private_jobs where payload->>'reportId' = $1", [id]);
      await env.owner("delete from public.reports where id = $1", [id]);
    }
  });

  test("people cannot queue a report as already handed over", async () => {
    await assert.rejects(
      env.as("acmeAdmin", (tx) =>
        tx.client.query(
          "insert into public.reports (tenant_id, kind, format, period_start, period_end, created_by, handovers) values ($1, 'executive', 'pdf', '2026-10-01', '2026-11-01', auth.uid(), 3)",
          [env.fx.tenants.acme],
        ), "acme"),
      (e: { code?: string }) => e.code === "42501",
    );
  });
});
