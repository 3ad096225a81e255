"use server";
import { revalidatePath } from "next/cache";
import { deleteRule as remove, setRuleEnabled as setEnabled } from "@/lib/rules/store";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { ruleTarget, setRuleEnabledSchema } from "./schemas";

export const setRuleEnabled = tenantAction(
  { action: "settings:manage", audit: "workflow.rule-changed", schema: setRuleEnabledSchema },
  async ({ tx, input }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const rule = await setEnabled(tx, input.tenantId, input.ruleId, input.enabled);
    revalidatePath("/workflows");
    return {
      data: { version: rule.version },
      message: `Rule "${rule.name}" ${rule.enabled ? "enabled" : "disabled"} (version ${rule.version}).`,
      target: { type: "workflow_rule", id: rule.id },
      details: { name: rule.name, version: rule.version, enabled: rule.enabled },
    };
  },
);

export const deleteRule = tenantAction(
  { action: "settings:manage", audit: "workflow.rule-deleted", schema: ruleTarget },
  async ({ tx, input }) => {
    await requireFeature(tx, input.tenantId, "features.workflows");
    const rule = await remove(tx, input.tenantId, input.ruleId);
    revalidatePath("/workflows");
    return {
      data: undefined,
      message: `Rule "${rule.name}" deleted. Its history is kept.`,
      target: { type: "workflow_rule", id: rule.id },
      details: { name: rule.name, version: rule.version },
    };
  },
);
