"use server";
// Bills a customer at a plan from a month on (console /billing → Customers).
import { revalidatePath } from "next/cache";
import { assignPlan as assign } from "@/lib/billing/plans";
import { assignPlanSchema } from "@/lib/billing/schemas";
import { tenantAction } from "../guard";

export const assignPlan = tenantAction({ action: "billing:manage", audit: "billing:plan-assigned", schema: assignPlanSchema }, async ({ tx, input, user }) => {
  const { id } = await assign(tx, input.tenantId, input.planId, input.from, user.id);
  revalidatePath("/billing");
  return { data: { id }, message: `Plan assigned from ${input.from}.`, target: { type: "billing_plan_assignment", id }, details: { plan_id: input.planId, from: input.from } };
});
