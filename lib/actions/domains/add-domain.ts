"use server";
// Adds a custom domain to the tenant (domains:manage), pending DNS verification.
// A name that looks like a domain another tenant serves needs the MSSP's
// approval (lib/domains/store.ts): added by staff who may manage domains on the
// MSSP, it is approved (a new entry, or the tenant's held one); anyone else is refused.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { mayApproveLookAlike } from "@/lib/domains/lookalike";
import { ADD_MESSAGES, addDomain as add } from "@/lib/domains/store";
import { parseDomainInput } from "@/lib/domains/validate";
import { portalDomain } from "@/lib/tenancy/host";
import { tenantAction } from "../guard";
import { addDomainSchema } from "./schemas";

const MESSAGES = {
  added: "Domain added. Create the two DNS records shown below, then choose Verify.",
  approvedNew: "Domain added and approved, although it looks like a domain another portal serves. Create the two DNS records shown below, then choose Verify.",
  approvedExisting: "Approved: this portal's entry for that domain may now route although it looks like a domain another portal serves. Its DNS records stay as shown; choose Verify.",
} as const;

export const addDomain = tenantAction({ action: "domains:manage", audit: "domain.added", schema: addDomainSchema }, async ({ tx, input, user }) => {
  const parsed = parseDomainInput(input.domain, portalDomain());
  if (!parsed.ok) throw new ActionRefusal(parsed.message, { reason: "invalid" });
  const approver = await mayApproveLookAlike(tx, input.tenantId);
  const r = await withServiceRoleIn("domains.manage", tx.db, (db) => add(db, input.tenantId, parsed.domain, user.id, { mayApproveLookAlike: approver }));
  if (!r.ok) throw new ActionRefusal(ADD_MESSAGES[r.reason], { reason: r.reason });
  revalidatePath("/domains");
  revalidatePath("/customers/[slug]/domains", "page");
  return {
    data: { id: r.row.id },
    message: r.approved === "existing" ? MESSAGES.approvedExisting : r.approved === "added" ? MESSAGES.approvedNew : MESSAGES.added,
    target: { type: "custom_domain", id: r.row.id },
    // An approval is recorded as such: "added" (a new entry) or "existing" (the tenant's held one).
    details: { domain: r.row.domain, ...(r.approved ? { lookAlikeApproved: r.approved } : {}) },
  };
});
