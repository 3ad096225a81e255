// The console /billing page at a thousand customers: what its URL asks for
// (month, name/slug search, invoice status, the two tables' pages; a bad value
// is dropped with a note, lib/url/list-query.ts), the month's summary computed
// in SQL over every row the caller may read, and one page of each table.
//
// Why: the page drew every customer's plan row and every invoice of the month
// (~1,013 rows, 897 KB at the scale seed). The summary answers what an
// operator checks first (the month's totals, what is still draft, who is on
// which plan); the tables are for finding one customer, so they are searched
// and paged. Totals never come from the shown page.
import { z } from "zod";
import type { TenantTx } from "@/lib/db/with-tenant";
import { choiceSchema, containsPattern, listHref, pageSchema, parseListQuery, searchSchema } from "@/lib/url/list-query";
import { CUSTOMER_PLAN_COLUMNS, customerPlanOf, customerPlansSql, type CustomerPlanRaw, type CustomerPlanRow } from "./plans";
import { pageInvoices, type InvoiceSummary } from "./read";

export const BILLING_PAGE_SIZE = 50;

export const INVOICE_STATUS_FILTERS = ["all", "draft", "finalized"] as const;
export type InvoiceStatusFilter = (typeof INVOICE_STATUS_FILTERS)[number];
export const INVOICE_STATUS_LABELS: Record<InvoiceStatusFilter, string> = { all: "All", draft: "Drafts", finalized: "Finalized" };

export interface BillingQuery {
  /** YYYY-MM; null: the previous month (the one the monthly job drafts). */
  month: string | null;
  /** Customer name or slug, part of either: narrows both tables. */
  q: string | null;
  status: InvoiceStatusFilter;
  /** The invoices' page. */
  page: number;
  /** The customers' page. */
  cpage: number;
}
export const DEFAULT_BILLING_QUERY: BillingQuery = { month: null, q: null, status: "all", page: 1, cpage: 1 };

const monthSchema = z.string().trim().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "write a month as YYYY-MM");

export function parseBillingQuery(params: Record<string, string | string[] | undefined>) {
  return parseListQuery<BillingQuery>(
    params,
    { month: monthSchema, q: searchSchema, status: choiceSchema(INVOICE_STATUS_FILTERS, (s) => INVOICE_STATUS_LABELS[s]), page: pageSchema, cpage: pageSchema },
    { month: "month", q: "search", status: "status filter", page: "invoices' page", cpage: "customers' page" },
    DEFAULT_BILLING_QUERY,
  );
}

export function billingHref(query: Partial<BillingQuery>): string {
  return listHref({ ...DEFAULT_BILLING_QUERY, ...query }, DEFAULT_BILLING_QUERY);
}

export interface BillingSummary {
  /** Per currency and status, over every invoice and credit note of the month: how many, and their net total (credit notes are negative). */
  totals: { currency: string; status: "draft" | "finalized"; invoices: number; creditNotes: number; net: bigint }[];
  /** Invoices and credit notes of the month by status. */
  counts: Record<InvoiceStatusFilter, number>;
  /** Drafts of a month that has ended: ready to finalize. */
  draftsDue: number;
  /** Customers by the plan billing them today (planId null: no plan, not invoiced). */
  plans: { planId: string | null; name: string | null; currency: string | null; customers: number }[];
  customers: number;
}

/** The month's summary over every row the caller may read (RLS), of the MSSP's billing only. */
export async function billingSummary(tx: TenantTx, msspId: string, month: string, today: Date): Promise<BillingSummary> {
  const firstOfThisMonth = `${today.toISOString().slice(0, 7)}-01`;
  const { rows: totals } = await tx.client.query<{ currency: string; status: "draft" | "finalized"; invoices: number; credit_notes: number; net: string; due: number }>(
    `select i.currency, i.status, count(*) filter (where i.kind = 'invoice')::int as invoices, count(*) filter (where i.kind = 'credit_note')::int as credit_notes,
            sum(i.total)::text as net, count(*) filter (where i.status = 'draft' and i.period_end <= $3::date)::int as due
       from public.billing_invoices i join public.tenants t on t.id = i.tenant_id
      where i.mssp_id = $1 and i.period_start = $2::date
      group by i.currency, i.status order by i.currency, i.status`,
    [msspId, `${month}-01`, firstOfThisMonth],
  );
  const { rows: plans } = await tx.client.query<{ plan_id: string | null; name: string | null; currency: string | null; n: number }>(
    customerPlansSql(
      "a.plan_id, a.plan_name as name, a.currency, count(*)::int as n",
      "group by a.plan_id, a.plan_name, a.currency order by a.plan_name is null, lower(a.plan_name), a.currency",
    ),
    [msspId, today.toISOString().slice(0, 10)],
  );
  const counts: Record<InvoiceStatusFilter, number> = { all: 0, draft: 0, finalized: 0 };
  for (const r of totals) {
    counts[r.status] += r.invoices + r.credit_notes;
    counts.all += r.invoices + r.credit_notes;
  }
  return {
    totals: totals.map((r) => ({ currency: r.currency, status: r.status, invoices: r.invoices, creditNotes: r.credit_notes, net: BigInt(r.net) })),
    counts,
    draftsDue: totals.reduce((n, r) => n + r.due, 0),
    plans: plans.map((r) => ({ planId: r.plan_id, name: r.name, currency: r.currency, customers: r.n })),
    customers: plans.reduce((n, r) => n + r.n, 0),
  };
}

/** One page of the customers below the MSSP with the plan billing them today, by name; `pattern` narrows by name or slug. */
export async function pageCustomerPlans(tx: TenantTx, msspId: string, today: Date, pattern: string | null, page: number): Promise<{ rows: CustomerPlanRow[]; total: number }> {
  const args = [msspId, today.toISOString().slice(0, 10), pattern];
  const search = `and ($3::text is null or t.name ilike $3 or t.slug ilike $3)`;
  const { rows: count } = await tx.client.query<{ n: number }>(customerPlansSql("count(*)::int as n", search), args);
  const { rows } = await tx.client.query<CustomerPlanRaw>(
    customerPlansSql(CUSTOMER_PLAN_COLUMNS, `${search} order by lower(t.name), t.id limit $4 offset $5`),
    [...args, BILLING_PAGE_SIZE, (page - 1) * BILLING_PAGE_SIZE],
  );
  return { rows: rows.map(customerPlanOf(msspId)), total: count[0].n };
}

/** The month's invoices, one page, narrowed as the query says. */
export function pageMonthInvoices(tx: TenantTx, msspId: string, month: string, query: BillingQuery): Promise<{ rows: InvoiceSummary[]; total: number }> {
  return pageInvoices(tx, {
    msspId,
    month,
    pattern: containsPattern(query.q),
    status: query.status === "all" ? null : query.status,
    limit: BILLING_PAGE_SIZE,
    offset: (query.page - 1) * BILLING_PAGE_SIZE,
  });
}
