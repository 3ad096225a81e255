// What the billing pages show, each read asked of the PDP before RLS hands
// out any row: billing:view to read, billing:manage decides which controls
// the page offers (the actions ask again).
//   loadBillingConsole  console /billing: plans, the month's summary, a page of customers
//                       and their plan, a page of the month's invoices (lib/billing/console-page.ts)
//   loadRevenue         console /billing/revenue: MRR, 6-month trend, top customers, unbilled usage
//   loadTenantInvoices  tenant host /billing: the customer's own invoices
import { checkActionsForEach, permissions, principalFromClaims, type TenantResource } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { METRIC_DEFINITIONS, USAGE_METRICS, type UsageMetric } from "@/lib/usage/metrics";
import { subtreeTotals } from "@/lib/usage/read";
import { DAY_MS, utcDay } from "@/lib/usage/rollup";
import { computeInvoice, previousMonth, type PlanPricing } from "./compute";
import { BILLING_PAGE_SIZE, billingSummary, pageCustomerPlans, pageMonthInvoices, type BillingQuery, type BillingSummary } from "./console-page";
import { containsPattern } from "@/lib/url/list-query";
import { listPlans, pricesOf, type CustomerPlanRow, type Plan } from "./plans";
import { listInvoices, type InvoiceSummary } from "./read";

export const msspOf = (tx: TenantTx): string | null => tx.claims.tenants.find((m) => m.kind === "mssp")?.tenant_id ?? null;

export interface BillingConsoleData {
  mssp: { id: string; name: string };
  canManage: boolean;
  month: string;
  plans: Plan[];
  summary: BillingSummary;
  /** One page of the customers (narrowed by the search) and how many match. */
  customers: { rows: CustomerPlanRow[]; total: number };
  /** The pages shown (each the last one when the one asked for is past the end). */
  pages: { page: number; cpage: number };
  /** One page of the month's invoices (narrowed by the search and status) and how many match. */
  invoices: { rows: InvoiceSummary[]; total: number };
}

/** Null when the caller may not read billing of its MSSP. */
export async function loadBillingConsole(tx: TenantTx, query: BillingQuery, now = new Date()): Promise<BillingConsoleData | null> {
  const msspId = msspOf(tx);
  if (!msspId) return null;
  const can = await permissions(tx, ["billing:view", "billing:manage"], msspId);
  if (!can["billing:view"]) return null;
  const { rows } = await tx.client.query<{ name: string }>("select name from public.tenants where id = $1", [msspId]);
  const m = query.month ?? previousMonth(now);
  const plans = await listPlans(tx, msspId);
  const summary = await billingSummary(tx, msspId, m, now);
  // A page past the last one shows the last one (the page says so), as the other lists do.
  const lastPage = (total: number) => Math.max(1, Math.ceil(total / BILLING_PAGE_SIZE));
  let customers = await pageCustomerPlans(tx, msspId, now, containsPattern(query.q), query.cpage);
  const cpage = Math.min(query.cpage, lastPage(customers.total));
  if (cpage !== query.cpage) customers = await pageCustomerPlans(tx, msspId, now, containsPattern(query.q), cpage);
  let invoices = await pageMonthInvoices(tx, msspId, m, query);
  const page = Math.min(query.page, lastPage(invoices.total));
  if (page !== query.page) invoices = await pageMonthInvoices(tx, msspId, m, { ...query, page });
  return { mssp: { id: msspId, name: rows[0]?.name ?? "" }, canManage: can["billing:manage"], month: m, plans, summary, customers, invoices, pages: { page, cpage } };
}

export interface RevenueData {
  currencies: string[];
  /** Six months, oldest first: net finalized amount per currency (credit notes subtracted). */
  trend: { month: string; totals: Record<string, number> }[];
  /** Per customer: last finalized month's net amount (MRR), the 6 months' total. */
  customers: { id: string; name: string; currency: string; mrr: bigint; sixMonths: bigint; lastMonth: string | null }[];
  /** This month so far, priced at each customer's plan (not invoiced yet). */
  unbilled: { id: string; name: string; currency: string; amount: bigint; metrics: { metric: UsageMetric; label: string; quantity: number }[] }[];
  month: string;
}

