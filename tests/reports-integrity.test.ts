// Reports' integrity rules (lib/reports), on a real Postgres with real RLS, the
// real PDP and the real job engine:
//   - a site whose customer (a tenant above it) is suspended gets no report:
//     asking, scheduling and resuming are refused with a message that does not
//     name that tenant (and, through the server action, a denied audit row
//     instead of a raw RLS error); a due schedule moves on without a report; a
//     report queued before the suspension fails when the worker takes it,
//     mailing nobody and leaving its schedule as it is; the page leaves the
//     site out of the forms;
//   - a tenant name of 200 characters with a 60-character brand still makes a
//     PDF (title and footer shortened with "…"); a PDF document that is not
//     valid fails the report at once, with a clear reason (no retries);
//   - the offboarding withdraws a former parent's report that covered the
//     offboarded site (covered_tenant_ids, which people cannot write), and
//     keeps a current ancestor's report made before the site moved in;
//   - impossible timestamps and periods ending after tomorrow are refused;
//   - downloads and the cross-tenant export write audit rows;
//   - no report or schedule for the MSSP's own tenant.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { auditMark, auditSince, callAction, enrolMfa, loadAction, sessionCookie, type FormFields } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ActionRefusal } from "@/lib/actions/refusal";
import { withServiceRole } from "@/lib/db/service-role";
import { runJobsUntilIdle } from "@/lib/jobs";
import { moveTenant } from "@/lib/lifecycle/move";
import { removeCopiesBatch } from "@/lib/lifecycle/offboard-copies";
import {
  createSchedule, CUSTOMERS_EXPORTED_AUDIT, exportCustomers, generateQueuedReport, generateReport, registerReportTasks, REPORT_DOWNLOADED_AUDIT,
  reportPdf, REPORTS_GENERATE_TASK, runDueSchedules, type ReportFigures,
} from "@/lib/reports";
import { reportDownload } from "@/lib/reports/download";
import { loadReportsPage } from "@/lib/reports/page-data";
import { parseInstant, periodFields, periodProblem } from "@/lib/reports/period";
import { fitName, reportTitle } from "@/lib/reports/render";
import { resumeSchedule } from "@/lib/reports/resume";
import { pdfTextRuns } from "./helpers/pdf-text";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const CONSOLE = "localhost:3000";
const GENERATE = "lib/actions/reports/generate-report.ts#generateReport";

env.before(async () => {
  registerReportTasks();
  await enrolMfa(env.person("msspAdmin"));
  await sessionCookie(env.person("msspAdmin"));
});

const refusal = (pattern: RegExp, reason?: string) => (e: unknown) => {
  assert.ok(e instanceof ActionRefusal, `an ActionRefusal, not ${String(e)}`);
  assert.match(e.message, pattern);
  if (reason) assert.equal(e.details?.reason, reason);
  return true;
};
const suspend = (slug: "acme" | "globex", status = "suspended") => env.owner("update public.tenants set status = $2 where id = $1", [env.fx.tenants[slug], status]);
const reportRow = async (id: string) =>
  (await env.owner<{ status: string; error: string | null; content: Buffer | null; covered_tenant_ids: string[] | null }>(
    "select status, error, content, covered_tenant_ids from public.reports where id = $1", [id]))[0];
const OCT = { from: "2026-10-01", to: "2026-11-01" };

