// What an analyst or admin can write in public.reports and public.report_schedules by SQL as
// themselves (`authenticated`, as a Supabase Data API would let them), and that the portal's own
// flows still work (migration 20261201030910, docs/reports.md "Who may"):
//   - a person's report carries no schedule_id (the worker would mail it to that schedule's
//     recipients) and none of the worker's columns (created_at, finished_at, error, size_bytes);
//   - a schedule's first run is the database's: next_run_at, last_run_at and a pause cannot be
//     given on insert, next_run_at cannot be set on a resume, and what the database sets is the
//     next Monday / 1st of the month at 06:00 UTC (lib/reports/period.ts nextRun);
//   - generateReport, createSchedule and resumeSchedule still work.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { createSchedule, generateReport } from "@/lib/reports";
import { nextRun } from "@/lib/reports/period";
import { resumeSchedule } from "@/lib/reports/resume";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { UserName } from "./helpers/fixtures";
import { asRolledBack, assertRefused, assertRows, attempt } from "./helpers/sql";

const env = useFixtureEnv();

const tryAs = (user: UserName, sql: string, params: unknown[]) => asRolledBack(env.fx, user, (tx) => attempt(tx.client, sql, params));
const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
const adminSchedule = () =>
  env.as(
    "acmeAdmin",
    (tx) => createSchedule(tx, { tenantId: env.fx.tenants.acme, kind: "executive", format: "pdf", cadence: "weekly", recipients: ["board@example.test"] }),
    "acme",
  );

describe("reports asked for by SQL", () => {
  test("no schedule_id (another person's schedule and its recipients), none of the worker's columns", async () => {
    const { id: scheduleId } = await adminSchedule();
    const base = (cols: string, values: string) =>
      `insert into public.reports (tenant_id, kind, format, period_start, period_end, created_by${cols})
       values ($1, 'executive', 'pdf', now() - interval '8 days', now() - interval '1 day', auth.uid()${values})`;
    assertRefused(await tryAs("acmeAnalyst", base(", schedule_id", ", $2"), [env.fx.tenants.acme, scheduleId]));
    for (const [col, value] of [
      ["created_at", "'2000-01-01'"],
      ["finished_at", "now()"],
      ["error", "'made up'"],
      ["size_bytes", "5"],
      ["id", "gen_random_uuid()"],
    ]) {
      assertRefused(await tryAs("acmeAnalyst", base(`, ${col}`, `, ${value}`), [env.fx.tenants.acme]));
    }
    assertRows(await tryAs("acmeAnalyst", base("", ""), [env.fx.tenants.acme]), 1);
    assert.equal((await env.owner("select count(*)::int as n from public.reports where schedule_id = $1", [scheduleId]))[0].n, 0);

    // The app's own request, as before.
    const { id } = await env.as("acmeAnalyst", (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, kind: "operational", format: "csv", from: day(8), to: day(1) }), "acme");
    const [r] = await env.owner("select status, schedule_id, created_by from public.reports where id = $1", [id]);
    assert.deepEqual(r, { status: "queued", schedule_id: null, created_by: env.fx.users.acmeAnalyst });
  });
});

describe("schedules added and resumed by SQL", () => {
  test("no next_run_at, last_run_at or pause on insert; the database sets the first run, weekly and monthly", async () => {
    const base = (cols: string, values: string) =>
      `insert into public.report_schedules (tenant_id, kind, format, cadence, created_by${cols})
       values ($1, 'executive', 'pdf', $2, auth.uid()${values}) returning next_run_at, now() as now`;
    for (const [col, value] of [
      ["next_run_at", "now()"],
      ["last_run_at", "now()"],
      ["paused_at", "now()"],
      ["created_at", "'2000-01-01'"],
    ]) {
      assertRefused(await tryAs("acmeAnalyst", base(`, ${col}`, `, ${value}`), [env.fx.tenants.acme, "weekly"]));
    }
    for (const cadence of ["weekly", "monthly"] as const) {
      const o = await tryAs("acmeAnalyst", base("", ""), [env.fx.tenants.acme, cadence]);
      assertRows(o, 1);
      if (!o.ok) continue;
      const { next_run_at, now } = o.rows[0] as { next_run_at: Date; now: Date };
      assert.equal(next_run_at.toISOString(), nextRun(cadence, now).toISOString(), cadence);
    }
  });

  test("createSchedule answers the first run the database set", async () => {
    const before = new Date();
    const { id, nextRunAt } = await adminSchedule();
    const [{ next_run_at }] = await env.owner<{ next_run_at: Date }>("select next_run_at from public.report_schedules where id = $1", [id]);
    assert.equal(nextRunAt.getTime(), next_run_at.getTime());
    assert.ok([nextRun("weekly", before).getTime(), nextRun("weekly", new Date()).getTime()].includes(nextRunAt.getTime()));
    assert.equal(nextRunAt.getUTCDay(), 1);
    assert.equal(nextRunAt.getUTCHours(), 6);
  });

  test("a resume cannot set its own next run; the database moves it to the next one", async () => {
    const { id } = await adminSchedule();
    const pause = () =>
      env.owner("update public.report_schedules set paused_at = now(), paused_reason = 'test', next_run_at = now() - interval '30 days' where id = $1", [id]);
    await pause();
    const resume = (set: string) =>
      `update public.report_schedules set paused_at = null, paused_reason = null, created_by = auth.uid()${set} where tenant_id = $1 and id = $2 returning next_run_at`;
    assertRefused(await tryAs("acmeAnalyst", resume(", next_run_at = now()"), [env.fx.tenants.acme, id]));
    const o = await tryAs("acmeAnalyst", resume(""), [env.fx.tenants.acme, id]);
    assertRows(o, 1);
    if (o.ok) assert.ok((o.rows[0].next_run_at as Date).getTime() > Date.now(), "from its next run, not the past one");

    const resumed = await env.as("acmeAdmin", (tx) => resumeSchedule(tx, env.fx.tenants.acme, id), "acme");
    assert.ok(resumed);
    const [row] = await env.owner<{ next_run_at: Date; paused_at: Date | null }>("select next_run_at, paused_at from public.report_schedules where id = $1", [id]);
    assert.equal(row.paused_at, null);
    assert.equal(resumed.nextRunAt.getTime(), row.next_run_at.getTime());
    assert.equal(row.next_run_at.getTime(), nextRun("weekly", new Date()).getTime());
  });

  test("the worker (service role) still moves a schedule on to the next run it computes", async () => {
    const { id } = await adminSchedule();
    // As the worker moves it (lib/reports/tasks.ts): the database takes the given next_run_at as it is.
    await withServiceRole("reports.generate", (db) =>
      db.$client.query("update public.report_schedules set next_run_at = '2030-01-07 06:00Z', last_run_at = now() where id = $1", [id]),
    );
    const [row] = await env.owner<{ next_run_at: Date }>("select next_run_at from public.report_schedules where id = $1", [id]);
    assert.equal(row.next_run_at.toISOString(), "2030-01-07T06:00:00.000Z");
  });
});