export async function loadRevenue(tx: TenantTx, now = new Date()): Promise<RevenueData | null> {
  const msspId = msspOf(tx);
  if (!msspId) return null;
  const can = await permissions(tx, ["billing:view"], msspId);
  if (!can["billing:view"]) return null;
  const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const months = Array.from({ length: 6 }, (_, i) => new Date(Date.UTC(thisMonth.getUTCFullYear(), thisMonth.getUTCMonth() - 6 + i, 1)).toISOString().slice(0, 7));
  const { rows } = await tx.client.query<{ tenant_id: string; name: string; month: string; currency: string; net: string }>(
    `select i.tenant_id, t.name, to_char(i.period_start, 'YYYY-MM') as month, i.currency, sum(i.total)::text as net
       from public.billing_invoices i join public.tenants t on t.id = i.tenant_id
      where i.status = 'finalized' and i.mssp_id = $1 and i.period_start >= $2::date and i.period_start < $3::date
      group by i.tenant_id, t.name, month, i.currency`,
    [msspId, `${months[0]}-01`, thisMonth.toISOString().slice(0, 10)],
  );
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const trend = months.map((month) => ({
    month,
    totals: Object.fromEntries(currencies.map((c) => [c, rows.filter((r) => r.month === month && r.currency === c).reduce((s, r) => s + Number(r.net), 0)])),
  }));
  const byCustomer = new Map<string, RevenueData["customers"][number]>();
  for (const r of rows.sort((a, b) => a.month.localeCompare(b.month))) {
    const c = byCustomer.get(r.tenant_id) ?? { id: r.tenant_id, name: r.name, currency: r.currency, mrr: 0n, sixMonths: 0n, lastMonth: null };
    c.sixMonths += BigInt(r.net);
    c.mrr = BigInt(r.net);
    c.lastMonth = r.month;
    byCustomer.set(r.tenant_id, c);
  }
  // Unbilled: this month's usage so far priced at the customer's current plan.
  const { rows: assigned } = await tx.client.query<TenantResource & { name: string; plan_name: string; currency: string; base_fee: string; minimum: string; prices: Parameters<typeof pricesOf>[0] }>(
    `select t.id, t.path::text as path, t.kind, t.status, t.name, p.name as plan_name, p.currency, p.base_fee::text, p.minimum::text,
            (select json_agg(json_build_object('metric', x.metric, 'included', x.included::text, 'unit_size', x.unit_size::text, 'tiers', x.tiers))
               from public.billing_plan_prices x where x.tenant_id = p.tenant_id and x.plan_id = p.id) as prices
       from public.tenants t
       join public.billing_plan_assignments a on a.tenant_id = t.id and daterange(a.starts_on, a.ends_on) @> $1::date
       join public.billing_plans p on p.tenant_id = a.plan_tenant_id and p.id = a.plan_id
      where t.kind = 'customer' and p.tenant_id = $2
      order by t.name`,
    [thisMonth.toISOString().slice(0, 10), msspId],
  );
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), ["billing:view"], assigned);
  const visible = assigned.filter((a) => decisions.get(a.id)?.["billing:view"]);
  const totals = await subtreeTotals(tx, visible.map((a) => a.id), thisMonth, new Date(utcDay(now).getTime() + DAY_MS));
  const period = { start: thisMonth.toISOString().slice(0, 10), end: new Date(Date.UTC(thisMonth.getUTCFullYear(), thisMonth.getUTCMonth() + 1, 1)).toISOString().slice(0, 10) };
  const unbilled = visible.map((a) => {
    const plan: PlanPricing = { name: a.plan_name, currency: a.currency, baseFee: BigInt(a.base_fee), minimum: BigInt(a.minimum), prices: pricesOf(a.prices) };
    const t = totals.get(a.id)!;
    const usage = Object.fromEntries(USAGE_METRICS.map((m) => [m, BigInt(t[m].value)])) as Record<UsageMetric, bigint>;
    return {
      id: a.id,
      name: a.name,
      currency: a.currency,
      amount: computeInvoice(plan, usage, period).total,
      metrics: plan.prices.map((p) => ({ metric: p.metric, label: METRIC_DEFINITIONS[p.metric].label, quantity: t[p.metric].value })),
    };
  });
  return {
    currencies,
    trend,
    customers: [...byCustomer.values()].sort((a, b) => (b.sixMonths > a.sixMonths ? 1 : b.sixMonths < a.sixMonths ? -1 : a.name.localeCompare(b.name))),
    unbilled,
    month: thisMonth.toISOString().slice(0, 7),
  };
}

/** A tenant's own invoices (tenant host /billing): finalized ones (RLS shows a customer's admins no draft); allowed false without billing:view. */
export async function loadTenantInvoices(tx: TenantTx, tenantId: string): Promise<{ allowed: boolean; invoices: InvoiceSummary[] }> {
  const can = await permissions(tx, ["billing:view"], tenantId);
  if (!can["billing:view"]) return { allowed: false, invoices: [] };
  return { allowed: true, invoices: (await listInvoices(tx, { tenantId })).filter((i) => i.status === "finalized") };
}
