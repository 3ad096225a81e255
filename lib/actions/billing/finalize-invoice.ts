"use server";
// Finalizes a draft: numbered in the MSSP's sequence, immutable from then on.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { finalizeInvoice as finalize } from "@/lib/billing/invoices";
import { finalizeRefusalMessage } from "@/lib/billing/readiness";
import { invoiceTarget } from "@/lib/billing/schemas";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { tenantAction } from "../guard";

export const finalizeInvoice = tenantAction({ action: "billing:manage", audit: "billing:invoice-finalized", schema: invoiceTarget }, async ({ tx, input, user }) => {
  const r = await withServiceRoleIn("billing.invoicing", tx.db, (db) => finalize(db.$client, input.tenantId, input.invoiceId, user.id));
  if (!r.ok) throw new ActionRefusal(finalizeRefusalMessage(r), { reason: r.reason });
  revalidatePath("/billing");
  revalidatePath(`/billing/invoices/${input.invoiceId}`);
  return { data: { number: r.number }, message: `Finalized as ${r.displayNumber}.`, target: { type: "billing_invoice", id: input.invoiceId }, details: { number: r.number } };
});
