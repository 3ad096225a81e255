// A report's figures as a file: a PDF through the shared renderer (lib/pdf)
// or a CSV (RFC 4180, formula-safe: lib/billing's csvRow, the one helper).
// The brand is optional ({productName, primaryColor, logo?}); without one the
// portal's default is used (white-labeling passes the tenant's brand).
import { ALERT_SEVERITIES, ALERT_SEVERITY_LABELS } from "@/lib/alerts/severity";
import { csvRow } from "@/lib/billing/csv";
import { renderPdf, type PdfBlock, type PdfBrand } from "@/lib/pdf";
import type { ReportFigures } from "./figures";
import { formatTime } from "@/lib/locale/time";
import { REPORT_KIND_LABELS, type ReportKind } from "./kinds";
import { periodLabel } from "./period";

export const DEFAULT_REPORT_BRAND: PdfBrand = { productName: "MSSP Portal", primaryColor: "#4f46e5" };

const int = (v: number) => v.toLocaleString("en-US");
const mins = (v: number | null) => (v === null ? "n/a" : v < 120 ? `${v.toFixed(1)} min` : `${(v / 60).toFixed(1)} h`);
const alerts = (v: number) => `${int(v)} alert${v === 1 ? "" : "s"}`;
const pct = (met: number, total: number) => (total === 0 ? "n/a" : `${((100 * met) / total).toFixed(1)}%`);
// An instant (a heartbeat, a health change, an alert's detection) in the tenant's zone, as its portal
// shows it; the period and the day counts stay UTC days (the rollups' days).
const instant = (d: Date, zone: string) => formatTime(d, zone, "full");

function executiveBlocks(f: ReportFigures): PdfBlock[] {
  return [
    { kind: "heading", text: "Period summary" },
    {
      kind: "keyValues",
      rows: [
        ["Customer", f.tenant.name],
        ["Period (UTC)", periodLabel(f.period)],
        ["Alerts detected", int(f.detected.total)],
        ["Critical / high", `${int(f.detected.critical)} / ${int(f.detected.high)}`],
        ["Alerts closed in the period", int(f.closed)],
        ["Open at the end of the period", int(f.openAtEnd)],
        // The population beside each mean: acknowledged / closed in the period, whenever detected.
        ["Mean time to acknowledge (MTTA)", `${mins(f.mttaMinutes)} over the ${alerts(f.acknowledged)} acknowledged in the period`],
        ["Mean time to resolve (MTTR)", `${mins(f.mttrMinutes)} over the ${alerts(f.closedWithCloseTime)} closed in the period with a close time`],
      ],
    },
    { kind: "bars", title: "Alerts detected by severity", rows: ALERT_SEVERITIES.map((s) => ({ label: s, value: f.detected[s] })) },
    { kind: "heading", text: `Alert trend by severity (per ${f.bucket})` },
    {
      kind: "table",
      columns: [{ label: f.bucket === "day" ? "Day" : "Week of", weight: 2 }, ...ALERT_SEVERITIES.map((s) => ({ label: ALERT_SEVERITY_LABELS[s], align: "right" as const })), { label: "Total", align: "right" }],
      rows: f.trend.map((t) => [t.bucket, ...ALERT_SEVERITIES.map((s) => int(t.counts[s])), int(ALERT_SEVERITIES.reduce((sum, s) => sum + t.counts[s], 0))]),
    },
    { kind: "heading", text: "SLA" },
    {
      kind: "text",
      muted: true,
      text: "Of the alerts acknowledged (closed, with a close time) in the period, the share within the target in force when they were; the targets shown are today's. Alerts still open are not counted.",
    },
    {
      kind: "table",
      columns: [{ label: "Severity" }, { label: "Acknowledged", align: "right", weight: 1.5 }, { label: "Ack in SLA", align: "right" }, { label: "Ack target", align: "right" }, { label: "Closed", align: "right" }, { label: "Resolved in SLA", align: "right", weight: 1.3 }, { label: "Resolve target", align: "right" }],
      rows: f.sla.map((s) => [s.severity, int(s.acknowledged), pct(s.ackMet, s.acknowledged), `${s.ackTarget} min`, int(s.closed), pct(s.resolveMet, s.closed), `${s.resolveTarget} min`]),
    },
    { kind: "heading", text: "Top alerts" },
    { kind: "table", columns: [{ label: "Alert", weight: 5 }, { label: "Highest severity" }, { label: "Count", align: "right" }], rows: f.topAlerts.map((a) => [a.title, a.severity, int(a.count)]) },
    ...(f.usage
      ? ([
          { kind: "heading", text: "Usage" },
          { kind: "table", columns: [{ label: "Metric", weight: 3 }, { label: "Value", align: "right" }, { label: "Unit" }], rows: f.usage.map((u) => [u.label, int(u.value), u.unit]) },
        ] as PdfBlock[])
      : []),
  ];
}

