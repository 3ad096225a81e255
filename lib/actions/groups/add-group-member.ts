"use server";
// Adds someone who may be assigned the tenant's alerts to one of its groups
// (the database refuses anyone else, lib/groups turns that into a sentence).
import { revalidatePath } from "next/cache";
import { addGroupMember as add } from "@/lib/groups/store";
import { tenantAction } from "../guard";
import { groupMemberSchema } from "./schemas";

export const addGroupMember = tenantAction({ action: "users:manage", audit: "groups:add-member", schema: groupMemberSchema }, async ({ tx, input }) => {
  const { group, added } = await add(tx, input.tenantId, input.groupId, input.userId);
  revalidatePath("/team");
  return {
    data: undefined,
    message: added ? `Added to "${group}".` : `Already in "${group}".`,
    target: { type: "assignee_group", id: input.groupId },
    details: { user: input.userId, added },
  };
});
