"use server";
import { revalidatePath } from "next/cache";
import { resendInvitation as resend } from "@/lib/team/invite";
import { requireUserCapacity } from "@/lib/settings/enforce";
import { tenantTimeZone } from "@/lib/locale/viewer-zone";
import { tenantAction } from "../guard";
import { resendInvitationSchema } from "./schemas";

// A new link by email; the previous link stops working in the same transaction.
export const resendInvitation = tenantAction(
  { action: "users:manage", audit: "team:resend-invite", schema: resendInvitationSchema },
  async ({ tx, input, user }) => {
    const timeZone = await tenantTimeZone(tx, input.tenantId);
    const sent = await resend(tx.db, { tenantId: input.tenantId, invitationId: input.invitationId, invitedBy: user.id, timeZone });
    // limits.users, counted with this invitation in place; a refusal rolls it and its email back.
    await requireUserCapacity(tx, input.tenantId);
    revalidatePath("/team");
    return {
      data: { email: sent.email },
      message: `Invitation sent again to ${sent.email}. The earlier link no longer works.`,
      target: { type: "invitation", id: sent.id },
      details: { replaces: input.invitationId, email: sent.email, role: sent.role, mail_id: sent.mailId },
    };
  },
);
