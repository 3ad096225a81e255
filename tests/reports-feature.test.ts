// features.reports ("Report exports"), enforced wherever a report is made: the
// server actions (generate, schedule) refuse with the message and a denied
// audit row naming the setting, and queue nothing; a due schedule moves on
// without a report; a report queued before the switch fails saying why; a bulk
// report run plans the tenant as skipped; the reports page leaves it out of
// the forms and says so, while its stored reports stay listed. The flag set at
// acme reaches its sites (inherited); globex (the default) is the control.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { auditMark, auditSince, callAction, enrolMfa, loadAction, sessionCookie, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planRun, selectionSchema } from "@/lib/bulk";
import { generateQueuedReport, generateReport, runDueSchedules } from "@/lib/reports";
import { reportDownload } from "@/lib/reports/download";
import { loadReportsPage } from "@/lib/reports/page-data";
import { useFixtureEnv } from "./helpers/fixture-env";
import { emailOf, type TenantSlug, type UserName } from "./helpers/fixtures";

const env = useFixtureEnv();
const CONSOLE = "localhost:3000";
const GENERATE = "lib/actions/reports/generate-report.ts#generateReport";
const SCHEDULE = "lib/actions/reports/create-schedule.ts#createSchedule";

env.before(async () => {
  await enrolMfa(env.person("msspAdmin"));
  for (const user of ["msspAdmin", "acmeAdmin"] as const) await sessionCookie(env.person(user));
});

type Result = { ok: boolean; error?: string };
const act = async (id: string, user: UserName, host: string, fields: FormFields) => (await callAction(await loadAction(id), { person: env.person(user), host }, fields)) as Result;
const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
const period = { kind: "executive", format: "pdf", from: day(8), to: day(1) } as const;
const reportsOf = async (tenant: TenantSlug) =>
  (await env.owner<{ id: string; status: string; error: string | null }>("select id, status, error from public.reports where tenant_id = $1 order by created_at", [env.fx.tenants[tenant]]));

async function withReportsOff<T>(tenant: TenantSlug, fn: () => Promise<T>): Promise<T> {
  await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'features.reports', 'false'::jsonb)", [env.fx.tenants[tenant]]);
  try {
    return await fn();
  } finally {
    await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'features.reports'", [env.fx.tenants[tenant]]);
  }
}

