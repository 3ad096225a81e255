"use server";
// Adds a custom domain to the tenant (domains:manage), pending DNS verification.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { ADD_MESSAGES, addDomain as add } from "@/lib/domains/store";
import { parseDomainInput } from "@/lib/domains/validate";
import { portalDomain } from "@/lib/tenancy/host";
import { tenantAction } from "../guard";
import { addDomainSchema } from "./schemas";

export const addDomain = tenantAction({ action: "domains:manage", audit: "domain.added", schema: addDomainSchema }, async ({ tx, input, user }) => {
  const parsed = parseDomainInput(input.domain, portalDomain());
  if (!parsed.ok) throw new ActionRefusal(parsed.message, { reason: "invalid" });
  const r = await withServiceRoleIn("domains.manage", tx.db, (db) => add(db, input.tenantId, parsed.domain, user.id));
  if (!r.ok) throw new ActionRefusal(ADD_MESSAGES[r.reason], { reason: r.reason });
  revalidatePath("/domains");
  revalidatePath("/customers/[slug]/domains", "page");
  return {
    data: { id: r.row.id },
    message: "Domain added. Create the two DNS records shown below, then choose Verify.",
    target: { type: "custom_domain", id: r.row.id },
    details: { domain: r.row.domain },
  };
});
