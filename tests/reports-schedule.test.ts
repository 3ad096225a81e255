// Report schedules on the real job engine: a due weekly schedule, run by the
// graphile-worker task reports:schedules, queues its report in the tenant's
// queue; the real worker generates it (reports:generate) and mails a link to
// each recipient through the outbox, which lands in a real local SMTP server.
// A suspended tenant's schedule moves on without a report.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runJobsUntilIdle } from "@/lib/jobs";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { createSchedule, previousPeriod, registerReportTasks, REPORTS_GENERATE_TASK, REPORTS_SCHEDULES_TASK } from "@/lib/reports";
import { useFixtureEnv } from "./helpers/fixture-env";
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
  test("a due schedule runs through the worker: report generated in the tenant's queue, link mailed to each recipient", async () => {
    const { id: scheduleId, nextRunAt } = await env.as(
      "acmeAdmin",
      (tx) => createSchedule(tx, { tenantId: env.fx.tenants.acme, kind: "executive", format: "pdf", cadence: "weekly", recipients: ["soc-lead@example.test", "ciso@example.test"] }),
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
    for (const to of ["soc-lead@example.test", "ciso@example.test"]) {
      const mail = await smtp.waitFor((m) => m.to === to, 10_000);
      assert.match(mail.subject, /^\[REPORT\] Executive summary for Tenant acme is ready/);
      assert.ok(mail.text.includes(`http://acme.localhost:3000/reports/${report[0].id}/download`), mail.text);
    }
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
});
