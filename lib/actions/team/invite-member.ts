"use server";
import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { tenants } from "@/drizzle/schema";
import { createInvitation } from "@/lib/team/mutations";
import { inviteLinkFor } from "@/lib/team/links";
import { log } from "@/lib/log";
import { tenantAction } from "../guard";
import { inviteMemberSchema } from "./schemas";

export const inviteMember = tenantAction(
  { action: "users:manage", audit: "team:invite", schema: inviteMemberSchema },
  async ({ tx, input, user }) => {
    const invitation = await createInvitation(tx.db, { ...input, invitedBy: user.id });
    const [tenant] = await tx.db.select({ slug: tenants.slug, kind: tenants.kind }).from(tenants).where(eq(tenants.id, input.tenantId));
    const link = await inviteLinkFor(tenant, invitation.token);
    // There is no mail server: in development the "email" is this log line.
    // Never in production: the link carries the invitation token.
    if (process.env.NODE_ENV !== "production") {
      log.info({ event: "dev-mail", to: input.email, role: input.role, link }, "[dev mail] invitation link (no mail server outside production)");
    }
    revalidatePath("/team");
    return {
      data: { link, email: input.email, expiresAt: invitation.expiresAt.toISOString() },
      message: `Invitation created for ${input.email}.`,
      target: { type: "invitation", id: invitation.id },
      details: { email: input.email, role: input.role },
    };
  },
);
