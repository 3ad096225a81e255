"use server";
import { revalidatePath } from "next/cache";
import { changeMemberRole as change } from "@/lib/team/mutations";
import { tenantAction } from "../guard";
import { changeMemberRoleSchema } from "./schemas";

export const changeMemberRole = tenantAction(
  { action: "users:manage", audit: "team:change-role", schema: changeMemberRoleSchema },
  async ({ tx, input }) => {
    const { from } = await change(tx.db, input.tenantId, input.userId, input.role);
    revalidatePath("/team");
    return {
      data: undefined,
      message: "Role updated.",
      target: { type: "user", id: input.userId },
      details: { from, to: input.role },
    };
  },
);
