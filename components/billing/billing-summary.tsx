// The billing console's summary of a month (server component): the net
// totals per currency (amounts in different currencies are never added), the
// invoices by status, and how many customers each plan bills. Computed in SQL
// over every row (lib/billing/console-page.ts), never from the tables' page.
import { formatMoney } from "@/lib/billing/money";
import type { BillingSummary } from "@/lib/billing/console-page";

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export function BillingSummaryView({ summary, month }: { summary: BillingSummary; month: string }) {
  const currencies = [...new Set(summary.totals.map((t) => t.currency))];
  return (
    <div className="mb-4 grid gap-4 md:grid-cols-3" data-testid="billing-summary">
      <div className="rounded-xl border border-slate-200 bg-white p-4">
        <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">{month}: net per currency</h3>
        {currencies.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">Nothing invoiced.</p>
        ) : (
          <dl className="mt-2 space-y-1 text-sm">
            {currencies.map((c) => {
              const of = (status: "draft" | "finalized") => summary.totals.find((t) => t.currency === c && t.status === status);
              const [finalized, draft] = [of("finalized"), of("draft")];
              return (
                <div key={c} className="flex flex-wrap justify-between gap-x-3" data-testid={`billing-total-${c}`}>
                  <dt className="font-medium text-slate-700">{c}</dt>
                  <dd className="tabular-nums text-slate-900">
                    {formatMoney(finalized?.net ?? 0n, c)} finalized
                    {draft ? <span className="text-slate-500"> · {formatMoney(draft.net, c)} in drafts</span> : null}
                  </dd>
                </div>
              );
            })}
          </dl>
        )}
      </div>
      <div className="rounded-xl border border-slate-200 bg-white p-4">
        <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">Invoices and credit notes</h3>
        <p className="mt-2 text-sm text-slate-800" data-testid="billing-counts">
          {plural(summary.counts.all, "document")}: {summary.counts.finalized.toLocaleString("en")} finalized, {summary.counts.draft.toLocaleString("en")} draft
        </p>
        {summary.draftsDue > 0 && <p className="mt-1 text-sm text-amber-700">{plural(summary.draftsDue, "draft")} of an ended month to review and finalize.</p>}
      </div>
      <div className="rounded-xl border border-slate-200 bg-white p-4">
        <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">Customers by plan today ({summary.customers.toLocaleString("en")})</h3>
        <ul className="mt-2 space-y-1 text-sm" data-testid="billing-plan-counts">
          {summary.plans.map((p) => (
            <li key={p.planId ?? "none"} className="flex justify-between gap-3">
              <span className="text-slate-700">{p.planId ? `${p.name} (${p.currency})` : "No plan: not invoiced"}</span>
              <span className="tabular-nums text-slate-900">{p.customers.toLocaleString("en")}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
