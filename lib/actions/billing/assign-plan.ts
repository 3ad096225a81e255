"use server";
// Bills a customer at a plan from a month on (console /billing → Customers). With "Replace" ticked, the
// assignment starting that month (a mistake) is replaced over its period instead (lib/billing/assignments.ts).
import { revalidatePath } from "next/cache";
import { assignPlan as assign } from "@/lib/billing/plans";
import { assignPlanSchema } from "@/lib/billing/schemas";
import { tenantAction } from "../guard";

export const assignPlan = tenantAction({ action: "billing:manage", audit: "billing:plan-assigned", schema: assignPlanSchema }, async ({ tx, input, user }) => {
  const { id, replaced } = await assign(tx, input.tenantId, input.planId, input.from, user.id, { replace: input.replace });
  revalidatePath("/billing");
  const message = replaced
    ? `Plan assigned from ${input.from}, replacing ${replaced.planName}. Drafts of that period take the new plan when the period is run again or finalized.`
    : `Plan assigned from ${input.from}.`;
  return {
    data: { id },
    message,
    target: { type: "billing_plan_assignment", id },
    details: { plan_id: input.planId, from: input.from, ...(replaced ? { replaced_assignment: replaced.id, replaced_plan_id: replaced.planId } : {}) },
  };
});