function operationalBlocks(f: ReportFigures, zone: string): PdfBlock[] {
  const top = (title: string, label: string, rows: { name: string; count: number }[]): PdfBlock[] => [
    { kind: "heading", text: title },
    { kind: "table", columns: [{ label, weight: 4 }, { label: "Alerts", align: "right" }], rows: rows.map((r) => [r.name, int(r.count)]) },
  ];
  return [
    { kind: "heading", text: "Alert breakdown" },
    {
      kind: "keyValues",
      rows: [
        ["Customer", f.tenant.name],
        ["Period (UTC)", periodLabel(f.period)],
        ["Alerts detected", int(f.detected.total)],
        ...f.byStatus.map((s) => [`Status: ${s.status}`, int(s.count)] as [string, string]),
      ],
    },
    { kind: "bars", title: "Alerts detected by severity", rows: ALERT_SEVERITIES.map((s) => ({ label: s, value: f.detected[s] })) },
    ...top("Top rules", "Rule", f.topRules),
    ...top("Top sources", "Source", f.topSources),
    ...top("Top hosts", "Host", f.topHosts),
    { kind: "heading", text: "Assets" },
    {
      kind: "keyValues",
      rows: [
        ["Assets", int(f.assets.total)],
        ["Seen in or since the period", int(f.assets.seenInPeriod)],
        ["With alerts in the period", int(f.assets.withAlerts)],
        ...f.assets.byCriticality.map((c) => [`Criticality: ${c.name}`, int(c.count)] as [string, string]),
        ...f.assets.byKind.map((c) => [`Kind: ${c.name}`, int(c.count)] as [string, string]),
      ],
    },
    { kind: "heading", text: "Collectors and health" },
    // The zone is said once per section rather than in the narrow columns' headers, where it wrapped.
    { kind: "text", muted: true, text: `Times are in ${zone}.` },
    {
      kind: "table",
      columns: [{ label: "Collector", weight: 2 }, { label: "Tenant", weight: 2 }, { label: "Version" }, { label: "Last heartbeat", weight: 2 }, { label: "Last error", weight: 3 }],
      rows: f.collectors.map((c) => [c.name, c.tenant, c.version ?? "", instant(c.lastHeartbeatAt, zone), c.lastError ?? ""]),
    },
    {
      kind: "table",
      columns: [{ label: "Tenant", weight: 3 }, { label: "Health" }, { label: "Since", weight: 2 }],
      rows: f.health.map((h) => [h.tenant, h.state, instant(h.since, zone)]),
    },
    { kind: "text", muted: true, text: `Health changes in the period: ${int(f.healthChanges)}.` },
    { kind: "heading", text: "Open backlog (now)" },
    { kind: "text", muted: true, text: `Times are in ${zone}.` },
    {
      kind: "table",
      columns: [{ label: "Severity" }, { label: "< 1 day", align: "right" }, { label: "1-7 days", align: "right" }, { label: "7-30 days", align: "right" }, { label: "> 30 days", align: "right" }],
      rows: f.backlog.map((b) => [b.severity, int(b.under1d), int(b.d1to7), int(b.d7to30), int(b.over30d)]),
    },
    {
      kind: "table",
      columns: [{ label: "Oldest open alerts", weight: 5 }, { label: "Severity" }, { label: "Status" }, { label: "Detected", weight: 2 }],
      rows: f.oldestOpen.map((a) => [a.title, a.severity, a.status, instant(a.detectedAt, zone)]),
    },
  ];
}

