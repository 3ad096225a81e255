// A report schedule whose author lost access pauses (lib/reports/pause.ts), on
// the real job engine, the real PDP and a real local SMTP server: the run
// whose report fails because the author may no longer export the tenant's
// reports (role lowered, membership removed) pauses the schedule with the
// reason, shown on the schedules list, audited (reports:schedule-paused) and
// mailed to the tenant's admins; a paused schedule makes no report until
// someone with access resumes it, and then runs as them. Faults (the PDP
// unreachable) and passing states (a suspended customer above the site) do
// not pause; a schedule whose author's account is gone pauses at its due run.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runJobsUntilIdle } from "@/lib/jobs";
import { MAIL_TASK, registerMailDelivery } from "@/lib/mail/deliver";
import { createSchedule, registerReportTasks, REPORTS_GENERATE_TASK, REPORTS_SCHEDULES_TASK, runDueSchedules } from "@/lib/reports";
import { loadReportsPage } from "@/lib/reports/page-data";
import { PAUSE_REASONS } from "@/lib/reports/pause";
import { resumeSchedule } from "@/lib/reports/resume";
import { useFixtureEnv } from "./helpers/fixture-env";
import { emailOf, type TenantSlug, type UserName } from "./helpers/fixtures";
import { startSmtpServer, useSmtp, type TestSmtpServer } from "./helpers/smtp";

process.env.NEXTAUTH_SECRET ??= "reports-schedule-pause-test-secret";
let smtp: TestSmtpServer;
const env = useFixtureEnv({ beforeDrop: () => smtp?.stop() });

env.before(async () => {
  smtp = await startSmtpServer();
  useSmtp(smtp);
  registerMailDelivery();
  registerReportTasks();
});

type Sched = { paused_at: Date | null; paused_reason: string | null; created_by: string | null; next_run_at: Date };
const scheduleRow = async (id: string) =>
  (await env.owner<Sched>("select paused_at, paused_reason, created_by, next_run_at from public.report_schedules where id = $1", [id]))[0];
const reportsOf = (id: string) =>
  env.owner<{ id: string; status: string; error: string | null; created_by: string }>("select id, status, error, created_by from public.reports where schedule_id = $1 order by created_at", [id]);
const makeDue = (id: string) => env.owner("update public.report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [id]);

/** One cycle as production runs it: the hourly task through the worker, then the generate jobs it queued. */
async function cycle(): Promise<void> {
  await env.owner("select graphile_worker.add_job($1, '{}'::json)", [REPORTS_SCHEDULES_TASK]);
  await runJobsUntilIdle({ kinds: [REPORTS_SCHEDULES_TASK] });
  await runJobsUntilIdle({ kinds: [REPORTS_GENERATE_TASK] });
}

/** Delivers the outbox (one tenant's messages go one at a time: a pass may leave the next for another). */
async function deliverMail(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await runJobsUntilIdle({ kinds: [MAIL_TASK] });
    if ((await env.owner("select 1 from mail.outbox where status = 'queued' limit 1")).length === 0) return;
  }
}

const scheduleAs = async (user: UserName, tenant: TenantSlug, active?: TenantSlug) =>
  (await env.as(user, (tx) => createSchedule(tx, { tenantId: env.fx.tenants[tenant], kind: "operational", format: "csv", cadence: "weekly", recipients: ["soc-lead@example.test"] }), active)).id;
const setRole = (user: UserName, tenant: TenantSlug, role: string) =>
  env.owner("update public.memberships set role = $3 where user_id = $1 and tenant_id = $2", [env.fx.users[user], env.fx.tenants[tenant], role]);

