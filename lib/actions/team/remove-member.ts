"use server";
import { revalidatePath } from "next/cache";
import { removeMember as remove } from "@/lib/team/mutations";
import { tenantAction } from "../guard";
import { removeMemberSchema } from "./schemas";

export const removeMember = tenantAction(
  { action: "users:manage", audit: "team:remove", schema: removeMemberSchema },
  async ({ tx, input }) => {
    const { role } = await remove(tx.db, input.tenantId, input.userId);
    revalidatePath("/team");
    return { data: undefined, message: "Member removed.", target: { type: "user", id: input.userId }, details: { role } };
  },
);
