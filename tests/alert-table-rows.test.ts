// The alert table (components/alerts/alert-table.tsx) renders its rows through a
// client component from compact tuples, so the page's inline RSC payload carries
// the rows' values instead of the whole table's element tree (README
// "Performance"). The HTML must stay what the page showed before: the same
// cells, attributes the bulk bar and the e2e specs read, and SLA badges.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AlertTable } from "@/components/alerts/alert-table";
import { slaCellValue } from "@/components/alerts/sla-badges";
import type { AlertListRow } from "@/lib/alerts/page-data";
import { slaClocks, type SlaTargets } from "@/lib/alerts/sla";

const now = new Date("2026-12-01T12:00:00Z");
const targets: SlaTargets = {
  critical: { acknowledgeMinutes: 15, resolveMinutes: 240 },
  high: { acknowledgeMinutes: 60, resolveMinutes: 480 },
  medium: { acknowledgeMinutes: 240, resolveMinutes: 1440 },
  low: { acknowledgeMinutes: 1440, resolveMinutes: 4320 },
};

function row(over: Partial<AlertListRow>): AlertListRow {
  const base = {
    id: "00000000-0000-4000-8000-000000000001",
    tenantId: "10000000-0000-4000-8000-000000000001",
    tenantSlug: "acme",
    tenantName: "Acme Corp",
    title: "Suspicious <powershell> \"download\"",
    severity: "high" as const,
    status: "new" as const,
    source: "edr",
    hostname: "web-01",
    assignedTo: null,
    assigneeName: null,
    assignedGroupId: null,
    groupName: null,
    detectedAt: new Date("2026-12-01T11:30:00Z"),
    createdAt: new Date("2026-12-01T11:30:00Z"),
    acknowledgedAt: null,
    resolvedAt: null,
    selectable: true,
    ...over,
  };
  return { ...base, sla: over.sla !== undefined ? over.sla : slaClocks(base, targets, now) } as AlertListRow;
}

function render(rows: AlertListRow[], opts: { showTenant?: boolean; bulk?: boolean; timeZone?: string } = {}) {
  return renderToStaticMarkup(
    createElement(AlertTable, {
      page: { rows, total: rows.length, totalIsLowerBound: false, page: 1, pageCount: 1 },
      filters: { page: 1 },
      showTenant: opts.showTenant ?? false,
      bulk: opts.bulk ?? true,
      timeZone: opts.timeZone ?? "UTC",
    }),
  );
}

test("a row shows the same cells and attributes as before: link, severity, status, SLA, detected time, bulk checkbox", () => {
  const html = render([row({})], { showTenant: true });
  assert.match(html, /<tr data-tenant="acme" data-alert="00000000-0000-4000-8000-000000000001" data-severity="high">/);
  // The cells' padding, colour and the row's hover are said once, on the tbody.
  assert.match(html, /<tbody class="[^"]*\[&amp;&gt;tr&gt;td\]:px-3 \[&amp;&gt;tr&gt;td\]:py-2.5">/);
  assert.match(html, /<input type="checkbox" data-alert-key="10000000-0000-4000-8000-000000000001:00000000-0000-4000-8000-000000000001" aria-label="Select “Suspicious &lt;powershell&gt; &quot;download&quot;”"/);
  assert.match(html, /<a href="\/alerts\/00000000-0000-4000-8000-000000000001" class="[^"]+">Suspicious &lt;powershell&gt; &quot;download&quot;<\/a>/);
  assert.match(html, />high<\/span>/);
  assert.match(html, /data-testid="row-status">New<\/td>/);
  assert.match(html, /30 min left<\/span>/, "the nearer running clock: 60 min to acknowledge, 30 gone");
  assert.match(html, />01 Dec, 11:30<\/td>/);
  assert.match(html, />Acme Corp<\/td>/, "the tenant column when shown");
  assert.match(html, /data-select-all/);
  assert.match(html, /data-testid="alerts-total"/);
});

