import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CreditNoteForm, FinalizeButton, DiscardCreditNoteButton } from "@/components/billing/billing-forms";
import { InvoiceView } from "@/components/billing/invoice-view";
import { PageHeader } from "@/components/ui/page-header";
import { PdpUnavailable } from "@/components/ui/pdp-unavailable";
import { isPdpUnavailable, permissions } from "@/lib/authz";
import { creditAmountField } from "@/lib/billing/form-text";
import { getInvoice } from "@/lib/billing/read";
import { consolePage } from "@/lib/tenancy/page-context";

export const metadata: Metadata = { title: "Invoice" };

export default async function ConsoleInvoice(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const page = await consolePage(`/billing/invoices/${id}`);
  let data;
  try {
    data = await page.run(async (tx) => {
      const inv = await getInvoice(tx, id);
      if (!inv) return null;
      const can = await permissions(tx, ["billing:view", "billing:manage"], inv.tenantId);
      if (!can["billing:view"]) return null;
      const { rows } = await tx.client.query<{ name: string }>("select name from public.tenants where id = $1", [inv.msspId]);
      return { inv, can, issuer: rows[0]?.name ?? "" };
    });
  } catch (error) {
    if (isPdpUnavailable(error)) return <PdpUnavailable />;
    throw error;
  }
  if (!data) notFound();
  const { inv, can } = data;
  const credited = inv.credits.reduce((s, c) => s - c.total, 0n);
  const periodOver = inv.periodEnd <= new Date().toISOString().slice(0, 10);
  return (
    <>
      <PageHeader title={`${inv.kind === "credit_note" ? "Credit note" : "Invoice"} ${inv.displayNumber === "Draft" ? "(draft)" : inv.displayNumber}`} description={`${inv.customer.name} · ${inv.periodStart.slice(0, 7)}`} actions={<a href={`/billing?month=${inv.periodStart.slice(0, 7)}`} className="text-sm text-indigo-700 hover:underline">Back to {inv.periodStart.slice(0, 7)}</a>} />
      <InvoiceView
        invoice={inv}
        issuer={data.issuer}
        downloadBase={`/billing/invoices/${inv.id}`}
        hrefFor={(x) => `/billing/invoices/${x}`}
        controls={
          can["billing:manage"] ? (
            inv.status === "draft" ? (
              inv.kind === "credit_note" && inv.creditsInvoiceId ? (
                <div className="flex flex-wrap items-center gap-3">
                  <FinalizeButton tenantId={inv.tenantId} invoiceId={inv.id} />
                  <DiscardCreditNoteButton tenantId={inv.tenantId} invoiceId={inv.id} creditsInvoiceId={inv.creditsInvoiceId} />
                </div>
              ) : inv.kind === "credit_note" || periodOver ? (
                <FinalizeButton tenantId={inv.tenantId} invoiceId={inv.id} />
              ) : (
                <p className="text-sm text-slate-600">The month is still running: finalize once it has ended (UTC).</p>
              )
            ) : inv.kind === "invoice" && inv.total - credited > 0n ? (
              <div className="rounded-xl border border-slate-200 bg-white p-4">
                <h2 className="mb-2 text-sm font-semibold text-slate-900">Correct this invoice</h2>
                <p className="mb-2 text-sm text-slate-600">A finalized invoice never changes. Issue a credit note (a negative invoice referencing this one), then finalize it.</p>
                <CreditNoteForm tenantId={inv.tenantId} invoiceId={inv.id} currency={inv.currency} amount={creditAmountField(inv.currency, inv.total - credited)} />
              </div>
            ) : null
          ) : null
        }
      />
    </>
  );
}