describe("a site whose customer is suspended", () => {
  test("asking, scheduling, resuming: refused without naming the customer; the action writes a denied audit row, no raw error", async () => {
    const site = env.fx.tenants["acme-eu"];
    const { id: paused } = await env.as("msspAdmin", (tx) => createSchedule(tx, { tenantId: site, kind: "executive", format: "pdf", cadence: "weekly", recipients: [] }));
    await env.owner("update public.report_schedules set paused_at = now(), paused_reason = 'test' where id = $1", [paused]);
    await suspend("acme");
    try {
      const above = /^A tenant above it is suspended: no report is made for it until that tenant is active again\./;
      await assert.rejects(env.as("msspAdmin", (tx) => generateReport(tx, { tenantId: site, kind: "executive", format: "pdf", ...OCT })), refusal(above, "tenant_state_above"));
      await assert.rejects(env.as("msspAdmin", (tx) => createSchedule(tx, { tenantId: site, kind: "executive", format: "csv", cadence: "weekly", recipients: [] })), refusal(above, "tenant_state_above"));
      await assert.rejects(env.as("msspAdmin", (tx) => resumeSchedule(tx, site, paused)), refusal(/^A tenant above it is suspended: .* The schedule stays paused\. Nothing was changed\.$/));
      // Through the server action, as a person asks: the message, and the refusal audited.
      const mark = await auditMark(env.db.url);
      const fields: FormFields = { tenantId: site, kind: "executive", format: "pdf", ...OCT };
      const result = (await callAction(await loadAction(GENERATE), { person: env.person("msspAdmin"), host: CONSOLE }, fields)) as { ok: boolean; error?: string };
      assert.equal(result.ok, false);
      assert.match(result.error!, above);
      assert.doesNotMatch(result.error!, /Tenant acme/);
      assert.deepEqual((await auditSince(env.db.url, mark)).map((r) => [r.action, r.outcome, r.tenant_id]), [["reports:requested", "denied", site]]);
      assert.equal((await env.owner("select 1 from public.reports where tenant_id = $1", [site])).length, 0, "nothing queued");
      // The page leaves the customer's sites out of the forms (they are listed, marked).
      const page = await env.as("msspAdmin", (tx) => loadReportsPage(tx));
      const of = (slug: "acme" | "acme-eu" | "acme-us" | "globex") => page.tenants.find((t) => t.id === env.fx.tenants[slug])!;
      assert.equal(of("acme-eu").closedAbove, true);
      assert.equal(of("acme-us").closedAbove, true);
      assert.equal(of("acme").closedAbove, false, "the suspended customer itself: its own status says it");
      assert.equal(of("globex").closedAbove, false);
    } finally {
      await suspend("acme", "active");
      await env.owner("delete from public.report_schedules where id = $1", [paused]);
    }
  });

  test("a due schedule moves on without a report; a report queued before fails on the worker, mails nobody, leaves its schedule unpaused", async () => {
    const site = env.fx.tenants["acme-eu"];
    const { id } = await env.as("msspAdmin", (tx) => createSchedule(tx, { tenantId: site, kind: "operational", format: "csv", cadence: "weekly", recipients: ["ext@example.test"] }));
    // A scheduled report queued before the suspension (as the hourly task queues one).
    const [queued] = await env.owner<{ id: string }>(
      `insert into public.reports (tenant_id, kind, format, period_start, period_end, schedule_id, created_by)
       values ($1, 'operational', 'csv', '2026-11-23', '2026-11-30', $2, $3) returning id`,
      [site, id, env.fx.users.msspAdmin],
    );
    await env.owner("update public.report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [id]);
    await suspend("acme");
    try {
      const stats = await runDueSchedules();
      assert.deepEqual(stats, { due: 1, queued: 0, skipped: 1 });
      await runJobsUntilIdle({ kinds: [REPORTS_GENERATE_TASK] });
      const reports = await env.owner<{ id: string; status: string; error: string | null }>("select id, status, error from public.reports where schedule_id = $1", [id]);
      assert.deepEqual(reports.map((r) => r.id), [queued.id], "no report made by the due run");
      assert.equal(reports[0].status, "failed");
      assert.match(reports[0].error!, /^A tenant above it is suspended: no report is made for it until that tenant is active again\. Nothing was generated\.$/);
      const [s] = await env.owner<{ paused_at: Date | null; next_run_at: Date }>("select paused_at, next_run_at from public.report_schedules where id = $1", [id]);
      assert.equal(s.paused_at, null, "a suspension above passes: the schedule is not paused");
      assert.ok(s.next_run_at.getTime() > Date.now(), "it moved on");
      assert.equal((await env.owner("select 1 from mail.outbox where tenant_id = $1", [site])).length, 0, "nobody mailed");
    } finally {
      await suspend("acme", "active");
      await env.owner("delete from public.report_schedules where id = $1", [id]);
    }
  });
});

const zeros = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
const figuresOf = (name: string): ReportFigures => ({
  tenant: { id: "00000000-0000-4000-8000-000000000001", slug: "long", name, kind: "customer", status: "active" },
  period: { from: new Date("2026-10-01T00:00:00Z"), to: new Date("2026-11-01T00:00:00Z") }, bucket: "day",
  days: { from: "2026-10-01", to: "2026-10-31", whole: true },
  detected: { ...zeros, total: 0 }, closed: 0, openAtEnd: 0, acknowledged: 0, closedWithCloseTime: 0, mttaMinutes: null, mttrMinutes: null, sla: [],
  trend: [], topAlerts: [], byStatus: [], topRules: [], topSources: [], topHosts: [],
  assets: { total: 0, seenInPeriod: 0, withAlerts: 0, byCriticality: [], byKind: [] },
  collectors: [], health: [], healthChanges: 0, backlog: [], oldestOpen: [], usage: null,
} as ReportFigures);

describe("PDF of a long name", () => {
  test("a 200-character tenant name with a 60-character product name renders both kinds; the title is shortened with …", async () => {
    const name = `${"Acme Holdings International Regional Security Operations ".repeat(4)}`.slice(0, 199) + "Z";
    assert.equal(name.length, 200);
    const brand = { productName: "P".repeat(60) };
    for (const kind of ["executive", "operational"] as const) {
      const pdf = Buffer.from(await reportPdf(kind, figuresOf(name), brand));
      assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
      const title = reportTitle(kind, figuresOf(name));
      assert.ok(title.length <= 200 && title.endsWith("…"), title);
      assert.ok(pdfTextRuns(pdf).join("").includes("Acme Holdings International"));
    }
    assert.equal(fitName("Short: ", "Name", 200), "Short: Name", "a name that fits is left whole");
    assert.equal(fitName("ab", "😀😀😀", 6), "ab😀…", "never half a surrogate pair");
  });

  test("the worker makes the PDF of a tenant named with 200 characters; a document that is not valid fails at once with the reason", async () => {
    const [{ name: before }] = await env.owner<{ name: string }>("select name from public.tenants where id = $1", [env.fx.tenants.globex]);
    await env.owner("update public.tenants set name = $2 where id = $1", [env.fx.tenants.globex, "G".repeat(200)]);
    try {
      const { id } = await env.as("msspAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.globex, kind: "operational", format: "pdf", ...OCT }));
      assert.equal(await generateQueuedReport(env.fx.tenants.globex, id), "ready");
    } finally {
      await env.owner("update public.tenants set name = $2 where id = $1", [env.fx.tenants.globex, before]);
    }
    // Not a retryable fault: the first attempt fails the report (it does not throw for graphile-worker to retry).
    const { id } = await env.as("msspAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.globex, kind: "executive", format: "pdf", ...OCT }));
    assert.equal(await generateQueuedReport(env.fx.tenants.globex, id, { brand: { primaryColor: "red" } }), "failed");
    const row = await reportRow(id);
    assert.equal(row.status, "failed");
    assert.match(row.error!, /^The PDF could not be laid out \(brand\.primaryColor: .*\); asking again fails the same way\./);
  });
});

describe("periods", () => {
  test("impossible dates and times are not read as another instant", () => {
    for (const bad of ["2026-02-30T00:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01T23:60:00Z", "2026-11-01T10:00:61Z", "2026-13-01T00:00:00Z", "2026-11-01T10:00:00+25:00", "2026-11-01T10Z"])
      assert.equal(parseInstant(bad), null, bad);
    assert.equal(parseInstant("2026-11-01T10:30:00.123+02:00")?.toISOString(), "2026-11-01T08:30:00.123Z");
    assert.equal(parseInstant("2026-11-01T10:30Z")?.toISOString(), "2026-11-01T10:30:00.000Z");
    assert.equal(parseInstant("2028-02-29T00:00:00Z")?.toISOString(), "2028-02-29T00:00:00.000Z");
  });

  test("a period ending after tomorrow is refused; up to tomorrow (a zone east of UTC) is not", () => {
    const now = new Date("2026-12-07T15:00:00Z");
    assert.match(periodProblem(new Date("2026-12-01T00:00:00Z"), new Date("2027-09-01T00:00:00Z"), now)!, /^The period ends after tomorrow/);
    assert.match(periodProblem(new Date("2026-12-01T00:00:00Z"), new Date("2026-12-09T00:00:01Z"), now)!, /^The period ends after tomorrow/);
    assert.equal(periodProblem(new Date("2026-12-01T00:00:00Z"), new Date("2026-12-09T00:00:00Z"), now), null, "to the end of tomorrow");
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    assert.equal(periodFields.safeParse({ from: day(-3), to: day(1) }).success, true);
    const far = periodFields.safeParse({ from: day(-3), to: day(300) });
    assert.equal(far.success, false);
    assert.match(far.error!.issues[0].message, /^The period ends after tomorrow: choose an end date no later than today/);
  });
});

describe("audit of downloads and the cross-tenant export", () => {
  test("a download writes reports:downloaded in the report's tenant's trail; a refused one writes nothing", async () => {
    const { id } = await env.as("acmeAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, kind: "executive", format: "csv", ...OCT }), "acme");
    assert.equal(await generateQueuedReport(env.fx.tenants.acme, id), "ready");
    const mark = await auditMark(env.db.url);
    const file = await env.as("acmeAnalyst", (tx) => reportDownload(tx, id, { withinTenant: env.fx.tenants.acme }), "acme");
    assert.ok(file && file !== "not-ready");
    assert.equal(await env.as("globexAdmin", (tx) => reportDownload(tx, id)), null, "another tenant's: none");
    const rows = await env.owner<{ tenant_id: string; actor_id: string; action: string; target_type: string; target_id: string; details: Record<string, unknown> }>(
      "select tenant_id, actor_id, action, target_type, target_id, details from public.audit_log where occurred_at > $1::timestamptz order by occurred_at, seq", [mark]);
    assert.deepEqual(rows.map((r) => [r.action, r.tenant_id, r.actor_id, r.target_type, r.target_id]), [[REPORT_DOWNLOADED_AUDIT, env.fx.tenants.acme, env.fx.users.acmeAnalyst, "report", id]]);
    assert.equal(rows[0].details.format, "csv");
  });

  test("the customers' export writes reports:customers-exported in the MSSP's trail, with the period and how many customers", async () => {
    const period = { from: new Date("2026-10-01T00:00:00Z"), to: new Date("2026-11-01T00:00:00Z") };
    const mark = await auditMark(env.db.url);
    const rows = await env.as("msspAnalyst", (tx) => exportCustomers(tx, period));
    assert.ok(rows && rows.length === 2, "acme and globex");
    assert.equal(await env.as("acmeAdmin", (tx) => exportCustomers(tx, period), "acme"), null, "not MSSP staff");
    const audit = await auditSince(env.db.url, mark);
    assert.deepEqual(audit.map((r) => [r.action, r.tenant_id, r.actor_id, r.details.customers, r.details.period_start]),
      [[CUSTOMERS_EXPORTED_AUDIT, env.fx.tenants["mssp-a"], env.fx.users.msspAnalyst, 2, "2026-10-01T00:00:00.000Z"]]);
  });
});

describe("the MSSP's own tenant", () => {
  test("no report and no schedule for it", async () => {
    const root = env.fx.tenants["mssp-a"];
    await assert.rejects(env.as("msspAdmin", (tx) => generateReport(tx, { tenantId: root, kind: "executive", format: "pdf", ...OCT })), refusal(/^Reports are made for customers and their sites/, "tenant_kind"));
    await assert.rejects(env.as("msspAdmin", (tx) => createSchedule(tx, { tenantId: root, kind: "executive", format: "pdf", cadence: "monthly", recipients: [] })), refusal(/^Reports are made for customers and their sites/, "tenant_kind"));
    assert.equal((await env.owner("select 1 from public.reports where tenant_id = $1 union all select 1 from public.report_schedules where tenant_id = $1", [root])).length, 0);
  });
});

describe("offboarding after a move (last: it moves acme-us)", () => {
  test("covered_tenant_ids: written by the worker, not by people; a former parent's report is withdrawn, a new parent's older one kept", async () => {
    const siteId = env.fx.tenants["acme-us"];
    await env.owner(`insert into public.alerts (tenant_id, title, severity, status, source, detected_at) values ($1, 'US-SECRET-HOST-TITLE', 'high', 'new', 'edr', '2026-10-10T00:00:00Z')`, [siteId]);
    // People cannot write the column (no INSERT grant on it, no UPDATE at all).
    for (const sql of [
      "insert into public.reports (tenant_id, kind, format, period_start, period_end, include_usage, created_by, covered_tenant_ids) values ($1, 'executive', 'csv', '2026-10-01', '2026-11-01', false, auth.uid(), '{}')",
      "update public.reports set covered_tenant_ids = '{}' where tenant_id = $1",
    ]) {
      await assert.rejects(env.as("acmeAdmin", (tx) => tx.client.query(sql, [env.fx.tenants.acme]), "acme"), (e: { code?: string }) => e.code === "42501", sql);
    }
    const { id: acmeReport } = await env.as("acmeAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.acme, kind: "executive", format: "csv", ...OCT }), "acme");
    const { id: globexReport } = await env.as("msspAdmin", (tx) => generateReport(tx, { tenantId: env.fx.tenants.globex, kind: "executive", format: "csv", ...OCT }));
    assert.equal(await generateQueuedReport(env.fx.tenants.acme, acmeReport), "ready");
    assert.equal(await generateQueuedReport(env.fx.tenants.globex, globexReport), "ready");
    const stored = await reportRow(acmeReport);
    assert.deepEqual([...stored.covered_tenant_ids!].sort(), [env.fx.tenants.acme, env.fx.tenants["acme-eu"], siteId].sort());
    assert.ok(stored.content!.toString("utf8").includes("US-SECRET-HOST-TITLE"));

    // acme's reports holding the site's figures (this one, and any made by the tests above).
    const holding = await env.owner("select id from public.reports where tenant_id = $1 and content is not null and $2 = any (covered_tenant_ids)", [env.fx.tenants.acme, siteId]);
    assert.ok(holding.some((r) => r.id === acmeReport));
    await withServiceRole("lifecycle.workflow", (db) => moveTenant(db, siteId, env.fx.tenants.globex));
    const removed = await withServiceRole("lifecycle.workflow", (db) => removeCopiesBatch(db.$client, { rootId: siteId, rootName: "acme-us", ids: [siteId] }, 100));
    assert.equal(removed.reports, holding.length);
    const acme = await reportRow(acmeReport);
    assert.equal(acme.status, "failed");
    assert.equal(acme.content, null);
    assert.match(acme.error!, /^Withdrawn when acme-us was offboarded/);
    assert.equal(await env.as("acmeAnalyst", (tx) => reportDownload(tx, acmeReport, { withinTenant: env.fx.tenants.acme }), "acme"), "not-ready");
    assert.equal((await reportRow(globexReport)).status, "ready", "globex's report was made before the site moved in: it never held the site's figures");
    assert.deepEqual(await withServiceRole("lifecycle.workflow", (db) => removeCopiesBatch(db.$client, { rootId: siteId, rootName: "acme-us", ids: [siteId] }, 100)), { deliveries: 0, mails: 0, reports: 0 });
  });
});
