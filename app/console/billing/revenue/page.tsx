import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { RevenueChart } from "@/components/billing/revenue-chart";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable } from "@/lib/authz";
import { currencyExponent, formatMoney, formatQuantity } from "@/lib/billing/money";
import { loadRevenue } from "@/lib/billing/page-data";
import { consolePage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Revenue" };

export default async function Revenue() {
  const page = await consolePage("/billing/revenue");
  let data;
  try {
    data = await page.run((tx) => loadRevenue(tx));
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) forbidden();
  const top = data.customers.slice(0, 10);
  return (
    <>
      <PageHeader
        title="Revenue"
        description="From finalized invoices, credit notes subtracted, per currency. MRR is each customer's last finalized month. Unbilled usage prices this month so far at each customer's current plan."
        actions={<a href="/billing" className="text-sm text-indigo-700 hover:underline">Back to billing</a>}
      />
      <section className="mb-8 rounded-xl border border-slate-200 bg-white p-4" aria-labelledby="trend-h">
        <h2 id="trend-h" className="mb-2 text-sm font-semibold text-slate-900">Last 6 months</h2>
        {data.currencies.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="revenue-empty">No finalized invoices in the last 6 months. Run a period on the Billing page and finalize its invoices; they show here.</p>
        ) : (
          <RevenueChart points={data.trend} currencies={data.currencies} exponents={Object.fromEntries(data.currencies.map((c) => [c, currencyExponent(c)]))} />
        )}
      </section>
      <div className="grid gap-6 lg:grid-cols-2">
        <section className="rounded-xl border border-slate-200 bg-white p-4" aria-labelledby="mrr-h">
          <h2 id="mrr-h" className="mb-2 text-sm font-semibold text-slate-900">Top customers (6 months) and MRR</h2>
          {top.length === 0 ? (
            <p className="text-sm text-slate-600">No customer has a finalized invoice yet.</p>
          ) : (
            <table className="w-full text-sm" data-testid="revenue-customers">
              <thead>
                <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
                  <th className="py-2 font-medium">Customer</th>
                  <th className="py-2 text-right font-medium">MRR</th>
                  <th className="py-2 text-right font-medium">6 months</th>
                </tr>
              </thead>
              <tbody>
                {top.map((c) => (
                  <tr key={`${c.id}-${c.currency}`} className="border-b border-slate-100">
                    <td className="py-2 text-slate-900">{c.name}<span className="ml-2 text-xs text-slate-500">last {c.lastMonth}</span></td>
                    <td className="py-2 text-right tabular-nums">{formatMoney(c.mrr, c.currency)}</td>
                    <td className="py-2 text-right tabular-nums">{formatMoney(c.sixMonths, c.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="rounded-xl border border-slate-200 bg-white p-4" aria-labelledby="unbilled-h">
          <h2 id="unbilled-h" className="mb-2 text-sm font-semibold text-slate-900">Unbilled usage, {data.month} so far</h2>
          {data.unbilled.length === 0 ? (
            <p className="text-sm text-slate-600">No customer has a plan this month: assign plans on the Billing page.</p>
          ) : (
            <table className="w-full text-sm" data-testid="revenue-unbilled">
              <thead>
                <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
                  <th className="py-2 font-medium">Customer</th>
                  <th className="py-2 font-medium">Usage</th>
                  <th className="py-2 text-right font-medium">At plan prices</th>
                </tr>
              </thead>
              <tbody>
                {data.unbilled.map((u) => (
                  <tr key={u.id} className="border-b border-slate-100">
                    <td className="py-2 text-slate-900">{u.name}</td>
                    <td className="py-2 text-xs text-slate-600">{u.metrics.map((m) => `${m.label} ${formatQuantity(BigInt(m.quantity))}`).join(" · ") || "base fee only"}</td>
                    <td className="py-2 text-right tabular-nums">{formatMoney(u.amount, u.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </>
  );
}
