"use server";
import { revalidatePath } from "next/cache";
import { revokeInvitation as revoke } from "@/lib/team/mutations";
import { tenantAction } from "../guard";
import { revokeInvitationSchema } from "./schemas";

export const revokeInvitation = tenantAction(
  { action: "users:manage", audit: "team:revoke-invite", schema: revokeInvitationSchema },
  async ({ tx, input }) => {
    const { email } = await revoke(tx.db, input.tenantId, input.invitationId);
    revalidatePath("/team");
    // Said above the list once the row is gone (components/ui/row-removals.tsx), so it names whose.
    return { data: undefined, message: `The invitation to ${email} is revoked: its link no longer works.`, target: { type: "invitation", id: input.invitationId } };
  },
);
