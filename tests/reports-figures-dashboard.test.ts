// A report's figures are the dashboard's (docs/reports.md, docs/console.md): for the same tenant and UTC
// days, computeFigures (the PDF and CSV), customerPeriodRows (the console's cross-tenant CSV) and
// loadDashboard give the same closed, open at the end, MTTA, MTTR and SLA counts, on data holding the
// cases where the two used to differ: an alert acknowledged in the period but detected before it, one
// detected in it and acknowledged after it, an imported closed alert without a close time, and an SLA
// target changed after a breach. The trend lists every day (week) of the period.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadDashboard, type DashboardData } from "@/lib/analytics/dashboard";
import { mttaMs, mttrMs } from "@/lib/analytics/rollups";
import { ALERT_SEVERITIES } from "@/lib/alerts/severity";
import { computeFigures, customerPeriodRows, reportCsv, reportPdf, type ReportFigures } from "@/lib/reports";
import { slaTargets } from "@/lib/settings/read";
import { pdfTextRuns } from "./helpers/pdf-text";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug } from "./helpers/fixtures";

const env = useFixtureEnv();
const OCTOBER = { from: new Date("2025-10-01T00:00:00Z"), to: new Date("2025-11-01T00:00:00Z") };

env.before(async () => {
  const g = env.fx.tenants.globex;
  // Globex's targets when the clocks stopped: critical 15 min to acknowledge, high 60.
  for (const [key, value] of [["sla.critical.ack_minutes", 15], ["sla.critical.resolve_minutes", 240], ["sla.high.ack_minutes", 60], ["sla.high.resolve_minutes", 1440]] as const)
    await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, $3)", [g, key, JSON.stringify(value)]);
  const ins = (tenant: string, title: string, sev: string, status: string, det: string, ack: string | null, res: string | null) =>
    env.owner(
      `insert into public.alerts (tenant_id, title, severity, status, source, detected_at, acknowledged_at, resolved_at, close_reason)
       values ($1, $2, $3, $4, 'edr', $5, $6, $7, $8)`,
      [tenant, title, sev, status, det, ack, res, status === "resolved" || status === "false_positive" ? "fixed" : null],
    );
  // Detected 30 September, acknowledged 1 October after 24 h: in October's MTTA, not in its detections.
  await ins(g, "sep-acked-oct", "high", "acknowledged", "2025-09-30T12:00:00Z", "2025-10-01T12:00:00Z", null);
  // Detected 31 October, acknowledged 2 November: not in October's MTTA; open at October's end.
  await ins(g, "oct-acked-nov", "high", "acknowledged", "2025-10-31T12:00:00Z", "2025-11-02T12:00:00Z", null);
  await ins(g, "oct-fast", "high", "acknowledged", "2025-10-10T12:00:00Z", "2025-10-10T12:01:00Z", null);
  // Imported closed, without a close time: closed on its detection day, never open.
  await ins(g, "imported-closed", "low", "resolved", "2025-10-05T00:00:00Z", null, null);
  await ins(g, "oct-unacked", "high", "new", "2025-10-12T00:00:00Z", null, null);
  // Acknowledged after 30 min against a 15 min target, closed after 3 h (within 240).
  await ins(g, "critical-late-ack", "critical", "resolved", "2025-10-15T00:00:00Z", "2025-10-15T00:30:00Z", "2025-10-15T03:00:00Z");
  // Detected in October, closed in November: open at October's end.
  await ins(g, "oct-closed-nov", "medium", "resolved", "2025-10-20T00:00:00Z", "2025-10-20T01:00:00Z", "2025-11-03T00:00:00Z");
  // The targets raised after the breach: the breach stands (the verdict kept when the clock stopped).
  await env.owner("update public.tenant_settings set value = '60' where tenant_id = $1 and key = 'sla.critical.ack_minutes'", [g]);
  // Acme and its sites: a site's alerts count in the customer's figures.
  await ins(env.fx.tenants["acme-eu"], "eu-acked", "high", "acknowledged", "2025-10-02T00:00:00Z", "2025-10-02T02:00:00Z", null);
  await ins(env.fx.tenants["acme-us"], "us-imported", "medium", "false_positive", "2025-10-03T00:00:00Z", null, null);
  await ins(env.fx.tenants.acme, "acme-closed", "critical", "resolved", "2025-09-01T00:00:00Z", "2025-09-01T00:10:00Z", "2025-10-09T00:00:00Z");
});

const report = (slug: TenantSlug, period = OCTOBER) =>
  env.as("msspAdmin", async (tx) => (await computeFigures(tx.client, env.fx.tenants[slug], period, { sla: await slaTargets(tx, env.fx.tenants[slug]), includeUsage: false }))!);
const dashboard = (slug: TenantSlug) =>
  env.as("msspAdmin", (tx) => loadDashboard(tx, { range: "custom", from: "2025-10-01", to: "2025-10-31", metric: "created", scope: slug }, null));
const minutes = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);

