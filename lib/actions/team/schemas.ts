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
export const resendInvitationSchema = z.object({ tenantId, invitationId: z.string().uuid() });

// Accepting (no tenant, no session needed yet): the token comes from the link's fragment, POSTed by the page.
export const inviteTokenField = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This invitation link is malformed.");
export const mailboxCodeField = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from the email"));
/** The password rules of every account (same as before: 12 to 1024 characters; argon2id in lib/auth/password.ts). */
export const newPasswordField = z.string().min(12, "Use at least 12 characters").max(1024, "Use at most 1024 characters");
export const acceptNewAccountSchema = z.object({
  token: inviteTokenField,
  code: mailboxCodeField,
  name: z.string().trim().min(1, "Enter your name").max(200),
  password: newPasswordField,
});
export const acceptExistingAccountSchema = z.object({ token: inviteTokenField, code: mailboxCodeField });
