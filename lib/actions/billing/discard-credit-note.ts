"use server";
// Discards a draft credit note (a mistaken amount or reason): drafts count against
// what is left of their invoice, so a wrong one would block the right one. A
// finalized credit note stays: it is corrected by nothing but another document.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { discardCreditNote as discard } from "@/lib/billing/invoices";
import { invoiceTarget } from "@/lib/billing/schemas";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { tenantAction } from "../guard";

export const discardCreditNote = tenantAction(
  { action: "billing:manage", audit: "billing:credit-note-discarded", schema: invoiceTarget },
  async ({ tx, input }) => {
    const gone = await withServiceRoleIn("billing.invoicing", tx.db, (db) => discard(db.$client, input.tenantId, input.invoiceId));
    if (!gone) {
      throw new ActionRefusal("That is not a draft credit note of this customer (finalized ones stay). Nothing was changed.", { reason: "not_a_draft_credit_note" });
    }
    revalidatePath("/billing");
    revalidatePath(`/billing/invoices/${gone.credits}`);
    return {
      data: { invoiceId: gone.credits },
      message: "Draft credit note discarded. Draft the right one from the invoice.",
      target: { type: "billing_invoice", id: input.invoiceId },
      details: { credits_invoice_id: gone.credits },
    };
  },
);