describe("features.reports off", () => {
  test("the actions refuse with the message and a denied audit row, at acme and (inherited) its site; globex still works", async () => {
    await withReportsOff("acme", async () => {
      for (const [user, host, tenant] of [
        ["acmeAdmin", "acme.localhost:3000", "acme"],
        ["msspAdmin", CONSOLE, "acme-eu"],
      ] as const) {
        const mark = await auditMark(env.db.url);
        const generated = await act(GENERATE, user, host, { tenantId: env.fx.tenants[tenant], ...period });
        assert.equal(generated.ok, false);
        assert.match(generated.error!, /^Report exports is not enabled for .+\. Ask your MSSP to enable it; nothing was changed\.$/);
        const scheduled = await act(SCHEDULE, user, host, { tenantId: env.fx.tenants[tenant], kind: "operational", format: "csv", cadence: "weekly", recipients: "" });
        assert.equal(scheduled.ok, false);
        assert.match(scheduled.error!, /^Report exports is not enabled for /);
        const audit = await auditSince(env.db.url, mark);
        assert.deepEqual(
          audit.map((r) => [r.action, r.outcome, r.details.setting]),
          [
            ["reports:requested", "denied", "features.reports"],
            ["reports:schedule-created", "denied", "features.reports"],
          ],
        );
        assert.deepEqual(await reportsOf(tenant), []);
      }
      assert.equal((await env.owner("select 1 from public.report_schedules")).length, 0, "no schedule saved");
      // Control: globex keeps the default (on).
      const ok = await act(GENERATE, "msspAdmin", CONSOLE, { tenantId: env.fx.tenants.globex, ...period });
      assert.equal(ok.ok, true, ok.error);
      assert.equal((await reportsOf("globex")).length, 1);
    });
  });

  test("a report holding usage figures is for those who may read usage: not listed for an analyst, nor downloaded", async () => {
    await env.owner(
      `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events) values ($1, 'day', date_trunc('day', now() - interval '2 days', 'UTC'), 'alerts_ingested', 5, 1)`,
      [env.fx.tenants.acme],
    );
    try {
      const { id } = await env.as("acmeAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, ...period }), "acme");
      const [row] = await env.owner<{ include_usage: boolean }>("select include_usage from public.reports where id = $1", [id]);
      assert.equal(row.include_usage, true, "the admin's report carries the usage table");
      const listedFor = async (user: UserName) =>
        (await env.as(user, (tx) => loadReportsPage(tx, { withinTenant: env.fx.tenants.acme }), "acme")).reports.map((r) => r.id).includes(id);
      assert.equal(await listedFor("acmeAdmin"), true);
      assert.equal(await listedFor("acmeAnalyst"), false, "an analyst (reports:export, no usage:read) does not see it");
      assert.equal(await env.as("acmeAnalyst", (tx) => reportDownload(tx, id, { withinTenant: env.fx.tenants.acme }), "acme"), null);
      assert.equal(await env.as("acmeAdmin", (tx) => reportDownload(tx, id, { withinTenant: env.fx.tenants.acme }), "acme"), "not-ready", "the admin's answer: there, not generated yet");
      await env.owner("delete from public.reports where id = $1", [id]);
    } finally {
      await env.owner("delete from public.usage_rollups where tenant_id = $1", [env.fx.tenants.acme]);
    }
  });

  test("a due schedule moves on without a report; a report queued before the switch fails saying why", async () => {
    const { id: queued } = await env.as("acmeAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, ...period }), "acme");
    const [schedule] = await env.owner<{ id: string }>(
      `insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, next_run_at, created_by)
       values ($1, 'executive', 'pdf', 'weekly', '{}', now() - interval '1 minute', $2) returning id`,
      [env.fx.tenants.acme, env.fx.users.acmeAdmin],
    );
    await withReportsOff("acme", async () => {
      const stats = await runDueSchedules();
      assert.deepEqual(stats, { due: 1, queued: 0, skipped: 1 });
      const [moved] = await env.owner<{ moved: boolean }>("select next_run_at > now() as moved from public.report_schedules where id = $1", [schedule.id]);
      assert.equal(moved.moved, true, "the schedule's next run moved on");
      assert.equal(await generateQueuedReport(env.fx.tenants.acme, queued), "failed");
    });
    const rows = await reportsOf("acme");
    assert.deepEqual(rows.map((r) => r.id), [queued], "the schedule queued nothing");
    assert.equal(rows[0].status, "failed");
    assert.match(rows[0].error!, /Report exports are not enabled for this tenant/);
    // Back on: the same schedule, due again, queues its report.
    await env.owner("update public.report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [schedule.id]);
    assert.deepEqual(await runDueSchedules(), { due: 1, queued: 1, skipped: 0 });
    await env.owner("delete from public.report_schedules where id = $1", [schedule.id]);
  });

  test("a due wave larger than one batch is taken whole by one run, the longest due first", async () => {
    const ids = await env.owner<{ id: string }>(
      `insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, next_run_at, created_by)
       select $1, 'executive', 'csv', 'weekly', '{}', now() - make_interval(mins => n), $2 from generate_series(1, 5) n returning id`,
      [env.fx.tenants.globex, env.fx.users.globexAdmin],
    );
    try {
      // Batches of 2: three transactions, every one of the five queued in this one run.
      assert.deepEqual(await runDueSchedules(new Date(), 2), { due: 5, queued: 5, skipped: 0 });
      const left = await env.owner("select 1 from public.report_schedules where id = any ($1::uuid[]) and next_run_at <= now()", [ids.map((r) => r.id)]);
      assert.equal(left.length, 0, "none left for the next hour");
    } finally {
      await env.owner("delete from public.reports where schedule_id = any ($1::uuid[])", [ids.map((r) => r.id)]);
      await env.owner("delete from public.report_schedules where id = any ($1::uuid[])", [ids.map((r) => r.id)]);
    }
  });

  test("a bulk report run plans the tenant as skipped; the reports page leaves it out of the forms and says so", async () => {
    await withReportsOff("acme", async () => {
      const run = await env.as("msspAdmin", (tx) =>
        planRun(tx, {
          runTenantId: env.fx.tenants["mssp-a"],
          selection: selectionSchema.parse({ rootId: env.fx.tenants["mssp-a"] }),
          params: { operation: "report", ...period },
        }),
      );
      const items = await env.owner<{ slug: string; status: string; planned: string }>(
        "select t.slug, i.status, i.planned from public.bulk_run_items i join public.tenants t on t.id = i.target_tenant_id where i.run_id = $1",
        [run.id],
      );
      const bySlug = Object.fromEntries(items.map((i) => [i.slug, i]));
      for (const slug of ["acme", "acme-eu", "acme-us"]) assert.match(bySlug[slug].planned, /Report exports are off in its configuration: skipped/, slug);
      assert.match(bySlug.globex.planned, /^Would generate/);

      const page = await env.as("acmeAdmin", (tx) => loadReportsPage(tx, { withinTenant: env.fx.tenants.acme }), "acme");
      assert.ok(page.tenants.length >= 3);
      assert.ok(page.tenants.every((t) => !t.reportsOn), "acme and its sites: off");
      assert.ok(page.reports.length > 0, "the reports made before are still listed");
    });
    const page = await env.as("acmeAdmin", (tx) => loadReportsPage(tx, { withinTenant: env.fx.tenants.acme }), "acme");
    assert.ok(page.tenants.every((t) => t.reportsOn));
  });
});

describe("the schedule's saved message", () => {
  test("names the first run in the page's zone: the host's tenant's, the MSSP's on the console", async () => {
    const setZone = (tenant: TenantSlug, zone: string) =>
      env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', $2::jsonb)", [env.fx.tenants[tenant], JSON.stringify(zone)]);
    await setZone("acme", "Europe/Paris");
    await setZone("mssp-a", "America/New_York");
    try {
      const fields = { tenantId: env.fx.tenants.acme, kind: "operational", format: "csv", cadence: "weekly", recipients: "" };
      const onAcme = (await act(SCHEDULE, "acmeAdmin", "acme.localhost:3000", fields)) as Result & { message?: string };
      assert.equal(onAcme.ok, true, onAcme.error);
      assert.match(onAcme.message ?? "", /^Schedule saved: the first report is made \d{2} \w{3,4} \d{4}, \d{2}:\d{2} Europe\/Paris\.$/);
      const onConsole = (await act(SCHEDULE, "msspAdmin", CONSOLE, fields)) as Result & { message?: string };
      assert.match(onConsole.message ?? "", / America\/New_York\.$/);
    } finally {
      await env.owner("delete from public.tenant_settings where key = 'locale.time_zone'");
      await env.owner("delete from public.report_schedules where tenant_id = $1", [env.fx.tenants.acme]);
    }
  });
});

describe("a schedule's recipients", () => {
  test("must be people who can open the tenant's reports: an address with no account, or a viewer's, is refused by position and nothing is saved", async () => {
    const count = async () => (await env.owner("select 1 from public.report_schedules where tenant_id = $1", [env.fx.tenants.acme])).length;
    const before = await count();
    const fields = (recipients: string) => ({ tenantId: env.fx.tenants.acme, kind: "executive", format: "pdf", cadence: "monthly", recipients });
    const refused = await act(SCHEDULE, "acmeAdmin", "acme.localhost:3000", fields(`${emailOf("acmeAnalyst")}, nobody-here@example.test, ${emailOf("acmeViewer")}`));
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? "", /^Addresses 2 and 3 of 3 are not addresses of people who can open this tenant's reports/);
    assert.ok(!(refused.error ?? "").includes("nobody-here"), "the message does not quote the input back");
    assert.equal(await count(), before, "nothing saved");
    // Someone of another customer cannot open acme's reports either.
    const other = await act(SCHEDULE, "acmeAdmin", "acme.localhost:3000", fields(emailOf("globexAdmin")));
    assert.match(other.error ?? "", /^Address 1 of 1 is not the address of someone who can open/);
    // The tenant's analyst and the MSSP's admin can: saved (in any letter case).
    const saved = await act(SCHEDULE, "acmeAdmin", "acme.localhost:3000", fields(`${emailOf("acmeAnalyst").toUpperCase()}; ${emailOf("msspAdmin")}`));
    assert.equal(saved.ok, true, saved.error);
    assert.equal(await count(), before + 1);
    await env.owner("delete from public.report_schedules where tenant_id = $1", [env.fx.tenants.acme]);
  });
});

