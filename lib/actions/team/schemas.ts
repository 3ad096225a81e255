import { z } from "zod";
import { ROLES } from "@/drizzle/schema";

const tenantId = z.string().uuid("Pick a tenant");
const userId = z.string().uuid("Pick a member");

export const inviteMemberSchema = z.object({
  tenantId,
  email: z.string().trim().toLowerCase().email("Enter a valid email address").max(254),
  role: z.enum(ROLES, { message: "Pick a role" }),
});

export const changeMemberRoleSchema = z.object({ tenantId, userId, role: z.enum(ROLES, { message: "Pick a role" }) });
export const removeMemberSchema = z.object({ tenantId, userId });
export const revokeInvitationSchema = z.object({ tenantId, invitationId: z.string().uuid() });
