"use server";
// Deletes a group: its alerts lose it (each with a timeline entry); rules
// naming it then skip it and say so in their runs.
import { revalidatePath } from "next/cache";
import { deleteGroup as remove } from "@/lib/groups/store";
import { tenantAction } from "../guard";
import { groupTarget } from "./schemas";

export const deleteGroup = tenantAction({ action: "users:manage", audit: "groups:delete", schema: groupTarget }, async ({ tx, input }) => {
  const { name, alerts } = await remove(tx, input.tenantId, input.groupId);
  revalidatePath("/team");
  return {
    data: undefined,
    message: `Group "${name}" deleted${alerts ? `; ${alerts} alert${alerts === 1 ? "" : "s"} no longer assigned to it` : ""}.`,
    target: { type: "assignee_group", id: input.groupId },
    details: { name, alerts },
  };
});
