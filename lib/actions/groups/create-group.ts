"use server";
// Creates an assignee group in a tenant (team page → Groups).
import { revalidatePath } from "next/cache";
import { createGroup as create } from "@/lib/groups/store";
import { tenantAction } from "../guard";
import { createGroupSchema } from "./schemas";

export const createGroup = tenantAction({ action: "users:manage", audit: "groups:create", schema: createGroupSchema }, async ({ tx, input }) => {
  const group = await create(tx, input.tenantId, input.name);
  revalidatePath("/team");
  return { data: { id: group.id }, message: "Group created. Add its members below.", target: { type: "assignee_group", id: group.id }, details: { name: group.name } };
});
