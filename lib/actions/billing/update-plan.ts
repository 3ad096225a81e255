"use server";
// Changes a plan's name or prices (refused once a finalized invoice was billed at its prices).
import { revalidatePath } from "next/cache";
import { updatePlan as update } from "@/lib/billing/plans";
import { toPlan, updatePlanSchema } from "@/lib/billing/schemas";
import { tenantAction } from "../guard";
import { requireKind } from "@/lib/billing/action-rules";

export const updatePlan = tenantAction({ action: "billing:manage", audit: "billing:plan-updated", schema: updatePlanSchema }, async ({ tx, input, tenant }) => {
  requireKind(tenant, "mssp", "Plans belong to an MSSP.");
  const plan = toPlan(input);
  await update(tx, input.planId, plan);
  revalidatePath("/billing");
  return { data: { id: input.planId }, message: `Plan "${plan.name}" saved. Drafts pick the new prices up when recomputed.`, target: { type: "billing_plan", id: input.planId }, details: { name: plan.name } };
});
