// Reading invoices under the caller's RLS (admins of the customer or an
// ancestor): what the pages, the PDF and the CSV show. The caller asks the
// PDP for billing:view first.
import { z } from "zod";
import type { TenantTx } from "@/lib/db/with-tenant";
import type { UsageMetric } from "@/lib/usage/metrics";
import type { InvoiceLine } from "./compute";
import { invoiceNumber } from "./invoices";

export interface InvoiceSummary {
  id: string;
  tenantId: string;
  customer: { id: string; slug: string; name: string; status: string };
  msspId: string;
  kind: "invoice" | "credit_note";
  status: "draft" | "finalized";
  number: number | null;
  displayNumber: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  planName: string;
  subtotal: bigint;
  total: bigint;
  creditsInvoiceId: string | null;
  creditsNumber: string | null;
  reason: string | null;
  finalizedAt: Date | null;
}

export interface InvoiceDetail extends InvoiceSummary {
  lines: InvoiceLine[];
  /** Credit notes of this invoice. */
  credits: InvoiceSummary[];
}

const SUMMARY_SQL = `
  select i.id, i.tenant_id, t.slug, t.name, t.status::text as tenant_status, i.mssp_id, i.kind, i.status, i.number,
         to_char(i.period_start, 'YYYY-MM-DD') as period_start, to_char(i.period_end, 'YYYY-MM-DD') as period_end,
         i.currency, i.plan_name, i.subtotal::text, i.total::text, i.credits_invoice_id, o.number as credits_number, i.reason, i.finalized_at
    from public.billing_invoices i
    join public.tenants t on t.id = i.tenant_id
    left join public.billing_invoices o on o.tenant_id = i.tenant_id and o.id = i.credits_invoice_id`;

type Row = {
  id: string; tenant_id: string; slug: string; name: string; tenant_status: string; mssp_id: string; kind: "invoice" | "credit_note"; status: "draft" | "finalized";
  number: number | null; period_start: string; period_end: string; currency: string; plan_name: string; subtotal: string; total: string;
  credits_invoice_id: string | null; credits_number: number | null; reason: string | null; finalized_at: Date | null;
};

const summaryOf = (r: Row): InvoiceSummary => ({
  id: r.id,
  tenantId: r.tenant_id,
  customer: { id: r.tenant_id, slug: r.slug, name: r.name, status: r.tenant_status },
  msspId: r.mssp_id,
  kind: r.kind,
  status: r.status,
  number: r.number,
  displayNumber: invoiceNumber(r.kind, r.number),
  periodStart: r.period_start,
  periodEnd: r.period_end,
  currency: r.currency,
  planName: r.plan_name,
  subtotal: BigInt(r.subtotal),
  total: BigInt(r.total),
  creditsInvoiceId: r.credits_invoice_id,
  creditsNumber: r.credits_invoice_id ? invoiceNumber("invoice", r.credits_number) : null,
  reason: r.reason,
  finalizedAt: r.finalized_at,
});

/** Invoices the caller may read, newest period first; of one customer, or of one month. */
export async function listInvoices(tx: TenantTx, filter: { tenantId?: string; month?: string } = {}): Promise<InvoiceSummary[]> {
  const { rows } = await tx.client.query<Row>(
    `${SUMMARY_SQL}
      where ($1::uuid is null or i.tenant_id = $1) and ($2::date is null or i.period_start = $2::date)
      order by i.period_start desc, lower(t.name), i.kind, i.created_at`,
    [filter.tenantId ?? null, filter.month ? `${filter.month}-01` : null],
  );
  return rows.map(summaryOf);
}

/** One page of an MSSP's invoices of a month (RLS), by customer name; a name/slug LIKE pattern and a status narrow it. */
export async function pageInvoices(
  tx: TenantTx,
  f: { msspId: string; month: string; pattern: string | null; status: "draft" | "finalized" | null; limit: number; offset: number },
): Promise<{ rows: InvoiceSummary[]; total: number }> {
  const where = `where i.mssp_id = $1 and i.period_start = $2::date and ($3::text is null or t.name ilike $3 or t.slug ilike $3) and ($4::text is null or i.status = $4)`;
  const args = [f.msspId, `${f.month}-01`, f.pattern, f.status];
  const { rows: count } = await tx.client.query<{ n: number }>(`select count(*)::int as n from public.billing_invoices i join public.tenants t on t.id = i.tenant_id ${where}`, args);
  const { rows } = await tx.client.query<Row>(`${SUMMARY_SQL} ${where} order by lower(t.name), t.id, i.kind, i.created_at, i.id limit $5 offset $6`, [...args, f.limit, f.offset]);
  return { rows: rows.map(summaryOf), total: count[0].n };
}

export async function getInvoice(tx: TenantTx, invoiceId: string): Promise<InvoiceDetail | null> {
  // Not a uuid names no invoice (the column would refuse it: a 500 instead of a 404).
  if (!z.string().uuid().safeParse(invoiceId).success) return null;
  const { rows } = await tx.client.query<Row>(`${SUMMARY_SQL} where i.id = $1`, [invoiceId]);
  if (!rows[0]) return null;
  const inv = summaryOf(rows[0]);
  const [{ rows: lines }, { rows: credits }] = [
    await tx.client.query<{
      line_no: number; kind: InvoiceLine["kind"]; description: string; metric: UsageMetric | null; quantity: string; included: string; billable: string;
      tier_from: string | null; tier_to: string | null; unit_size: string; unit_price: string; amount: string; usage_from: string | null; usage_to: string | null;
    }>(
      `select line_no, kind, description, metric, quantity::text, included::text, billable::text, tier_from::text, tier_to::text, unit_size::text,
              unit_price::text, amount::text, to_char(usage_from, 'YYYY-MM-DD') as usage_from, to_char(usage_to, 'YYYY-MM-DD') as usage_to
         from public.billing_invoice_lines where tenant_id = $1 and invoice_id = $2 order by line_no`,
      [inv.tenantId, inv.id],
    ),
    await tx.client.query<Row>(`${SUMMARY_SQL} where i.tenant_id = $1 and i.credits_invoice_id = $2 order by i.created_at`, [inv.tenantId, inv.id]),
  ];
  return {
    ...inv,
    credits: credits.map(summaryOf),
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      kind: l.kind,
      description: l.description,
      metric: l.metric,
      quantity: BigInt(l.quantity),
      included: BigInt(l.included),
      billable: BigInt(l.billable),
      tierFrom: l.tier_from === null ? null : BigInt(l.tier_from),
      tierTo: l.tier_to === null ? null : BigInt(l.tier_to),
      unitSize: BigInt(l.unit_size),
      unitPrice: BigInt(l.unit_price),
      amount: BigInt(l.amount),
      usageFrom: l.usage_from,
      usageTo: l.usage_to,
    })),
  };
}
