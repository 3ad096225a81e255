"use server";
import { revalidatePath } from "next/cache";
import { renameGroup as rename } from "@/lib/groups/store";
import { tenantAction } from "../guard";
import { renameGroupSchema } from "./schemas";

export const renameGroup = tenantAction({ action: "users:manage", audit: "groups:rename", schema: renameGroupSchema }, async ({ tx, input }) => {
  const { from, to } = await rename(tx, input.tenantId, input.groupId, input.name);
  revalidatePath("/team");
  return { data: undefined, message: `Renamed to "${to}".`, target: { type: "assignee_group", id: input.groupId }, details: { from, to } };
});
