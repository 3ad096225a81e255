// A stored report as a download, for the route handlers of both hosts: read
// under the caller's RLS (another tenant's report does not exist for them),
// then the PDP's reports:export on the report's tenant (and usage:read for a
// report holding usage figures). Null either way: the
// route answers 404 and says nothing about whether someone else's exists.
// A file served writes the audit row reports:downloaded (the report, in its
// tenant's trail) in the caller's transaction.
import { recordAudit } from "@/lib/audit/record";
import { permissions } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { getReport, reportContent } from "./store";

export interface ReportFile {
  body: Uint8Array;
  type: string;
  filename: string;
}

export const REPORT_DOWNLOADED_AUDIT = "reports:downloaded";

export const REPORT_CONTENT_TYPES = { pdf: "application/pdf", csv: "text/csv; charset=utf-8" } as const;

export async function reportDownload(tx: TenantTx, id: string, opts: { withinTenant?: string } = {}): Promise<ReportFile | "not-ready" | null> {
  const report = await getReport(tx, id);
  if (!report) return null;
  if (opts.withinTenant) {
    // On a tenant host: only reports of that tenant or its sites.
    const { rows } = await tx.client.query<{ inside: boolean }>(
      `select t.path operator(extensions.<@) h.path as inside from public.tenants t, public.tenants h where t.id = $1 and h.id = $2`,
      [report.tenantId, opts.withinTenant],
    );
    if (!rows[0]?.inside) return null;
  }
  // A report holding the tenant's usage figures is also a read of them: usage:read (admins), or nothing.
  const can = await permissions(tx, report.includesUsage ? ["reports:export", "usage:read"] : ["reports:export"], report.tenantId);
  if (!can["reports:export"] || (report.includesUsage && !can["usage:read"])) return null;
  if (report.status !== "ready") return "not-ready";
  const content = await reportContent(tx, report.tenantId, report.id);
  if (!content) return "not-ready";
  const day = report.periodStart.toISOString().slice(0, 10);
  // Who took a copy of which report, in its tenant's trail (in this transaction: the row commits with the answer).
  await recordAudit(tx, {
    tenantId: report.tenantId,
    action: REPORT_DOWNLOADED_AUDIT,
    targetType: "report",
    targetId: report.id,
    outcome: "success",
    details: { kind: report.kind, format: report.format, period_start: report.periodStart, period_end: report.periodEnd, scheduled: report.scheduled },
  });
  return {
    body: new Uint8Array(content),
    type: REPORT_CONTENT_TYPES[report.format],
    filename: `${report.kind}-report-${report.tenant.slug}-${day}.${report.format}`,
  };
}
