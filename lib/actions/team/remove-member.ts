"use server";
import { revalidatePath } from "next/cache";
import { removeMember as remove } from "@/lib/team/mutations";
import { tenantAction } from "../guard";
import { removeMemberSchema } from "./schemas";

export const removeMember = tenantAction(
  { action: "users:manage", audit: "team:remove", schema: removeMemberSchema },
  async ({ tx, input }) => {
    const { role, email } = await remove(tx.db, input.tenantId, input.userId);
    revalidatePath("/team");
    // Said above the list once the row is gone (components/ui/row-removals.tsx), so it names who.
    return { data: undefined, message: email ? `${email} removed.` : "Member removed.", target: { type: "user", id: input.userId }, details: { role } };
  },
);