/** The PDF model's caps on the title and the footer (lib/pdf/model.ts). */
export const PDF_TITLE_MAX = 200;
export const PDF_FOOTER_MAX = 200;

/**
 * `before` + `name` in at most `max` characters (UTF-16 units, as the model counts them): the name
 * shortened with "…" where it does not fit (a tenant's name may be 200 characters; so may the title).
 */
export function fitName(before: string, name: string, max: number): string {
  if (before.length + name.length <= max) return before + name;
  const room = Math.max(0, max - before.length - 1);
  // Not between the two halves of a surrogate pair.
  let cut = "";
  for (const ch of name) {
    if (cut.length + ch.length > room) break;
    cut += ch;
  }
  return `${before}${cut.trimEnd()}…`.slice(0, max);
}

export function reportTitle(kind: ReportKind, f: ReportFigures): string {
  return fitName(`${REPORT_KIND_LABELS[kind]}: `, f.tenant.name, PDF_TITLE_MAX);
}

/** The PDF; `timeZone` is the tenant's locale.time_zone, for the times of day it lists. */
export function reportPdf(kind: ReportKind, f: ReportFigures, brand?: Partial<PdfBrand>, timeZone = "UTC"): Promise<Uint8Array> {
  const b: PdfBrand = {
    productName: brand?.productName ?? DEFAULT_REPORT_BRAND.productName,
    primaryColor: brand?.primaryColor ?? DEFAULT_REPORT_BRAND.primaryColor,
    ...(brand?.logo ? { logo: brand.logo } : {}),
  };
  return renderPdf({
    title: reportTitle(kind, f),
    subtitle: `${periodLabel(f.period)} (UTC)`,
    brand: b,
    blocks: [
      ...(kind === "executive" ? executiveBlocks(f) : operationalBlocks(f, timeZone)),
      // The definitions themselves (docs/reports.md): a customer reading the PDF has no access to the portal's docs.
      {
        kind: "text",
        muted: true,
        text: `Figures cover the customer and its sites, by UTC day${timeZone === "UTC" ? "" : `; times of day are in ${timeZone}`}${f.days.whole ? "" : `; closed, open at the end, MTTA, MTTR and SLA are counted by whole UTC days, ${f.days.from} to ${f.days.to}`}. Detected: first seen in the period. Closed: resolved or marked a false positive in the period (one closed without a close time, as imported alerts are, on its detection day). Open at the end: open at the end of the period's last day. MTTA: mean time from detection to acknowledgement, over the alerts acknowledged in the period, whenever detected. MTTR: mean time from detection to closing, over the alerts closed in the period with a close time. SLA: of those acknowledgements (closes), the share within the target in force when they happened; alerts still open are not counted. These are the portal dashboard's figures for the same days. Top alerts: by title, with the highest severity among them.${kind === "operational" ? " Assets seen in or since the period: in the portal before the period's end and last reporting at or after its start (only an asset's latest sighting is kept, so one still reporting today counts for every period it existed in)." : ""}`,
      },
    ],
    footer: fitName(`${b.productName} · ${REPORT_KIND_LABELS[kind]} · `, f.tenant.name, PDF_FOOTER_MAX),
  });
}

type Row = (string | number | null)[];

