"use server";
import { revalidatePath } from "next/cache";
import { removeGroupMember as remove } from "@/lib/groups/store";
import { tenantAction } from "../guard";
import { groupMemberSchema } from "./schemas";

export const removeGroupMember = tenantAction({ action: "users:manage", audit: "groups:remove-member", schema: groupMemberSchema }, async ({ tx, input }) => {
  const { group, person } = await remove(tx, input.tenantId, input.groupId, input.userId);
  revalidatePath("/team");
  // Said above the group's members once the chip is gone (components/ui/row-removals.tsx), so it names who.
  return { data: undefined, message: `${person} removed from "${group}".`, target: { type: "assignee_group", id: input.groupId }, details: { user: input.userId } };
});
