// One invoice or credit note (server component): header, lines with the usage
// they came from, totals, downloads. Controls (finalize, credit note) are
// passed in by the console page when the caller may manage billing.
import { formatMoney, formatQuantity } from "@/lib/billing/money";
import type { InvoiceDetail } from "@/lib/billing/read";
import { TableScroll } from "@/components/ui/table-scroll";

export function InvoiceView(props: { invoice: InvoiceDetail; issuer: string; downloadBase: string; controls?: React.ReactNode; hrefFor: (id: string) => string }) {
  const inv = props.invoice;
  const money = (n: bigint) => formatMoney(n, inv.currency);
  return (
    <div className="space-y-6" data-testid="invoice-view">
      <div className="flex flex-wrap items-start justify-between gap-4 rounded-xl border border-slate-200 bg-white p-5">
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-500">From</dt>
          <dd className="text-slate-900">{props.issuer}</dd>
          <dt className="text-slate-500">Bill to</dt>
          <dd className="text-slate-900">{inv.customer.name}{inv.customer.status !== "active" ? ` (${inv.customer.status})` : ""}</dd>
          <dt className="text-slate-500">Period</dt>
          <dd className="text-slate-900">{inv.periodStart} to {inv.periodEnd} (end exclusive, UTC)</dd>
          <dt className="text-slate-500">Plan</dt>
          <dd className="text-slate-900">{inv.planName}</dd>
          {/* The total again here, read first with who and when; the lines' table below ends with it too. */}
          <dt className="text-slate-500">Total</dt>
          <dd className="font-semibold text-slate-900 tabular-nums" data-testid="invoice-header-total">{money(inv.total)}</dd>
          <dt className="text-slate-500">Status</dt>
          <dd className="text-slate-900" data-testid="invoice-status">{inv.status === "finalized" ? `Finalized as ${inv.displayNumber} on ${inv.finalizedAt?.toISOString().slice(0, 10)}` : "Draft: recomputed when the period is run again; not a valid invoice until finalized"}</dd>
          {inv.creditsInvoiceId && (
            <>
              <dt className="text-slate-500">Corrects</dt>
              <dd><a className="text-indigo-700 hover:underline" href={props.hrefFor(inv.creditsInvoiceId)}>{inv.creditsNumber}</a>: {inv.reason}</dd>
            </>
          )}
        </dl>
        <div className="flex gap-2">
          <a href={`${props.downloadBase}/pdf`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100" data-testid="download-pdf">Download PDF</a>
          <a href={`${props.downloadBase}/csv`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100" data-testid="download-csv">Download CSV</a>
        </div>
      </div>
      <TableScroll label="Invoice lines">
        <table className="w-full rounded-xl border border-slate-200 bg-white text-sm" data-testid="invoice-lines">
          <thead>
            <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
              <th className="px-3 py-2 font-medium">Item</th>
              <th className="hidden px-3 py-2 text-right font-medium sm:table-cell">Quantity</th>
              <th className="hidden px-3 py-2 text-right font-medium sm:table-cell">Included</th>
              <th className="hidden px-3 py-2 text-right font-medium sm:table-cell">Billed units</th>
              <th className="hidden px-3 py-2 text-right font-medium sm:table-cell">Unit price</th>
              <th className="px-3 py-2 text-right font-medium">Amount</th>
            </tr>
          </thead>
          <tbody>
            {inv.lines.map((l) => (
              <tr key={l.lineNo} className="border-b border-slate-100">
                <td className="px-3 py-2 text-slate-800">
                  {l.description}
                  {/* The metric's own name is in the description; this says which days were metered (an offboarded customer's stop early). */}
                  {l.metric && <div className="text-xs text-slate-500">metered {l.usageFrom} to {l.usageTo} (end exclusive, UTC)</div>}
                  {/* Below sm the four number columns are hidden (the Amount column was off-screen on a phone): the same figures here. */}
                  <div className="text-xs tabular-nums text-slate-600 sm:hidden" data-testid="invoice-line-figures">
                    {l.kind === "usage" && `quantity ${formatQuantity(l.quantity)}, ${formatQuantity(l.included)} included; `}
                    {formatQuantity(l.billable)} billed × {money(l.unitPrice)}
                    {l.unitSize > 1n ? ` / ${formatQuantity(l.unitSize)}` : ""}
                  </div>
                </td>
                <td className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{l.kind === "usage" ? formatQuantity(l.quantity) : ""}</td>
                <td className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{l.kind === "usage" ? formatQuantity(l.included) : ""}</td>
                <td className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{formatQuantity(l.billable)}</td>
                <td className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{money(l.unitPrice)}{l.unitSize > 1n ? ` / ${formatQuantity(l.unitSize)}` : ""}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{money(l.amount)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td className="hidden px-3 py-2 font-semibold sm:table-cell" colSpan={5}>Total</td>
              <td className="px-3 py-2 font-semibold sm:hidden">Total</td>
              <td className="px-3 py-2 text-right font-semibold tabular-nums" data-testid="invoice-total">{money(inv.total)}</td>
            </tr>
          </tfoot>
        </table>
      </TableScroll>
      {inv.credits.length > 0 && (
        <div className="text-sm text-slate-700">
          Credit notes:{" "}
          {inv.credits.map((c) => (
            <a key={c.id} href={props.hrefFor(c.id)} className="mr-3 text-indigo-700 hover:underline">{c.displayNumber === "Draft" ? "draft credit note" : c.displayNumber} ({money(c.total)})</a>
          ))}
        </div>
      )}
      {props.controls}
    </div>
  );
}
