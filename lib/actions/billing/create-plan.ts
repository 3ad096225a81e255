"use server";
// Creates a plan of the MSSP (console /billing → Plans).
import { revalidatePath } from "next/cache";
import { createPlan as create } from "@/lib/billing/plans";
import { planSchema, toPlan } from "@/lib/billing/schemas";
import { tenantAction } from "../guard";
import { requireKind } from "@/lib/billing/action-rules";

export const createPlan = tenantAction({ action: "billing:manage", audit: "billing:plan-created", schema: planSchema }, async ({ tx, input, tenant }) => {
  requireKind(tenant, "mssp", "Plans belong to an MSSP.");
  const plan = toPlan(input);
  const { id } = await create(tx, plan);
  revalidatePath("/billing");
  return { data: { id }, message: `Plan "${plan.name}" created. Assign it to customers below.`, target: { type: "billing_plan", id }, details: { name: plan.name, currency: plan.currency } };
});
