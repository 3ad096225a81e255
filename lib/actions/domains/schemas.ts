import { z } from "zod";

const tenantId = z.string().uuid("Pick a tenant");

export const addDomainSchema = z.object({
  tenantId,
  // Checked in full by lib/domains/validate.ts (clear messages); here only its size.
  domain: z.string({ message: "Enter a domain name" }).trim().min(1, "Enter a domain name, such as soc.example.com").max(300, "That domain name is too long: at most 253 characters"),
});

export const domainTargetSchema = z.object({ tenantId, domainId: z.string().uuid("Pick a domain") });
