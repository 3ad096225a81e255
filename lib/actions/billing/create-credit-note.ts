"use server";
// Corrects a finalized invoice with a credit note (a negative invoice referencing it), as a draft to finalize.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { createCreditNote as create } from "@/lib/billing/invoices";
import { formatMoney } from "@/lib/billing/money";
import { creditAmountOf, creditNoteSchema } from "@/lib/billing/schemas";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { tenantAction } from "../guard";

export const createCreditNote = tenantAction({ action: "billing:manage", audit: "billing:credit-note-created", schema: creditNoteSchema }, async ({ tx, input }) => {
  // Typed in major units of the currency the form named ("15.00"); kept in minor units (1500).
  const amount = creditAmountOf(input);
  const r = await withServiceRoleIn("billing.invoicing", tx.db, (db) => create(db.$client, input.tenantId, input.invoiceId, amount, input.reason, input.currency));
  if (!r.ok) {
    const why =
      r.reason === "not_found"
        ? "That invoice is not here: it belongs to another customer, or it does not exist."
        : r.reason === "not_finalized"
          ? "Only a finalized invoice is corrected by a credit note; a draft is recomputed instead."
          : r.reason === "other_currency"
            ? `This invoice is in ${r.currency}, not ${input.currency}: reload the page and type the amount in ${r.currency}.`
            : `That is more than is left to credit on this invoice (${formatMoney(r.remaining ?? 0n, input.currency)}).`;
    throw new ActionRefusal(`${why} Nothing was changed.`, { reason: r.reason });
  }
  revalidatePath("/billing");
  return { data: { id: r.id }, message: "Credit note drafted. Review it and finalize it to issue it.", target: { type: "billing_invoice", id: r.id }, details: { credits: input.invoiceId, amount: amount.toString(), currency: input.currency } };
});
