"use server";
// Gives one alert to an assignee group (lib/groups) of its tenant or an
// ancestor, or takes it away (groupId ""), and optionally to a person in it
// (assigneeId; "" leaves it to anyone in the group; absent: person unchanged).
// The database refuses a group of any other tenant and an unassignable person.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { GROUP_NOT_USABLE, triageAlert } from "@/lib/alerts/triage";
import { usableGroup } from "@/lib/groups/store";
import { requireFeature } from "@/lib/settings/enforce";
import { tenantAction } from "../guard";
import { assignAlertGroupSchema } from "./schemas";

export const assignAlertGroup = tenantAction({ action: "alerts:triage", audit: "alerts:assign-group", schema: assignAlertGroupSchema }, async ({ tx, input }) => {
  await requireFeature(tx, input.tenantId, "features.alert_triage");
  const group = input.groupId ? await usableGroup(tx.client, input.tenantId, input.groupId) : null;
  if (input.groupId && !group) throw new ActionRefusal(GROUP_NOT_USABLE, { field: "groupId" });
  const before = await triageAlert(tx, input.tenantId, input.alertId, { kind: "group", group: group ? { tenantId: group.tenantId, id: group.id } : null });
  const person = input.assigneeId === undefined ? undefined : input.assigneeId || null;
  if (person !== undefined) await triageAlert(tx, input.tenantId, input.alertId, { kind: "assign", assigneeId: person });
  revalidatePath("/alerts", "layout");
  return {
    data: undefined,
    message: group ? `Alert given to group "${group.name}"${person ? " and the person chosen" : ""}.` : "Alert no longer assigned to a group.",
    target: { type: "alert", id: input.alertId },
    details: { from_group: before.assignedGroupId ?? null, to_group: group?.id ?? null, group_tenant: group?.tenantId ?? null, ...(person !== undefined ? { assignee: person } : {}) },
  };
});
