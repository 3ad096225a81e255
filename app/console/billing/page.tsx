import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { DeletePlanButton, PlanForm, PlanRemovals, RunPeriodForm, FinalizeButton } from "@/components/billing/billing-forms";
import { BillingSummaryView } from "@/components/billing/billing-summary";
import { CustomerPlansTable } from "@/components/billing/customer-plans-table";
import { InvoiceTable, invoiceRowOf } from "@/components/billing/invoice-table";
import { FilterChip } from "@/components/ui/filter-chip";
import { Notice, PageHeader } from "@/components/ui/page-header";
import { Pager } from "@/components/ui/pager";
import { TableScroll } from "@/components/ui/table-scroll";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { BILLING_PAGE_SIZE, billingHref, INVOICE_STATUS_FILTERS, INVOICE_STATUS_LABELS, parseBillingQuery } from "@/lib/billing/console-page";
import { formatMoney } from "@/lib/billing/money";
import { PLANS_HELP, planFormValues } from "@/lib/billing/form-text";
import { loadBillingConsole } from "@/lib/billing/page-data";
import { consolePage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Billing" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleBilling(props: Props) {
  const { query: asked, problems } = parseBillingQuery(await props.searchParams);
  const page = await consolePage("/billing");
  let data;
  try {
    data = await page.run((tx) => loadBillingConsole(tx, asked));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  if (asked.page > data.pages.page) problems.push(`There is no invoice page ${asked.page}; showing page ${data.pages.page}, the last one.`);
  if (asked.cpage > data.pages.cpage) problems.push(`There is no customer page ${asked.cpage}; showing page ${data.pages.cpage}, the last one.`);
  // The query as shown: the pages the loader settled on (the last ones when those asked for were past the end).
  const query = { ...asked, ...data.pages };
  const thisMonth = new Date().toISOString().slice(0, 7);
  const { summary, invoices, customers } = data;
  const pages = (total: number) => Math.max(1, Math.ceil(total / BILLING_PAGE_SIZE));
  const searched = query.q !== null;
  return (
    <>
      <PageHeader
        title="Billing"
        description="Plans, which customer is billed at which, and each month's invoices. Invoices are drafted from the metered usage (a customer's sites included) and numbered when finalized."
        actions={<a href="/billing/revenue" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">Revenue</a>}
      />
      <Notice messages={problems} />
      <section className="mb-8" aria-labelledby="period-h">
        <h2 id="period-h" className="mb-2 text-lg font-semibold text-slate-900">Invoices for {data.month}</h2>
        <div className="mb-3 flex flex-wrap items-end gap-6">
          <form method="get" className="flex flex-wrap items-end gap-2" aria-label="Month and search">
            <label className="flex flex-col text-xs font-medium text-slate-600">
              Show month
              <input type="month" name="month" defaultValue={data.month} className="mt-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm" />
            </label>
            <label className="flex flex-col text-xs font-medium text-slate-600">
              Customer
              <input type="search" name="q" defaultValue={query.q ?? ""} maxLength={100} placeholder="Name or address" className="mt-1 w-56 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm" />
            </label>
            {query.status !== "all" && <input type="hidden" name="status" value={query.status} />}
            <button className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">Show</button>
          </form>
          {data.canManage && <RunPeriodForm msspId={data.mssp.id} month={data.month} />}
        </div>
        <BillingSummaryView summary={summary} month={data.month} />
        {summary.counts.all === 0 ? (
          <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="billing-no-invoices">
            <p className="text-sm font-medium text-slate-800">No invoices for {data.month} yet.</p>
            <p className="mt-1 text-sm text-slate-500">
              {data.plans.length === 0
                ? "Create a plan below, assign it to your customers, then draft the month."
                : data.canManage
                  ? "Draft all invoices for the month shown (the monthly job also drafts last month's on the 1st), review them, then finalize each."
                  : "An MSSP admin drafts them; the monthly job drafts last month's on the 1st."}
            </p>
          </div>
        ) : (
          <div className="rounded-xl border border-slate-200 bg-white">
            <div className="flex flex-wrap gap-2 p-4 pb-0">
              {INVOICE_STATUS_FILTERS.map((s) => (
                <FilterChip
                  key={s}
                  href={billingHref({ ...query, month: data.month, status: s, page: 1 })}
                  label={INVOICE_STATUS_LABELS[s]}
                  count={summary.counts[s]}
                  current={query.status === s}
                  title={`Show ${INVOICE_STATUS_LABELS[s].toLowerCase()} invoices of ${data.month}`}
                  testId={`billing-filter-${s}`}
                />
              ))}
            </div>
            <div className="p-4">
              {invoices.rows.length === 0 ? (
                <p className="text-sm text-slate-600" data-testid="billing-invoices-empty">No invoice of {data.month} matches{searched ? ` “${query.q}”` : ""} with this status.</p>
              ) : (
                // Its own scroller: with the Action column the table is wider than a phone.
                <TableScroll label={`Invoices of ${data.month}`}>
                  <InvoiceTable
                    rows={invoices.rows.map(invoiceRowOf)}
                    hrefFor={(id) => `/billing/invoices/${id}`}
                    testId="billing-invoices"
                    extra={data.canManage ? { header: "Action", cell: (r) => (r.status === "draft" && r.periodEnd <= thisMonth + "-01" ? <FinalizeButton tenantId={r.tenantId} invoiceId={r.id} /> : null) } : undefined}
                  />
                </TableScroll>
              )}
            </div>
            <Pager total={invoices.total} noun="invoice" page={query.page} pageCount={pages(invoices.total)} pageSize={BILLING_PAGE_SIZE} hrefFor={(p) => billingHref({ ...query, month: data.month, page: p })} testId="billing-invoices-count" />
          </div>
        )}
      </section>

      <section className="mb-8" aria-labelledby="customers-h">
        <h2 id="customers-h" className="mb-2 text-lg font-semibold text-slate-900">Customers</h2>
        {summary.customers === 0 ? (
          <p className="text-sm text-slate-600">No customers yet: provision one under Customers, then assign it a plan here.</p>
        ) : customers.rows.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="billing-customers-empty">No customer matches{searched ? ` “${query.q}”` : ""}{query.cpage > 1 ? " on this page" : ""}.</p>
        ) : (
          <>
            <CustomerPlansTable rows={customers.rows} canManage={data.canManage} plans={data.plans.map((p) => ({ id: p.id, name: p.name, currency: p.currency }))} defaultMonth={thisMonth} />
            <Pager total={customers.total} noun="customer" page={query.cpage} pageCount={pages(customers.total)} pageSize={BILLING_PAGE_SIZE} hrefFor={(p) => billingHref({ ...query, month: data.month, cpage: p })} testId="billing-customers-count" />
          </>
        )}
      </section>

      <section aria-labelledby="plans-h">
        <h2 id="plans-h" className="mb-2 text-lg font-semibold text-slate-900">Plans</h2>
        <p className="mb-3 text-sm text-slate-600">{PLANS_HELP}</p>
        <PlanRemovals>
        {data.plans.length === 0 && <p className="mb-3 text-sm text-slate-600" data-testid="billing-no-plans">No plans yet.{data.canManage ? " Create the first one below." : ""}</p>}
        <div className="space-y-4">
          {data.plans.map((p) => (
            <details key={p.id} className="rounded-xl border border-slate-200 bg-white p-4" data-testid="billing-plan">
              <summary className="cursor-pointer text-sm font-medium text-slate-900">
                {p.name} · {p.currency} · base {formatMoney(p.baseFee, p.currency)} · minimum {formatMoney(p.minimum, p.currency)} · {p.prices.length} metric{p.prices.length === 1 ? "" : "s"} · {p.customers} customer{p.customers === 1 ? "" : "s"}
              </summary>
              <div className="mt-3">{data.canManage ? <PlanForm tenantId={data.mssp.id} values={planFormValues(p)} invoiced={p.invoiced} assigned={p.assigned} /> : <p className="text-sm text-slate-600">Only MSSP admins change plans.</p>}</div>
              {data.canManage && (
                <div className="mt-4 border-t border-slate-200 pt-3" data-testid="billing-plan-delete">
                  {p.assigned ? (
                    <p className="text-sm text-slate-600">This plan bills or has billed customers, so it stays for their history. To stop using it, assign another plan from a month on.</p>
                  ) : (
                    <DeletePlanButton tenantId={data.mssp.id} planId={p.id} name={p.name} />
                  )}
                </div>
              )}
            </details>
          ))}
          {data.canManage && (
            <div className="rounded-xl border border-slate-200 bg-white p-4">
              <h3 className="mb-2 text-sm font-semibold text-slate-900">New plan</h3>
              <PlanForm tenantId={data.mssp.id} values={planFormValues()} />
            </div>
          )}
        </div>
        </PlanRemovals>
      </section>
    </>
  );
}
