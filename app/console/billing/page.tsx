import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { AssignPlanForm, PlanForm, RunPeriodForm, FinalizeButton, type PlanFormValues } from "@/components/billing/billing-forms";
import { InvoiceTable, invoiceRowOf } from "@/components/billing/invoice-table";
import { PageHeader } from "@/components/ui/page-header";
import { TableScroll } from "@/components/ui/table-scroll";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { formatMoney } from "@/lib/billing/money";
import { loadBillingConsole } from "@/lib/billing/page-data";
import type { Plan } from "@/lib/billing/plans";
import { tiersText } from "@/lib/billing/schemas";
import { METRIC_DEFINITIONS, USAGE_METRICS } from "@/lib/usage/metrics";
import { consolePage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Billing" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const formValues = (plan?: Plan): PlanFormValues => ({
  planId: plan?.id,
  name: plan?.name ?? "",
  currency: plan?.currency ?? "EUR",
  baseFee: plan?.baseFee.toString() ?? "0",
  minimum: plan?.minimum.toString() ?? "0",
  metrics: USAGE_METRICS.map((m) => {
    const p = plan?.prices.find((x) => x.metric === m);
    return { metric: m, label: METRIC_DEFINITIONS[m].label, included: p?.included.toString() ?? "0", unitSize: p?.unitSize.toString() ?? "1", tiers: p ? tiersText(p.tiers) : "" };
  }),
});

