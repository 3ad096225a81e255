// The list of stored reports: status with a progress bar while generating,
// the download link once ready, the reason when it failed.
import { TableScroll } from "@/components/ui/table-scroll";
import { REPORT_FORMAT_LABELS, REPORT_KIND_LABELS, REPORT_STATUS_LABELS, type ReportFormat, type ReportKind, type ReportStatus } from "@/lib/reports/kinds";

export interface ReportTableRow {
  id: string;
  tenantName: string;
  kind: ReportKind;
  format: ReportFormat;
  period: string;
  status: ReportStatus;
  progress: number;
  sizeBytes: number | null;
  error: string | null;
  scheduled: boolean;
  createdAt: string;
}

const STATUS_TONE: Record<ReportStatus, string> = {
  queued: "bg-slate-100 text-slate-800",
  running: "bg-indigo-50 text-indigo-800",
  ready: "bg-emerald-50 text-emerald-800",
  failed: "bg-red-50 text-red-800",
};

const size = (n: number | null) => (n === null ? "" : n < 1024 ? `${n} B` : n < 1_048_576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1_048_576).toFixed(1)} MB`);

/** `timeZone`: the zone the rows' createdAt is in, named under the Requested header. */
export function ReportTable(props: { rows: ReportTableRow[]; showTenant: boolean; hrefFor: (id: string) => string; timeZone: string }) {
  return (
    <TableScroll label="Reports table">
      <table className="w-full min-w-[36rem] text-left text-sm" data-testid="reports-table">
        <thead className="text-xs uppercase text-slate-600">
          <tr>
            {props.showTenant && <th className="py-2 pr-3">Customer</th>}
            <th className="py-2 pr-3">Report</th>
            <th className="py-2 pr-3">Period (UTC)</th>
            <th className="py-2 pr-3">Status</th>
            <th className="py-2 pr-3">
              Requested
              <span className="block font-normal normal-case tracking-normal">{props.timeZone}</span>
            </th>
            <th className="py-2">File</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {props.rows.map((r) => (
            <tr key={r.id} data-testid="report-row" data-status={r.status}>
              {props.showTenant && <td className="py-2 pr-3 font-medium text-slate-900">{r.tenantName}</td>}
              <td className="py-2 pr-3 text-slate-800">
                {REPORT_KIND_LABELS[r.kind]} · {REPORT_FORMAT_LABELS[r.format]}
                {r.scheduled && <span className="ml-1 text-xs text-slate-600">(scheduled)</span>}
              </td>
              <td className="whitespace-nowrap py-2 pr-3 text-slate-800">{r.period}</td>
              <td className="py-2 pr-3">
                <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_TONE[r.status]}`}>{REPORT_STATUS_LABELS[r.status]}</span>
                {(r.status === "queued" || r.status === "running") && (
                  <div
                    className="mt-1 h-1.5 w-24 overflow-hidden rounded bg-slate-200"
                    role="progressbar"
                    aria-label="Report progress"
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={r.progress}
                  >
                    <div className="h-full bg-indigo-600" style={{ width: `${Math.max(5, r.progress)}%` }} />
                  </div>
                )}
                {r.status === "failed" && r.error && <p className="mt-1 max-w-xs text-xs text-red-800">{r.error}</p>}
              </td>
              <td className="whitespace-nowrap py-2 pr-3 text-slate-700">{r.createdAt}</td>
              <td className="whitespace-nowrap py-2">
                {r.status === "ready" ? (
                  <a className="font-medium text-indigo-700 underline" href={props.hrefFor(r.id)} data-testid="report-download">
                    Download {REPORT_FORMAT_LABELS[r.format]} <span className="text-xs text-slate-600">{size(r.sizeBytes)}</span>
                  </a>
                ) : (
                  <span className="text-xs text-slate-600">{r.status === "failed" ? "Ask for it again" : "Not ready yet"}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
