"use client";
// The overview's tenant tree rows, rendered from compact tuples
// (components/tenants/tenant-tree-table.tsx builds them on the server). A client
// component for the same reason as the alert table's rows (components/alerts/alert-rows.tsx):
// a server-rendered table goes out twice, as HTML and again as its whole element
// tree in the inline RSC payload. 25 customers with their sites (a tree shaped
// like the scale seed's) were ~79 KB of payload through React's RSC serializer
// (2.3 KB a row, mostly class names); a tuple is ~100 bytes, and the HTML is
// the same. No state, no effects.
import { ALERT_SEVERITIES, type AlertSeverityName } from "@/lib/alerts/severity";
import { TENANT_STATUS_LABELS, type TenantStatus } from "@/lib/lifecycle/states";
import { handoffHref } from "@/lib/auth/handoff-link";

// Severity as text on white: the -700 shades (4.5:1 or more; the chart colours are too light for text).
const SEVERITY_TEXT: Record<AlertSeverityName, string> = {
  critical: "text-red-700",
  high: "text-orange-700",
  medium: "text-yellow-800",
  low: "text-sky-700",
  info: "text-slate-600",
};

const KIND_STYLES: Record<string, string> = {
  mssp: "bg-indigo-100 text-indigo-700",
  customer: "bg-emerald-100 text-emerald-700",
  site: "bg-slate-100 text-slate-600",
};

/** One row: what it shows, in tree order, as a tuple (no key names repeated in the payload). */
export type TenantTreeRow = [
  slug: string,
  name: string,
  kind: "mssp" | "customer" | "site",
  status: TenantStatus,
  /** Depth below the table's shallowest root. */
  indent: number,
  alertsHidden: 0 | 1,
  /** Open alerts of the tenant and everything below it, one a severity in ALERT_SEVERITIES order. */
  counts: number[],
];

export function TenantTreeRows({ rows }: { rows: TenantTreeRow[] }) {
  return rows.map(([slug, name, kind, status, indent, hidden, counts]) => (
    <tr key={slug} className="hover:bg-slate-50" data-testid={`tenant-row-${slug}`}>
      <td className="px-4 py-2.5">
        <div className="flex items-center gap-2" style={{ paddingLeft: indent * 20 }}>
          {indent > 0 && <span aria-hidden className="text-slate-300">└</span>}
          <a href={`/alerts?tenant=${slug}`} className="font-medium text-slate-800 hover:text-brand hover:underline">
            {name}
          </a>
          <span className={`rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase ${KIND_STYLES[kind]}`}>{kind}</span>
          {hidden === 1 && (
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-slate-500" title="This tenant's policy does not let you read its alerts; they are not counted.">
              alerts hidden
            </span>
          )}
          {status !== "active" && <span className="rounded bg-red-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-red-700">{TENANT_STATUS_LABELS[status]}</span>}
          {kind !== "mssp" && (
            // Into the customer's (or site's) own portal, signed in: a one-time handoff (lib/auth/handoff.ts).
            <a href={handoffHref(slug)} className="ml-auto whitespace-nowrap text-xs font-medium text-brand hover:underline" data-testid={`open-portal-${slug}`} aria-label={`Open ${name}'s portal`}>
              Open portal ↗
            </a>
          )}
        </div>
      </td>
      {ALERT_SEVERITIES.map((s, i) => (
        <td key={s} className="px-3 py-2.5 text-right tabular-nums">
          {counts[i] > 0 ? <span className={`font-semibold ${SEVERITY_TEXT[s]}`}>{counts[i]}</span> : <span className="text-slate-500">0</span>}
        </td>
      ))}
      <td className="px-4 py-2.5 text-right font-semibold tabular-nums text-slate-900">{counts.reduce((a, b) => a + b, 0)}</td>
    </tr>
  ));
}
