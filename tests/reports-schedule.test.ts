// Report schedules on the real job engine: a due weekly schedule, run by the
// graphile-worker task reports:schedules, queues its report in the tenant's
// queue; the real worker generates it (reports:generate) and mails a link to
// each recipient through the outbox, which lands in a real local SMTP server.
// A suspended tenant's schedule moves on without a report. A scheduled report
// holds usage as one asked on demand does (its author may read the metering
// and some exists). Reports queued before the queue was installed are handed
// over when it is; a report left running by a killed last attempt is failed
// by the hourly task.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runJobsUntilIdle } from "@/lib/jobs";
import { installJobEngine } from "@/lib/jobs/install";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { createSchedule, generateReport, previousPeriod, registerReportTasks, REPORTS_GENERATE_TASK, REPORTS_SCHEDULES_TASK, runDueSchedules } from "@/lib/reports";
import { STRANDED_REPORT_ERROR } from "@/lib/reports/tasks";
import { useFixtureEnv } from "./helpers/fixture-env";
import { emailOf, type TenantSlug, type UserName } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";

// Set before the database is created (useFixtureEnv's before hook).
process.env.NEXTAUTH_SECRET ??= "reports-schedule-test-secret";
let smtp: TestSmtpServer;
const env = useFixtureEnv({ beforeDrop: () => smtp?.stop() });

env.before(async () => {
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  registerReportTasks();
});

