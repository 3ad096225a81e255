"use server";
// Creates a rule, or saves a change to one as a new version (the table's
// trigger numbers it and keeps the old one in the history).
import { revalidatePath } from "next/cache";
import { createRule as create, updateRule as update } from "@/lib/rules/store";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { createRuleSchema, ruleInputOf, updateRuleSchema } from "./schemas";

export const createRule = tenantAction(
  { action: "settings:manage", audit: "workflow.rule-created", schema: createRuleSchema },
  async ({ tx, input }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const rule = await create(tx, ruleInputOf(input));
    revalidatePath("/workflows");
    return {
      data: { id: rule.id, version: rule.version },
      message: `Rule "${rule.name}" saved (version ${rule.version}).`,
      target: { type: "workflow_rule", id: rule.id },
      details: { name: rule.name, version: rule.version, enabled: rule.enabled },
    };
  },
);

export const updateRule = tenantAction(
  { action: "settings:manage", audit: "workflow.rule-changed", schema: updateRuleSchema },
  async ({ tx, input }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const rule = await update(tx, input.ruleId, ruleInputOf(input), input.version);
    revalidatePath("/workflows");
    return {
      data: { id: rule.id, version: rule.version },
      message: `Rule "${rule.name}" saved as version ${rule.version}.`,
      target: { type: "workflow_rule", id: rule.id },
      details: { name: rule.name, version: rule.version, enabled: rule.enabled },
    };
  },
);
