"use server";
import { revalidatePath } from "next/cache";
import { revokeInvitation as revoke } from "@/lib/team/mutations";
import { tenantAction } from "../guard";
import { revokeInvitationSchema } from "./schemas";

export const revokeInvitation = tenantAction(
  { action: "users:manage", audit: "team:revoke-invite", schema: revokeInvitationSchema },
  async ({ tx, input }) => {
    await revoke(tx.db, input.tenantId, input.invitationId);
    revalidatePath("/team");
    return { data: undefined, message: "Invitation revoked.", target: { type: "invitation", id: input.invitationId } };
  },
);
