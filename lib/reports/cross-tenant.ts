// The MSSP staff's cross-tenant CSV (console /reports): every customer the
// caller may export reports of (RLS, then the PDP per customer), one row each
// with the period's figures of the customer and its sites, in one grouped
// query. Same definitions as a customer's report (lib/reports/figures.ts).
import { csvRow } from "@/lib/billing/csv";
import type { TenantTx } from "@/lib/db/with-tenant";
import { exportableTenants } from "./allowed";
import type { Period } from "./period";

export interface CustomerPeriodRow {
  id: string;
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
}

export const CROSS_TENANT_HEADER = [
  "customer_slug", "customer", "status", "period_start", "period_end_exclusive", "alerts_detected", "critical", "high", "medium", "low", "info",
  "alerts_closed", "open_at_end", "mtta_minutes", "mttr_minutes", "assets",
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
              count(*) filter (where a.detected_at >= $2 and a.detected_at < $3 and a.severity = 'info') as info,
              count(*) filter (where a.resolved_at >= $2 and a.resolved_at < $3) as closed,
              count(*) filter (where a.detected_at < $3 and (a.resolved_at is null or a.resolved_at >= $3)) as open_at_end,
              avg(extract(epoch from a.acknowledged_at - a.detected_at) / 60)
                filter (where a.detected_at >= $2 and a.detected_at < $3 and a.acknowledged_at >= a.detected_at) as mtta,
              avg(extract(epoch from a.resolved_at - a.detected_at) / 60)
                filter (where a.detected_at >= $2 and a.detected_at < $3 and a.resolved_at >= a.detected_at) as mttr
         from c join public.tenants t on t.path operator(extensions.<@) c.path join public.alerts a on a.tenant_id = t.id
        where a.detected_at < $3
        group by c.id),
     s as (select c.id, count(*) as assets from c join public.tenants t on t.path operator(extensions.<@) c.path
             join public.assets s on s.tenant_id = t.id group by c.id)
     select c.id, c.slug, c.name, c.status, a.detected, a.critical, a.high, a.medium, a.low, a.info, a.closed, a.open_at_end, a.mtta, a.mttr, s.assets
       from c left join a on a.id = c.id left join s on s.id = c.id order by c.name, c.id`,
    [customers.map((c) => c.id), period.from, period.to],
  );
  const n = (v: string | null | undefined) => Number(v ?? 0);
  const m = (v: string | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  return rows.map((r) => ({
    id: r.id!, slug: r.slug!, name: r.name!, status: r.status!, detected: n(r.detected), critical: n(r.critical), high: n(r.high), medium: n(r.medium),
    low: n(r.low), info: n(r.info), closed: n(r.closed), openAtEnd: n(r.open_at_end), mttaMinutes: m(r.mtta), mttrMinutes: m(r.mttr), assets: n(r.assets),
  }));
}

export function customerPeriodCsv(rows: CustomerPeriodRow[], period: Period): string {
  const lines = [csvRow(CROSS_TENANT_HEADER)];
  for (const r of rows) {
    lines.push(csvRow([r.slug, r.name, r.status, period.from.toISOString(), period.to.toISOString(), r.detected, r.critical, r.high, r.medium, r.low, r.info,
      r.closed, r.openAtEnd, r.mttaMinutes, r.mttrMinutes, r.assets]));
  }
  return `${lines.join("\r\n")}\r\n`;
}
