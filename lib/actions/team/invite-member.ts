"use server";
import { revalidatePath } from "next/cache";
import { inviteByEmail } from "@/lib/team/invite";
import { requireUserCapacity } from "@/lib/settings/enforce";
import { tenantTimeZone } from "@/lib/locale/viewer-zone";
import { tenantAction } from "../guard";
import { inviteMemberSchema } from "./schemas";

// The invitation and its email commit together (lib/mail's outbox, in this
// action's transaction); the link is in the email only, never in the answer.
export const inviteMember = tenantAction(
  { action: "users:manage", audit: "team:invite", schema: inviteMemberSchema },
  async ({ tx, input, user }) => {
    const timeZone = await tenantTimeZone(tx, input.tenantId);
    const sent = await inviteByEmail(tx.db, { ...input, invitedBy: user.id, timeZone });
    // limits.users, counted with this invitation in place; a refusal rolls it and its email back.
    await requireUserCapacity(tx, input.tenantId);
    revalidatePath("/team");
    return {
      data: { email: input.email, expiresAt: sent.expiresAt.toISOString() },
      message: `Invitation sent to ${input.email}.`,
      target: { type: "invitation", id: sent.id },
      details: { email: input.email, role: input.role, mail_id: sent.mailId },
    };
  },
);
