// Report schedules on the real job engine: a due weekly schedule, run by the
// graphile-worker task reports:schedules, queues its report in the tenant's
// queue; the real worker generates it (reports:generate) and mails a link to
// each recipient through the outbox, which lands in a real local SMTP server.
// A suspended tenant's schedule moves on without a report.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runJobsUntilIdle } from "@/lib/jobs";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { createSchedule, previousPeriod, registerReportTasks, REPORTS_GENERATE_TASK, REPORTS_SCHEDULES_TASK } from "@/lib/reports";
import { ensureCerbos } from "@/scripts/lib/cerbos";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let smtp: TestSmtpServer;
const owner = (sql: string, params: unknown[] = []) => withClient(db.url, (c) => c.query(sql, params));

before(async () => {
  process.env.CERBOS_URL = (await ensureCerbos({ quiet: true })).url;
  process.env.NEXTAUTH_SECRET ??= "reports-schedule-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  registerReportTasks();
});
after(async () => {
  await smtp?.stop();
  await db?.drop();
});

describe("report schedules", () => {
  test("a due schedule runs through the worker: report generated in the tenant's queue, link mailed to each recipient", async () => {
    const { id: scheduleId, nextRunAt } = await as(
      fx,
      "acmeAdmin",
      (tx) => createSchedule(tx, { tenantId: fx.tenants.acme, kind: "executive", format: "pdf", cadence: "weekly", recipients: ["soc-lead@example.test", "ciso@example.test"] }),
      "acme",
    );
    assert.ok(nextRunAt.getTime() > Date.now(), "the first run is in the future");
    assert.equal(nextRunAt.getUTCDay(), 1, "weekly: a Monday");
    // Due now; the hourly crontab task is added as graphile-worker would add it.
    await owner("update public.report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [scheduleId]);
    await owner("select graphile_worker.add_job($1, '{}'::json)", [REPORTS_SCHEDULES_TASK]);
    await runJobsUntilIdle({ kinds: [REPORTS_SCHEDULES_TASK] });

    const report = (await owner("select id, status, kind, format, period_start, period_end, created_by from public.reports where schedule_id = $1", [scheduleId])).rows;
    assert.equal(report.length, 1, "one report queued");
    const expected = previousPeriod("weekly", new Date());
    assert.equal(report[0].period_start.toISOString(), expected.from.toISOString());
    assert.equal(report[0].period_end.toISOString(), expected.to.toISOString());
    assert.equal(report[0].created_by, fx.users.acmeAdmin);
    const job = (await owner("select queue_name from graphile_worker.jobs where key = $1", [`reports:${report[0].id}`])).rows[0];
    assert.equal(job.queue_name, `tenant:${fx.tenants.acme}`);
    const sched = (await owner("select next_run_at, last_run_at from public.report_schedules where id = $1", [scheduleId])).rows[0];
    assert.ok(sched.next_run_at.getTime() > Date.now() && sched.last_run_at, "the schedule moved on");

    await runJobsUntilIdle({ kinds: [REPORTS_GENERATE_TASK] });
    assert.equal((await owner("select status from public.reports where id = $1", [report[0].id])).rows[0].status, "ready");
    await runJobsUntilIdle({ kinds: [MAIL_TASK] });
    for (const to of ["soc-lead@example.test", "ciso@example.test"]) {
      const mail = await smtp.waitFor((m) => m.to === to, 10_000);
      assert.match(mail.subject, /^\[REPORT\] Executive summary for Tenant acme is ready/);
      assert.ok(mail.text.includes(`http://acme.localhost:3000/reports/${report[0].id}/download`), mail.text);
    }
  });

  test("a suspended tenant's due schedule moves on without a report", async () => {
    const { id } = await as(fx, "msspAdmin", (tx) => createSchedule(tx, { tenantId: fx.tenants["acme-us"], kind: "operational", format: "csv", cadence: "monthly", recipients: [] }));
    await owner("update public.report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [id]);
    await owner("update public.tenants set status = 'suspended' where id = $1", [fx.tenants["acme-us"]]);
    try {
      await owner("select graphile_worker.add_job($1, '{}'::json)", [REPORTS_SCHEDULES_TASK]);
      await runJobsUntilIdle({ kinds: [REPORTS_SCHEDULES_TASK] });
      assert.equal((await owner("select count(*)::int c from public.reports where schedule_id = $1", [id])).rows[0].c, 0);
      assert.ok((await owner("select next_run_at from public.report_schedules where id = $1", [id])).rows[0].next_run_at.getTime() > Date.now());
    } finally {
      await owner("update public.tenants set status = 'active' where id = $1", [fx.tenants["acme-us"]]);
    }
  });
});
