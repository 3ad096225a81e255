// What the lifecycle commands accept, parsed at the edge (actions, the
// tenants command, later the tenant API). Messages are written for the person.
import { z } from "zod";
import { SLUG_PATTERN } from "@/lib/tenancy/slug";
import { planSchema } from "./plans";

/** Names a tenant cannot take: they are, or may become, the portal's own hosts. */
export const RESERVED_SLUGS = [
  "www", "api", "admin", "console", "app", "mail", "static", "portal", "auth", "login",
  "status", "docs", "help", "support", "assets", "cdn", "smtp", "imap", "ftp", "ns1", "ns2", "mx", "localhost",
  // Console pages under /customers/ that a tenant's own page would collide with.
  "restore", "import",
] as const;

const reserved = new Set<string>(RESERVED_SLUGS);

export const newSlugSchema = z
  .string()
  .trim()
  .min(2, "At least 2 characters.")
  .max(63, "At most 63 characters (one DNS label).")
  .regex(SLUG_PATTERN, "Lowercase letters and digits, words joined by single hyphens (it becomes the portal's address).")
  .refine((s) => !reserved.has(s), { message: "That name is reserved for the portal itself; choose another." });

const uuid = z.string().uuid("Choose a tenant.");
const reason = z.string().trim().min(3, "Say why, in a few words (it is shown to staff and kept in the audit trail).").max(500);

export const provisionSchema = z.object({
  /** The parent: the new tenant sits under it (the guard checks tenants:provision on it). */
  tenantId: uuid,
  name: z.string().trim().min(1, "Give it a name.").max(200),
  slug: newSlugSchema,
  // "" from the form's "default" choice means none chosen.
  plan: z.preprocess((v) => (v === "" ? undefined : v), planSchema.optional()),
  adminEmail: z.string().trim().toLowerCase().email("An email address for the first admin.").max(320),
});
export type ProvisionInput = z.infer<typeof provisionSchema>;

export const suspendSchema = z.object({ tenantId: uuid, reason });
export const resumeSchema = z.object({ tenantId: uuid });

export const offboardSchema = z.object({
  tenantId: uuid,
  confirmName: z.string().trim().min(1, "Type the tenant's name to confirm."),
  graceDays: z.coerce.number().int().min(0, "0 to 90 days.").max(90, "0 to 90 days.").default(30),
});
export const cancelOffboardSchema = z.object({ tenantId: uuid });

export const moveSchema = z.object({ tenantId: uuid, newParentId: uuid });

export const retryWorkflowSchema = z.object({ tenantId: uuid, jobId: z.string().uuid() });
