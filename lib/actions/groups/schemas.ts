// Forms of the group actions (lib/groups). The PDP action is users:manage, the
// one the team page (where groups are managed) asks for: a group decides who
// is handed a tenant's alerts, which is managing people, held by the same
// roles (MSSP admins, tenant admins) as settings:manage today.
import { z } from "zod";

const tenantId = z.string().uuid("Pick a tenant");
const groupId = z.string().uuid("Pick a group");
const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);
export const groupName = z
  .string({ message: "Name the group" })
  .trim()
  .min(1, "Name the group")
  .max(80, "A group name is at most 80 characters")
  .refine(noControl, "A group name cannot contain control characters");

export const createGroupSchema = z.object({ tenantId, name: groupName });
export const renameGroupSchema = z.object({ tenantId, groupId, name: groupName });
export const groupTarget = z.object({ tenantId, groupId });
export const groupMemberSchema = z.object({ tenantId, groupId, userId: z.string().uuid("Pick a person from the list") });
