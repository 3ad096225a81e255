// A list of invoices (server component): number, customer, period, status,
// total; each links to its page. `hrefFor` decides the host's path; `extra`
// adds a last column (the console's Finalize on due drafts of the shown page).
import type { ReactNode } from "react";
import { formatMoney } from "@/lib/billing/money";

export interface InvoiceRow {
  id: string;
  tenantId: string;
  periodEnd: string;
  displayNumber: string;
  kind: "invoice" | "credit_note";
  status: "draft" | "finalized";
  customer: string;
  period: string;
  currency: string;
  total: string;
}

export function InvoiceTable(props: {
  rows: InvoiceRow[];
  hrefFor: (id: string) => string;
  showCustomer?: boolean;
  testId?: string;
  extra?: { header: string; cell: (row: InvoiceRow) => ReactNode };
}) {
  return (
    <table className="w-full text-sm" data-testid={props.testId}>
      <thead>
        <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
          <th className="py-2 font-medium">Number</th>
          {props.showCustomer !== false && <th className="py-2 font-medium">Customer</th>}
          <th className="py-2 font-medium">Period</th>
          <th className="py-2 font-medium">Status</th>
          <th className="py-2 text-right font-medium">Total</th>
          {props.extra && <th className="py-2 pl-3 font-medium">{props.extra.header}</th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.id} className="border-b border-slate-100" data-testid="invoice-row">
            <td className="py-2">
              <a href={props.hrefFor(r.id)} className="font-medium text-indigo-700 hover:underline">
                {r.kind === "credit_note" ? `Credit note ${r.displayNumber}` : r.displayNumber === "Draft" ? "Draft invoice" : r.displayNumber}
              </a>
            </td>
            {props.showCustomer !== false && <td className="py-2 text-slate-800">{r.customer}</td>}
            <td className="py-2 text-slate-600">{r.period}</td>
            <td className="py-2">
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${r.status === "finalized" ? "bg-emerald-50 text-emerald-800" : "bg-amber-50 text-amber-800"}`}>{r.status}</span>
            </td>
            <td className="py-2 text-right tabular-nums text-slate-900">{formatMoney(BigInt(r.total), r.currency)}</td>
            {props.extra && <td className="py-2 pl-3">{props.extra.cell(r)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const invoiceRowOf = (i: { id: string; tenantId: string; periodEnd: string; displayNumber: string; kind: "invoice" | "credit_note"; status: "draft" | "finalized"; customer: { name: string }; periodStart: string; currency: string; total: bigint }): InvoiceRow => ({
  id: i.id,
  tenantId: i.tenantId,
  periodEnd: i.periodEnd,
  displayNumber: i.displayNumber,
  kind: i.kind,
  status: i.status,
  customer: i.customer.name,
  period: i.periodStart.slice(0, 7),
  currency: i.currency,
  total: i.total.toString(),
});