/** The report as CSV rows: section, item, detail, value (one figure a row). */
export function reportCsv(kind: ReportKind, f: ReportFigures): string {
  const rows: Row[] = [["section", "item", "detail", "value"]];
  const add = (section: string, item: string, detail: string | null, value: string | number | null) => rows.push([section, item, detail, value]);
  add("report", "kind", null, kind);
  add("report", "customer", f.tenant.slug, f.tenant.name);
  add("report", "period_start", null, f.period.from.toISOString());
  add("report", "period_end_exclusive", null, f.period.to.toISOString());
  add("summary", "detected", "total", f.detected.total);
  for (const s of ALERT_SEVERITIES) add("summary", "detected", s, f.detected[s]);
  // The UTC days closed, open at end, MTTA, MTTR and SLA count (the period's own when it is whole days).
  add("report", "days_utc", "first", f.days.from);
  add("report", "days_utc", "last", f.days.to);
  add("summary", "closed", "closed_in_period", f.closed);
  add("summary", "open_at_end", "open_at_period_end", f.openAtEnd);
  // Each mean with its population: acknowledged / closed (with a close time) in the period, whenever detected.
  add("summary", "acknowledged", "acknowledged_in_period", f.acknowledged);
  add("summary", "mtta_minutes", "over_acknowledged_in_period", f.mttaMinutes);
  add("summary", "closed_with_close_time", "closed_in_period", f.closedWithCloseTime);
  add("summary", "mttr_minutes", "over_closed_with_close_time", f.mttrMinutes);
  if (kind === "executive") {
    for (const t of f.trend) for (const s of ALERT_SEVERITIES) add(`trend_${f.bucket}`, t.bucket, s, t.counts[s]);
    for (const s of f.sla) {
      // Over acknowledgements / closes with a close time in the period; met = within the target in force then.
      add("sla", s.severity, "acknowledged_in_period", s.acknowledged);
      add("sla", s.severity, "ack_met", s.ackMet);
      add("sla", s.severity, "ack_breached", s.ackBreaches);
      add("sla", s.severity, "ack_target_minutes_today", s.ackTarget);
      add("sla", s.severity, "closed_with_close_time_in_period", s.closed);
      add("sla", s.severity, "resolve_met", s.resolveMet);
      add("sla", s.severity, "resolve_breached", s.resolveBreaches);
      add("sla", s.severity, "resolve_target_minutes_today", s.resolveTarget);
    }
    for (const a of f.topAlerts) add("top_alerts", a.title, a.severity, a.count);
    for (const u of f.usage ?? []) add("usage", u.metric, u.unit, u.value);
  } else {
    for (const s of f.byStatus) add("status", s.status, null, s.count);
    for (const r of f.topRules) add("top_rules", r.name, null, r.count);
    for (const r of f.topSources) add("top_sources", r.name, null, r.count);
    for (const r of f.topHosts) add("top_hosts", r.name, null, r.count);
    add("assets", "total", null, f.assets.total);
    add("assets", "seen_in_or_since_period", null, f.assets.seenInPeriod);
    add("assets", "with_alerts", null, f.assets.withAlerts);
    for (const c of f.assets.byCriticality) add("assets", "criticality", c.name, c.count);
    for (const c of f.assets.byKind) add("assets", "kind", c.name, c.count);
    for (const c of f.collectors) add("collectors", c.name, c.tenant, c.lastHeartbeatAt.toISOString());
    for (const h of f.health) add("health", h.tenant, h.state, h.since.toISOString());
    add("health", "changes_in_period", null, f.healthChanges);
    for (const b of f.backlog) {
      add("backlog", b.severity, "under_1d", b.under1d);
      add("backlog", b.severity, "1d_to_7d", b.d1to7);
      add("backlog", b.severity, "7d_to_30d", b.d7to30);
      add("backlog", b.severity, "over_30d", b.over30d);
    }
  }
  return `${rows.map((r) => csvRow(r)).join("\r\n")}\r\n`;
}
