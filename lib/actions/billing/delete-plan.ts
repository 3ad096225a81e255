"use server";
// Deletes a plan that never billed a customer (refused for one that did: it stays for their history).
import { revalidatePath } from "next/cache";
import { deletePlan as remove } from "@/lib/billing/plans";
import { deletePlanSchema } from "@/lib/billing/schemas";
import { tenantAction } from "../guard";
import { requireKind } from "@/lib/billing/action-rules";

export const deletePlan = tenantAction({ action: "billing:manage", audit: "billing:plan-deleted", schema: deletePlanSchema }, async ({ tx, input, tenant }) => {
  requireKind(tenant, "mssp", "Plans belong to an MSSP.");
  const { name } = await remove(tx, tenant.id, input.planId);
  revalidatePath("/billing");
  return { data: { id: input.planId }, message: `Plan "${name}" deleted.`, target: { type: "billing_plan", id: input.planId }, details: { name } };
});