test("the detected time is in the page's time zone, named in the column header", () => {
  const utc = render([row({})]);
  assert.match(utc, />Detected<span class="[^"]*" data-testid="alerts-time-zone">UTC<\/span><\/th>/);
  assert.match(utc, />01 Dec, 11:30<\/td>/);
  // Paris is UTC+1 in December; Los Angeles UTC-8, the day before.
  const paris = render([row({})], { timeZone: "Europe/Paris" });
  assert.match(paris, />Detected<span class="[^"]*" data-testid="alerts-time-zone">Europe\/Paris<\/span><\/th>/);
  assert.match(paris, />01 Dec, 12:30<\/td>/);
  assert.doesNotMatch(paris, /11:30/);
  assert.match(render([row({ detectedAt: new Date("2026-12-01T05:00:00Z") })], { timeZone: "America/Los_Angeles" }), />30 Nov, 21:00<\/td>/);
});

test("no checkbox where the caller may not triage, no tenant column unless asked, dashes for empty cells", () => {
  const html = render([row({ selectable: false, hostname: null })], { showTenant: false });
  assert.doesNotMatch(html, /data-alert-key/);
  assert.doesNotMatch(html, /Acme Corp/);
  // The empty host cell shows a dash (and no tooltip of nothing).
  assert.match(html, /font-mono[^"]*lg:table-cell[^"]*">—<\/td>/);
  assert.doesNotMatch(render([row({})], { bulk: false }), /type="checkbox"/);
});

test("the SLA cell: breached (which clock), met, running, none for info", () => {
  const breached = row({ severity: "critical", detectedAt: new Date("2026-12-01T11:00:00Z") });
  assert.deepEqual(slaCellValue(breached.sla), { breached: "ack" });
  assert.match(render([breached]), /data-testid="sla-breached"[^>]*>SLA breached \(ack\)<\/span>/);
  const met = row({ severity: "low", status: "resolved", acknowledgedAt: new Date("2026-12-01T11:40:00Z"), resolvedAt: new Date("2026-12-01T11:50:00Z") });
  assert.equal(slaCellValue(met.sla), "met");
  assert.match(render([met]), />Met<\/span>/);
  assert.equal(slaCellValue(row({ severity: "info" }).sla), null);
  assert.match(render([row({ severity: "info" })]), /text-xs text-slate-500">—<\/span>/);
});

test("the SLA cell: a clock whose stop time was never recorded reads as a dash named for screen readers, not as met", () => {
  // Closed, acknowledged on time, but no resolved_at (a row from before triage): the resolve clock is unrecorded.
  const closedNoTime = row({ severity: "low", status: "resolved", acknowledgedAt: new Date("2026-12-01T11:40:00Z"), resolvedAt: null });
  assert.equal(closedNoTime.sla?.resolve.state, "unrecorded");
  assert.equal(slaCellValue(closedNoTime.sla), "unrecorded");
  const html = render([closedNoTime]);
  assert.doesNotMatch(html, />Met<\/span>/);
  assert.match(html, /data-testid="sla-unrecorded"[^>]*title="SLA time not recorded"><span aria-hidden="true">—<\/span><span class="sr-only">SLA time not recorded<\/span><\/span>/);
  // Acknowledged with no time recorded while the resolve clock still runs: the running clock is what needs attention.
  const ackUnrecorded = row({ severity: "low", status: "in_progress", acknowledgedAt: null });
  assert.equal(ackUnrecorded.sla?.acknowledge.state, "unrecorded");
  assert.deepEqual(slaCellValue(ackUnrecorded.sla), { left: "2 d 23 h" });
  // Breached still wins over unrecorded.
  const breachedToo = row({ severity: "critical", status: "in_progress", acknowledgedAt: null, detectedAt: new Date("2026-12-01T06:00:00Z") });
  assert.deepEqual(slaCellValue(breachedToo.sla), { breached: "resolve" });
});

test("the client component's props are the rows' values only: under 400 bytes a row in the payload", () => {
  const rows = Array.from({ length: 50 }, (_, i) => row({ id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` }));
  // What goes to the client: AlertRows's props, as found in the element tree AlertTable returns.
  const tree = AlertTable({ page: { rows, total: 50, totalIsLowerBound: false, page: 1, pageCount: 1 }, filters: { page: 1 }, showTenant: false, bulk: true, timeZone: "UTC" });
  const region = (tree.props as { children: Array<{ props: { children: { props: { rows: unknown[] } } } }> }).children[0];
  const props = region.props.children.props;
  assert.equal(props.rows.length, 50);
  const bytes = JSON.stringify(props).length;
  assert.ok(bytes < 50 * 400, `${bytes} bytes for 50 rows`);
});
