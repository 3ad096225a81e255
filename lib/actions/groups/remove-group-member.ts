"use server";
import { revalidatePath } from "next/cache";
import { removeGroupMember as remove } from "@/lib/groups/store";
import { tenantAction } from "../guard";
import { groupMemberSchema } from "./schemas";

export const removeGroupMember = tenantAction({ action: "users:manage", audit: "groups:remove-member", schema: groupMemberSchema }, async ({ tx, input }) => {
  const { group } = await remove(tx, input.tenantId, input.groupId, input.userId);
  revalidatePath("/team");
  return { data: undefined, message: `Removed from "${group}".`, target: { type: "assignee_group", id: input.groupId }, details: { user: input.userId } };
});