describe("report schedules", () => {
  test("a due schedule runs through the worker: report generated in the tenant's queue, link mailed to each recipient who can open it", async () => {
    // Stored as saved before recipients were checked (lib/actions/reports/create-schedule.ts refuses the last two now):
    // the acme admin and the MSSP admin can open acme's reports; acme's viewer may not export them; the last has no account.
    const recipients = [emailOf("acmeAdmin"), emailOf("msspAdmin"), emailOf("acmeViewer"), "ciso@example.test"];
    const { id: scheduleId, nextRunAt } = await env.as(
      "acmeAdmin",
      (tx) => createSchedule(tx, { tenantId: env.fx.tenants.acme, kind: "executive", format: "pdf", cadence: "weekly", recipients }),
      "acme",
    );
    assert.ok(nextRunAt.getTime() > Date.now(), "the first run is in the future");
    assert.equal(nextRunAt.getUTCDay(), 1, "weekly: a Monday");
    // Due now; the hourly crontab task is added as graphile-worker would add it.
    await env.owner("update public.report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [scheduleId]);
    await env.owner("select graphile_worker.add_job($1, '{}'::json)", [REPORTS_SCHEDULES_TASK]);
    await runJobsUntilIdle({ kinds: [REPORTS_SCHEDULES_TASK] });

    const report = await env.owner("select id, status, kind, format, period_start, period_end, created_by from public.reports where schedule_id = $1", [scheduleId]);
    assert.equal(report.length, 1, "one report queued");
    const expected = previousPeriod("weekly", new Date());
    assert.equal(report[0].period_start.toISOString(), expected.from.toISOString());
    assert.equal(report[0].period_end.toISOString(), expected.to.toISOString());
    assert.equal(report[0].created_by, env.fx.users.acmeAdmin);
    const job = (await env.owner("select queue_name from graphile_worker.jobs where key = $1", [`reports:${report[0].id}`]))[0];
    assert.equal(job.queue_name, `tenant:${env.fx.tenants.acme}`);
    const sched = (await env.owner("select next_run_at, last_run_at from public.report_schedules where id = $1", [scheduleId]))[0];
    assert.ok(sched.next_run_at.getTime() > Date.now() && sched.last_run_at, "the schedule moved on");

    await runJobsUntilIdle({ kinds: [REPORTS_GENERATE_TASK] });
    assert.equal((await env.owner("select status from public.reports where id = $1", [report[0].id]))[0].status, "ready");
    await runJobsUntilIdle({ kinds: [MAIL_TASK] });
    for (const to of recipients.slice(0, 2)) {
      const mail = await smtp.waitFor((m) => m.to === to, 10_000);
      assert.match(mail.subject, /^\[REPORT\] Executive summary for Tenant acme is ready/);
      assert.ok(mail.text.includes(`http://acme.localhost:3000/reports/${report[0].id}/download`), mail.text);
    }
    const queued = await env.owner<{ recipient: string }>("select recipient from mail.outbox where template = 'reports.ready' order by recipient");
    assert.deepEqual(queued.map((r) => r.recipient).filter((r) => recipients.includes(r)).sort(), recipients.slice(0, 2).sort(), "no link to those who could not open it");
  });

  test("a suspended tenant's due schedule moves on without a report", async () => {
    const { id } = await env.as("msspAdmin", (tx) => createSchedule(tx, { tenantId: env.fx.tenants["acme-us"], kind: "operational", format: "csv", cadence: "monthly", recipients: [] }));
    await env.owner("update public.report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [id]);
    await env.owner("update public.tenants set status = 'suspended' where id = $1", [env.fx.tenants["acme-us"]]);
    try {
      await env.owner("select graphile_worker.add_job($1, '{}'::json)", [REPORTS_SCHEDULES_TASK]);
      await runJobsUntilIdle({ kinds: [REPORTS_SCHEDULES_TASK] });
      assert.equal((await env.owner("select count(*)::int c from public.reports where schedule_id = $1", [id]))[0].c, 0);
      assert.ok((await env.owner("select next_run_at from public.report_schedules where id = $1", [id]))[0].next_run_at.getTime() > Date.now());
    } finally {
      await env.owner("update public.tenants set status = 'active' where id = $1", [env.fx.tenants["acme-us"]]);
    }
  });

  test("a scheduled report holds usage as one asked on demand: its author may read the tenant's metering and some exists", async () => {
    const acmeSubtree = [env.fx.tenants.acme, env.fx.tenants["acme-eu"], env.fx.tenants["acme-us"]];
    assert.equal((await env.owner("select count(*)::int c from public.usage_rollups where tenant_id = any ($1::uuid[])", [acmeSubtree]))[0].c, 0, "acme has no rollups yet");
    const schedule = async (user: UserName, tenant: TenantSlug) =>
      (await env.owner<{ id: string }>(
        `insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, next_run_at, created_by)
         values ($1, 'executive', 'csv', 'monthly', '{}', now() - interval '1 minute', $2) returning id`,
        [env.fx.tenants[tenant], env.fx.users[user]],
      ))[0].id;
    const scheduled = async (id: string) =>
      (await env.owner<{ include_usage: boolean }>("select include_usage from public.reports where schedule_id = $1 order by created_at desc limit 1", [id]))[0].include_usage;
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const onDemand = async (user: UserName) => {
      const { id } = await env.as(user, (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, kind: "executive", format: "csv", from: day(8), to: day(1) }), "acme");
      return (await env.owner<{ include_usage: boolean }>("select include_usage from public.reports where id = $1", [id]))[0].include_usage;
    };
    const admin = await schedule("acmeAdmin", "acme");
    const analyst = await schedule("acmeAnalyst", "acme");
    try {
      // No rollups: an admin's scheduled report has no usage section, as their on-demand one.
      assert.deepEqual(await runDueSchedules(), { due: 2, queued: 2, skipped: 0 });
      assert.equal(await scheduled(admin), false, "no usage exists for acme");
      assert.equal(await scheduled(analyst), false);
      assert.equal(await onDemand("acmeAdmin"), false);
      // A day of usage at its site: the admin's reports hold it; the analyst may not read metering.
      await env.owner(
        `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
         values ($1, 'day', date_trunc('day', now() - interval '2 days'), 'alerts_ingested', 5, 1)`,
        [env.fx.tenants["acme-eu"]],
      );
      await env.owner("update public.report_schedules set next_run_at = now() - interval '1 minute' where id = any ($1::uuid[])", [[admin, analyst]]);
      assert.deepEqual(await runDueSchedules(), { due: 2, queued: 2, skipped: 0 });
      assert.equal(await scheduled(admin), true);
      assert.equal(await onDemand("acmeAdmin"), true);
      assert.equal(await scheduled(analyst), false);
      assert.equal(await onDemand("acmeAnalyst"), false);
    } finally {
      await env.owner("delete from public.usage_rollups where tenant_id = any ($1::uuid[])", [acmeSubtree]);
      await env.owner("delete from public.reports where tenant_id = $1 and status = 'queued'", [env.fx.tenants.acme]);
      await env.owner("delete from public.report_schedules where id = any ($1::uuid[])", [[admin, analyst]]);
    }
  });

  test("reports queued while the queue was not installed are handed over when it is (reports.dispatch_pending)", async () => {
    const { id } = await env.as("acmeAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, kind: "operational", format: "csv", from: "2026-10-01", to: "2026-11-01" }), "acme");
    const key = `reports:${id}`;
    try {
      // As if inserted before graphile-worker's schema existed: the trigger had nothing to add the job to.
      await env.owner("delete from graphile_worker._private_jobs where key = $1", [key]);
      assert.equal((await env.owner("select 1 from graphile_worker.jobs where key = $1", [key])).length, 0);
      assert.equal(await installJobEngine(env.db.url), true);
      const jobs = await env.owner("select queue_name, task_identifier from graphile_worker.jobs where key = $1", [key]);
      assert.deepEqual(jobs, [{ queue_name: `tenant:${env.fx.tenants.acme}`, task_identifier: REPORTS_GENERATE_TASK }]);
    } finally {
      await env.owner("delete from graphile_worker._private_jobs where key = $1", [key]);
      await env.owner("delete from public.reports where id = $1", [id]);
    }
  });

  test("the hourly task fails a report left running by a killed last attempt; one a job may still run stays", async () => {
    const queue = async () => (await env.as("acmeAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, kind: "executive", format: "pdf", from: "2026-10-01", to: "2026-11-01" }), "acme")).id;
    const spent = await queue(); // last attempt killed while rendering; the dead worker's lock freed (lib/jobs/liveness.ts)
    const gone = await queue(); // no job left at all
    const retrying = await queue(); // killed with attempts left: graphile-worker runs it again
    const rendering = await queue(); // its last attempt is running now
    const ids = [spent, gone, retrying, rendering];
    const keys = ids.map((id) => `reports:${id}`);
    try {
      await env.owner("update public.reports set status = 'running', progress = 60 where id = any ($1::uuid[])", [ids]);
      const job = (id: string, set: string) => env.owner(`update graphile_worker._private_jobs set ${set} where key = $1`, [`reports:${id}`]);
      await job(spent, "attempts = max_attempts, locked_at = null, locked_by = null");
      await env.owner("delete from graphile_worker._private_jobs where key = $1", [`reports:${gone}`]);
      await job(retrying, "attempts = 2, locked_at = null, locked_by = null, run_at = now() + interval '1 hour'");
      await job(rendering, "attempts = max_attempts, locked_at = now(), locked_by = 'a-live-worker'");

      await env.owner("select graphile_worker.add_job($1, '{}'::json)", [REPORTS_SCHEDULES_TASK]);
      await runJobsUntilIdle({ kinds: [REPORTS_SCHEDULES_TASK] });

      const rows = await env.owner<{ id: string; status: string; error: string | null; finished: boolean }>(
        "select id, status, error, finished_at is not null as finished from public.reports where id = any ($1::uuid[])",
        [ids],
      );
      const by = new Map(rows.map((r) => [r.id, r]));
      for (const id of [spent, gone]) {
        assert.deepEqual(by.get(id), { id, status: "failed", error: STRANDED_REPORT_ERROR, finished: true });
      }
      assert.match(STRANDED_REPORT_ERROR, /the worker stopped while generating it; generate it again/);
      assert.equal(by.get(retrying)?.status, "running", "a retry is still to come");
      assert.equal(by.get(rendering)?.status, "running", "its last attempt is running");
      assert.equal((await env.owner("select 1 from graphile_worker._private_jobs where key = $1", [`reports:${spent}`])).length, 0, "the spent job went too");
    } finally {
      await env.owner("delete from graphile_worker._private_jobs where key = any ($1::text[])", [keys]);
      await env.owner("delete from public.reports where id = any ($1::uuid[])", [ids]);
    }
  });
});
