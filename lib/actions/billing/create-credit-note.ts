"use server";
// Corrects a finalized invoice with a credit note (a negative invoice referencing it), as a draft to finalize.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { createCreditNote as create } from "@/lib/billing/invoices";
import { creditNoteSchema } from "@/lib/billing/schemas";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { tenantAction } from "../guard";

export const createCreditNote = tenantAction({ action: "billing:manage", audit: "billing:credit-note-created", schema: creditNoteSchema }, async ({ tx, input }) => {
  const r = await withServiceRoleIn("billing.invoicing", tx.db, (db) => create(db.$client, input.tenantId, input.invoiceId, input.amount, input.reason));
  if (!r.ok) {
    const why =
      r.reason === "not_found"
        ? "That invoice is not here: it belongs to another customer, or it does not exist."
        : r.reason === "not_finalized"
          ? "Only a finalized invoice is corrected by a credit note; a draft is recomputed instead."
          : `That is more than is left to credit on this invoice (${r.remaining} minor units).`;
    throw new ActionRefusal(`${why} Nothing was changed.`, { reason: r.reason });
  }
  revalidatePath("/billing");
  return { data: { id: r.id }, message: "Credit note drafted. Review it and finalize it to issue it.", target: { type: "billing_invoice", id: r.id }, details: { credits: input.invoiceId, amount: input.amount.toString() } };
});