describe("report schedules whose author lost access", () => {
  test("a lowered role: the failing run pauses the schedule (reason listed, audited, admins mailed); it stays paused until an admin resumes it, then runs as them", async () => {
    const id = await scheduleAs("acmeAnalyst", "acme", "acme");
    await setRole("acmeAnalyst", "acme", "tenant_viewer"); // the PDP denies viewers reports:export
    try {
      await makeDue(id);
      await cycle();
      const [failed] = await reportsOf(id);
      assert.equal(failed.status, "failed");
      assert.match(failed.error!, /may no longer export this tenant's reports/);
      const paused = await scheduleRow(id);
      assert.ok(paused.paused_at, "paused");
      assert.equal(paused.paused_reason, PAUSE_REASONS["author-access"]);

      // Audited in acme's trail, by nobody (the worker), naming the schedule and the failed report.
      const audit = await env.owner<{ actor_id: string | null; outcome: string; details: Record<string, unknown> }>(
        "select actor_id, outcome, details from public.audit_log where tenant_id = $1 and action = 'reports:schedule-paused' and target_type = 'report_schedule' and target_id = $2",
        [env.fx.tenants.acme, id],
      );
      assert.equal(audit.length, 1);
      assert.equal(audit[0].actor_id, null);
      assert.equal(audit[0].details.report_id, failed.id);
      assert.equal(audit[0].details.author_id, env.fx.users.acmeAnalyst);

      // Mailed to acme's admin (a tenant_admin of the tenant), through the outbox, to the real SMTP server; not to the recipients.
      await deliverMail();
      const mail = await smtp.waitFor((m) => m.to === emailOf("acmeAdmin") && /paused/.test(m.subject), 10_000);
      assert.equal(mail.subject, "[REPORT] A report schedule for Tenant acme is paused");
      assert.ok(mail.text.includes(PAUSE_REASONS["author-access"]), mail.text);
      assert.ok(mail.text.includes("http://acme.localhost:3000/reports"), mail.text);
      assert.ok(!smtp.messages.some((m) => m.to === "soc-lead@example.test"), "the recipients get no report and no notice");

      // Visible on the schedules list of someone with access.
      const page = await env.as("acmeAdmin", (tx) => loadReportsPage(tx, { withinTenant: env.fx.tenants.acme }), "acme");
      const listed = page.schedules.find((s) => s.id === id);
      assert.ok(listed?.pausedAt);
      assert.equal(listed.pausedReason, PAUSE_REASONS["author-access"]);

      // The next cycles make nothing: a paused schedule is not due.
      await makeDue(id);
      assert.deepEqual(await runDueSchedules(), { due: 0, queued: 0, skipped: 0 });
      assert.equal((await reportsOf(id)).length, 1);

      // The lowered author cannot resume it (RLS: viewers do not see schedules); acme's admin can, as themselves.
      assert.equal(await env.as("acmeAnalyst", (tx) => resumeSchedule(tx, env.fx.tenants.acme, id), "acme"), null);
      assert.ok((await scheduleRow(id)).paused_at, "still paused");
      const resumed = await env.as("acmeAdmin", (tx) => resumeSchedule(tx, env.fx.tenants.acme, id), "acme");
      assert.ok(resumed && resumed.nextRunAt.getTime() > Date.now());
      const now = await scheduleRow(id);
      assert.deepEqual([now.paused_at, now.paused_reason, now.created_by], [null, null, env.fx.users.acmeAdmin]);

      await makeDue(id);
      await cycle();
      const [, again] = await reportsOf(id);
      assert.equal(again.status, "ready", again.error ?? "");
      assert.equal(again.created_by, env.fx.users.acmeAdmin);
      assert.equal((await scheduleRow(id)).paused_at, null);
    } finally {
      await setRole("acmeAnalyst", "acme", "tenant_analyst");
    }
  });

  test("a removed membership pauses its schedule too; the site's admins and those above it are told", async () => {
    const [user] = await env.owner<{ id: string }>("insert into public.users (email, name) values ('site-analyst@example.test', 'Site analyst') returning id");
    await env.owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_analyst')", [env.fx.tenants["acme-eu"], user.id]);
    const [{ id }] = await env.owner<{ id: string }>(
      `insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, next_run_at, created_by)
       values ($1, 'executive', 'csv', 'monthly', '{}', now() - interval '1 minute', $2) returning id`,
      [env.fx.tenants["acme-eu"], user.id],
    );
    await env.owner("delete from public.memberships where user_id = $1", [user.id]);
    await cycle();
    assert.match((await reportsOf(id))[0].error ?? "", /may no longer export/);
    assert.equal((await scheduleRow(id)).paused_reason, PAUSE_REASONS["author-access"]);
    await deliverMail();
    for (const admin of ["acmeEuAdmin", "acmeAdmin"] as const) {
      const mail = await smtp.waitFor((m) => m.to === emailOf(admin) && m.text.includes("Tenant acme-eu"), 10_000);
      assert.ok(mail.text.includes("http://acme-eu.localhost:3000/reports"), mail.text);
    }
    assert.ok(!smtp.messages.some((m) => m.to === "site-analyst@example.test"), "the removed member is not told");
  });

  test("not paused for faults or passing states: the PDP unreachable (to the last attempt), the customer above the site suspended", async () => {
    const id = await scheduleAs("acmeAnalyst", "acme", "acme");
    await makeDue(id);
    const pdp = process.env.CERBOS_URL;
    process.env.CERBOS_URL = "http://127.0.0.1:9";
    try {
      await cycle(); // first attempt: the PDP cannot answer, graphile-worker retries later
      const [report] = await reportsOf(id);
      assert.notEqual(report.status, "failed");
      await env.owner("update graphile_worker._private_jobs set attempts = max_attempts - 1, run_at = now() where key = $1", [`reports:${report.id}`]);
      await runJobsUntilIdle({ kinds: [REPORTS_GENERATE_TASK] }); // the last attempt fails the report
      assert.equal((await reportsOf(id))[0].status, "failed");
      assert.equal((await scheduleRow(id)).paused_at, null, "a fault does not pause");
    } finally {
      process.env.CERBOS_URL = pdp;
    }

    // acme suspended: its site gets no report (the due run moves on without one, a report queued before fails); it is not the author's access.
    const site = await scheduleAs("acmeAdmin", "acme-eu", "acme");
    await env.owner(
      `insert into public.reports (tenant_id, kind, format, period_start, period_end, schedule_id, created_by)
       values ($1, 'executive', 'pdf', '2026-11-23', '2026-11-30', $2, $3)`,
      [env.fx.tenants["acme-eu"], site, env.fx.users.acmeAdmin],
    );
    await env.owner("update public.tenants set status = 'suspended' where id = $1", [env.fx.tenants.acme]);
    try {
      await makeDue(site);
      await cycle();
      assert.deepEqual((await reportsOf(site)).map((r) => r.status), ["failed"], "only the one queued before, failed");
      assert.equal((await scheduleRow(site)).paused_at, null, "a suspension passes");
    } finally {
      await env.owner("update public.tenants set status = 'active' where id = $1", [env.fx.tenants.acme]);
    }
  });

  test("a schedule whose author's account is gone pauses at its due run instead of moving on", async () => {
    const [user] = await env.owner<{ id: string }>("insert into public.users (email, name) values ('leaver@example.test', 'Leaver') returning id");
    await env.owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_analyst')", [env.fx.tenants.globex, user.id]);
    const [s] = await env.owner<{ id: string }>(
      `insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, next_run_at, created_by)
       values ($1, 'executive', 'pdf', 'monthly', '{}', now() - interval '1 minute', $2) returning id`,
      [env.fx.tenants.globex, user.id],
    );
    await env.owner("delete from public.users where id = $1", [user.id]);
    assert.deepEqual(await runDueSchedules(), { due: 1, queued: 0, skipped: 1 });
    const row = await scheduleRow(s.id);
    assert.ok(row.paused_at);
    assert.equal(row.paused_reason, PAUSE_REASONS["author-gone"]);
    assert.equal((await reportsOf(s.id)).length, 0);
    await deliverMail();
    await smtp.waitFor((m) => m.to === emailOf("globexAdmin") && m.text.includes(PAUSE_REASONS["author-gone"]), 10_000);
  });
});
