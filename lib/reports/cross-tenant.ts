// The MSSP staff's cross-tenant CSV (console /reports): every customer the
// caller may export reports of (RLS, then the PDP per customer), one row each
// with the period's figures of the customer and its sites, in one grouped
// query, and closed, open at the end, MTTA and MTTR from the alert rollups
// through figures.ts periodAlertFigures. Same definitions as a customer's
// report (lib/reports/figures.ts), which are the dashboard's.
// exportCustomers (the route's one call) writes the audit row
// reports:customers-exported in the trail of each MSSP the caller works for.
import { recordAudit } from "@/lib/audit/record";
import { csvRow } from "@/lib/billing/csv";
import type { TenantTx } from "@/lib/db/with-tenant";
import { exportableTenants } from "./allowed";
import { periodAlertFigures } from "./figures";
import type { Period } from "./period";

export interface CustomerPeriodRow {
  id: string;
  /** The customer's tree path (ltree text): which MSSP it is under. Not in the CSV. */
  path: string;
  slug: string;
  name: string;
  status: string;
  detected: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  closed: number;
  openAtEnd: number;
  mttaMinutes: number | null;
  mttrMinutes: number | null;
  assets: number;
  /** MTTA's population: alerts acknowledged in the period. */
  acknowledged: number;
  /** MTTR's population: alerts closed in the period with a close time. */
  closedWithCloseTime: number;
}

export const CROSS_TENANT_HEADER = [
  "customer_slug", "customer", "status", "period_start", "period_end_exclusive", "alerts_detected", "critical", "high", "medium", "low", "info",
  "alerts_closed", "open_at_end", "mtta_minutes", "mttr_minutes", "assets",
  // The means' populations: acknowledged / closed with a close time in the period (whenever detected).
  "alerts_acknowledged", "alerts_closed_with_close_time",
];

export async function customerPeriodRows(tx: TenantTx, period: Period): Promise<CustomerPeriodRow[]> {
  const customers = await exportableTenants(tx, { kinds: ["customer"] });
  if (customers.length === 0) return [];
  const { rows } = await tx.client.query<Record<string, string | null>>(
    `with c as (select id, slug, name, status, path from public.tenants where id = any ($1::uuid[])),
     a as (
       select c.id,
              count(*) filter (where a.detected_at >= $2 and a.detected_at < $3) as detected,
              count(*) filter (where a.detected_at >= $2 and a.detected_at < $3 and a.severity = 'critical') as critical,
              count(*) filter (where a.detected_at >= $2 and a.detected_at < $3 and a.severity = 'high') as high,
              count(*) filter (where a.detected_at >= $2 and a.detected_at < $3 and a.severity = 'medium') as medium,
              count(*) filter (where a.detected_at >= $2 and a.detected_at < $3 and a.severity = 'low') as low,
              count(*) filter (where a.detected_at >= $2 and a.detected_at < $3 and a.severity = 'info') as info
         from c join public.tenants t on t.path operator(extensions.<@) c.path join public.alerts a on a.tenant_id = t.id
        where a.detected_at >= $2 and a.detected_at < $3
        group by c.id),
     s as (select c.id, count(*) as assets from c join public.tenants t on t.path operator(extensions.<@) c.path
             join public.assets s on s.tenant_id = t.id group by c.id)
     select c.id, c.path::text as path, c.slug, c.name, c.status, a.detected, a.critical, a.high, a.medium, a.low, a.info, s.assets
       from c left join a on a.id = c.id left join s on s.id = c.id order by c.name, c.id`,
    [customers.map((c) => c.id), period.from, period.to],
  );
  const n = (v: string | null | undefined) => Number(v ?? 0);
  const rolled = await periodAlertFigures(tx.client, rows.map((r) => r.id!), period);
  return rows.map((r) => {
    const f = rolled.get(r.id!)!;
    return {
      id: r.id!, path: r.path!, slug: r.slug!, name: r.name!, status: r.status!, detected: n(r.detected), critical: n(r.critical), high: n(r.high), medium: n(r.medium),
      low: n(r.low), info: n(r.info), closed: f.closed, openAtEnd: f.openAtEnd, mttaMinutes: f.mttaMinutes, mttrMinutes: f.mttrMinutes, assets: n(r.assets),
      acknowledged: f.acknowledged, closedWithCloseTime: f.closedWithCloseTime,
    };
  });
}

export function customerPeriodCsv(rows: CustomerPeriodRow[], period: Period): string {
  const lines = [csvRow(CROSS_TENANT_HEADER)];
  for (const r of rows) {
    lines.push(csvRow([r.slug, r.name, r.status, period.from.toISOString(), period.to.toISOString(), r.detected, r.critical, r.high, r.medium, r.low, r.info,
      r.closed, r.openAtEnd, r.mttaMinutes, r.mttrMinutes, r.assets, r.acknowledged, r.closedWithCloseTime]));
  }
  return `${lines.join("\r\n")}\r\n`;
}

export const CUSTOMERS_EXPORTED_AUDIT = "reports:customers-exported";

const under = (path: string, root: string) => path === root || path.startsWith(`${root}.`);

/**
 * The console's export: the rows of customerPeriodRows, and for each MSSP the caller is staff of an
 * audit row reports:customers-exported (the period, how many of its customers the file holds) in the
 * caller's transaction. Null, with nothing read or written, for a caller who is not MSSP staff.
 */
export async function exportCustomers(tx: TenantTx, period: Period): Promise<CustomerPeriodRow[] | null> {
  // MSSP staff: a membership on an MSSP (lib/tenancy/page-context.ts isOperator, which loads Next's modules).
  const mssps = tx.claims.tenants.filter((t) => t.kind === "mssp");
  if (mssps.length === 0) return null;
  const rows = await customerPeriodRows(tx, period);
  for (const m of mssps) {
    await recordAudit(tx, {
      tenantId: m.tenant_id,
      action: CUSTOMERS_EXPORTED_AUDIT,
      outcome: "success",
      details: { period_start: period.from, period_end: period.to, customers: rows.filter((r) => under(r.path, m.path)).length },
    });
  }
  return rows;
}