function assertSame(f: ReportFigures, d: DashboardData, what: string) {
  const t = d.totals;
  assert.equal(f.detected.total, t.created, `${what}: detected = the dashboard's new alerts`);
  assert.equal(f.closed, t.closed, `${what}: closed`);
  assert.equal(f.openAtEnd, ALERT_SEVERITIES.reduce((n, s) => n + d.series.at(-1)!.openAtEnd[s], 0), `${what}: open at the end`);
  assert.equal(f.acknowledged, t.acknowledged, `${what}: MTTA's population`);
  assert.equal(f.mttaMinutes, minutes(mttaMs(t)), `${what}: MTTA`);
  assert.equal(f.closedWithCloseTime, t.ttrCount, `${what}: MTTR's population`);
  assert.equal(f.mttrMinutes, minutes(mttrMs(t)), `${what}: MTTR`);
  assert.deepEqual(f.sla.map((s) => s.severity), d.sla.map((s) => s.severity), `${what}: SLA severities`);
  for (const row of d.sla) {
    const s = f.sla.find((x) => x.severity === row.severity)!;
    assert.deepEqual(
      [s.acknowledged, s.ackBreaches, s.closed, s.resolveBreaches],
      [row.counts.acknowledged, row.counts.ackBreaches, row.counts.ttrCount, row.counts.resolveBreaches],
      `${what}: SLA ${row.severity}`,
    );
  }
}

describe("a report's figures are the dashboard's", () => {
  test("Globex, October 2025: closed, open at the end, MTTA, MTTR and SLA equal the dashboard's", async () => {
    const f = await report("globex");
    assertSame(f, await dashboard("globex"), "globex");
    // The values themselves: acknowledged in October 24 h, 1 min, 30 min and 60 min after detection.
    assert.equal(f.acknowledged, 4);
    assert.equal(f.mttaMinutes, 382.8);
    assert.equal(f.closed, 2, "the imported closed alert (on its detection day) and the critical one");
    assert.equal(f.closedWithCloseTime, 1);
    assert.equal(f.mttrMinutes, 180);
    assert.equal(f.openAtEnd, 5, "sep-acked-oct, oct-fast, oct-unacked, oct-closed-nov, oct-acked-nov; not the imported closed one");
    const crit = f.sla.find((s) => s.severity === "critical")!;
    assert.deepEqual([crit.acknowledged, crit.ackBreaches, crit.ackMet, crit.ackTarget], [1, 1, 0, 60], "breached against 15 min, though today's target is 60");
    assert.deepEqual([crit.closed, crit.resolveBreaches, crit.resolveMet], [1, 0, 1]);
    const high = f.sla.find((s) => s.severity === "high")!;
    assert.deepEqual([high.acknowledged, high.ackBreaches], [2, 1], "the two acknowledged in October; the one detected then but acknowledged in November is not counted");
  });

  test("Acme and its sites: the same, the sites counted", async () => {
    const f = await report("acme");
    assertSame(f, await dashboard("acme"), "acme");
    assert.equal(f.closed, 2, "a site's imported false positive and acme's September alert closed in October");
    assert.equal(f.acknowledged, 1);
  });

  test("the console's cross-tenant CSV has the report's figures", async () => {
    const rows = await env.as("msspAdmin", (tx) => customerPeriodRows(tx, OCTOBER));
    for (const slug of ["globex", "acme"] as const) {
      const f = await report(slug);
      const r = rows.find((x) => x.slug === slug)!;
      assert.deepEqual(
        [r.detected, r.closed, r.openAtEnd, r.mttaMinutes, r.mttrMinutes, r.acknowledged, r.closedWithCloseTime],
        [f.detected.total, f.closed, f.openAtEnd, f.mttaMinutes, f.mttrMinutes, f.acknowledged, f.closedWithCloseTime],
        slug,
      );
    }
  });

  test("the PDF and the CSV say over which alerts each mean and SLA share is taken", async () => {
    const f = await report("globex");
    const csv = reportCsv("executive", f);
    assert.match(csv, /^"summary","acknowledged","acknowledged_in_period","4"\r$/m);
    assert.match(csv, /^"summary","mtta_minutes","over_acknowledged_in_period","382\.8"\r$/m);
    assert.match(csv, /^"summary","mttr_minutes","over_closed_with_close_time","180"\r$/m);
    assert.match(csv, /^"sla","critical","ack_breached","1"\r$/m);
    const text = pdfTextRuns(Buffer.from(await reportPdf("executive", f))).join(" ").replace(/\s+/g, " ");
    assert.match(text, /over the 4 alerts acknowledged in the period/);
    assert.match(text, /over the 1 alert closed in the period with a close time/);
  });
});

describe("the trend", () => {
  test("one row per day of the period, empty days too", async () => {
    const f = await report("globex");
    assert.equal(f.bucket, "day");
    assert.equal(f.trend.length, 31);
    assert.deepEqual([f.trend[0].bucket, f.trend[30].bucket], ["2025-10-01", "2025-10-31"]);
    assert.equal(f.trend.reduce((n, t) => n + ALERT_SEVERITIES.reduce((m, s) => m + t.counts[s], 0), 0), f.detected.total);
    assert.equal(f.trend.find((t) => t.bucket === "2025-10-12")!.counts.high, 1);
  });

  test("one row per week, the first labelled with the period's start, not the Monday before it", async () => {
    // Wednesday 6 August to Tuesday 4 November 2025 (90 days): weeks of 4 Aug (labelled 6 Aug) to 3 Nov.
    const f = await report("globex", { from: new Date("2025-08-06T00:00:00Z"), to: new Date("2025-11-04T00:00:00Z") });
    assert.equal(f.bucket, "week");
    const labels = f.trend.map((t) => t.bucket);
    assert.equal(labels[0], "2025-08-06");
    assert.equal(labels[1], "2025-08-11");
    assert.equal(labels.at(-1), "2025-11-03");
    assert.equal(labels.length, 14);
    assert.equal(f.trend.reduce((n, t) => n + ALERT_SEVERITIES.reduce((m, s) => m + t.counts[s], 0), 0), f.detected.total);
  });
});