export default async function ConsoleBilling(props: Props) {
  const sp = await props.searchParams;
  const month = typeof sp.month === "string" && /^\d{4}-(0[1-9]|1[0-2])$/.test(sp.month) ? sp.month : null;
  const page = await consolePage("/billing");
  let data;
  try {
    data = await page.run((tx) => loadBillingConsole(tx, month));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  const thisMonth = new Date().toISOString().slice(0, 7);
  return (
    <>
      <PageHeader
        title="Billing"
        description="Plans, which customer is billed at which, and each month's invoices. Invoices are drafted from the metered usage (a customer's sites included) and numbered when finalized."
        actions={<a href="/billing/revenue" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">Revenue</a>}
      />
      <section className="mb-8" aria-labelledby="period-h">
        <h2 id="period-h" className="mb-2 text-lg font-semibold text-slate-900">Invoices for {data.month}</h2>
        <div className="mb-3 flex flex-wrap items-end gap-6">
          <form method="get" className="flex items-end gap-2">
            <label className="flex flex-col text-xs font-medium text-slate-600">
              Show month
              <input type="month" name="month" defaultValue={data.month} className="mt-1 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm" />
            </label>
            <button className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">Show</button>
          </form>
          {data.canManage && <RunPeriodForm msspId={data.mssp.id} month={data.month} />}
        </div>
        {data.invoices.length === 0 ? (
          <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="billing-no-invoices">
            <p className="text-sm font-medium text-slate-800">No invoices for {data.month} yet.</p>
            <p className="mt-1 text-sm text-slate-500">
              {data.plans.length === 0
                ? "Create a plan below, assign it to your customers, then draft the month."
                : data.canManage
                  ? "Draft all invoices for the month above (the monthly job also drafts last month's on the 1st), review them, then finalize each."
                  : "An MSSP admin drafts them; the monthly job drafts last month's on the 1st."}
            </p>
          </div>
        ) : (
          <div className="rounded-xl border border-slate-200 bg-white p-4">
            <InvoiceTable rows={data.invoices.map(invoiceRowOf)} hrefFor={(id) => `/billing/invoices/${id}`} testId="billing-invoices" />
            {data.canManage && data.invoices.some((i) => i.status === "draft" && i.periodEnd <= thisMonth + "-01") && (
              <div className="mt-3 flex flex-wrap gap-3 text-sm">
                {data.invoices
                  .filter((i) => i.status === "draft" && i.periodEnd <= thisMonth + "-01")
                  .map((i) => (
                    <span key={i.id} className="inline-flex items-center gap-2">
                      {i.customer.name} ({formatMoney(i.total, i.currency)}): <FinalizeButton tenantId={i.tenantId} invoiceId={i.id} />
                    </span>
                  ))}
              </div>
            )}
          </div>
        )}
      </section>

      <section className="mb-8" aria-labelledby="customers-h">
        <h2 id="customers-h" className="mb-2 text-lg font-semibold text-slate-900">Customers</h2>
        {data.customers.length === 0 ? (
          <p className="text-sm text-slate-600">No customers yet: provision one under Customers, then assign it a plan here.</p>
        ) : (
          <TableScroll label="Customers and their plans">
            <table className="w-full rounded-xl border border-slate-200 bg-white text-sm" data-testid="billing-customers">
              <thead>
                <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
                  <th className="px-3 py-2 font-medium">Customer</th>
                  <th className="px-3 py-2 font-medium">Plan this month</th>
                  {data.canManage && <th className="px-3 py-2 font-medium">Change</th>}
                </tr>
              </thead>
              <tbody>
                {data.customers.map((c) => (
                  <tr key={c.id} className="border-b border-slate-100" data-testid={`billing-customer-${c.slug}`}>
                    <td className="px-3 py-2 text-slate-900">
                      {c.name}
                      {c.status !== "active" && <span className="ml-2 text-xs text-slate-500">({c.status}: still invoiced for what it used)</span>}
                    </td>
                    <td className="px-3 py-2 text-slate-700">{c.plan ? `${c.plan.name} (${c.plan.currency}) since ${c.plan.from}` : "No plan: not invoiced"}</td>
                    {data.canManage && (
                      <td className="px-3 py-2">
                        {data.plans.length ? <AssignPlanForm customerId={c.id} customerName={c.name} plans={data.plans.map((p) => ({ id: p.id, name: p.name, currency: p.currency }))} defaultMonth={thisMonth} current={c.plan?.planId} /> : <span className="text-xs text-slate-500">Create a plan first.</span>}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <section aria-labelledby="plans-h">
        <h2 id="plans-h" className="mb-2 text-lg font-semibold text-slate-900">Plans</h2>
        <p className="mb-3 text-sm text-slate-600">
          Amounts are whole minor units of the plan&apos;s currency (1500 = 15.00). Per metric: the included quantity is free; the billable rest is priced by graduated tiers (&quot;100 @ 800, @ 600&quot;: the first 100 billable units at 8.00, the rest at 6.00).
        </p>
        {data.plans.length === 0 && <p className="mb-3 text-sm text-slate-600" data-testid="billing-no-plans">No plans yet.{data.canManage ? " Create the first one below." : ""}</p>}
        <div className="space-y-4">
          {data.plans.map((p) => (
            <details key={p.id} className="rounded-xl border border-slate-200 bg-white p-4" data-testid="billing-plan">
              <summary className="cursor-pointer text-sm font-medium text-slate-900">
                {p.name} · {p.currency} · base {formatMoney(p.baseFee, p.currency)} · minimum {formatMoney(p.minimum, p.currency)} · {p.prices.length} metric{p.prices.length === 1 ? "" : "s"} · {p.customers} customer{p.customers === 1 ? "" : "s"}
              </summary>
              <div className="mt-3">{data.canManage ? <PlanForm tenantId={data.mssp.id} values={formValues(p)} invoiced={p.invoiced} /> : <p className="text-sm text-slate-600">Only MSSP admins change plans.</p>}</div>
            </details>
          ))}
          {data.canManage && (
            <div className="rounded-xl border border-slate-200 bg-white p-4">
              <h3 className="mb-2 text-sm font-semibold text-slate-900">New plan</h3>
              <PlanForm tenantId={data.mssp.id} values={formValues()} />
            </div>
          )}
        </div>
      </section>
    </>
  );
}
