"use server";
// Removes a custom domain (domains:manage): it stops routing in every replica at commit.
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { removeDomain as remove } from "@/lib/domains/store";
import { tenantAction } from "../guard";
import { domainTargetSchema } from "./schemas";

export const removeDomain = tenantAction({ action: "domains:manage", audit: "domain.removed", schema: domainTargetSchema }, async ({ tx, input }) => {
  const domain = await withServiceRoleIn("domains.manage", tx.db, (db) => remove(db, input.tenantId, input.domainId));
  if (!domain) throw new ActionRefusal("That domain is not here: it was removed already, or belongs to another portal.", { reason: "not_found" });
  revalidatePath("/domains");
  revalidatePath("/customers/[slug]/domains", "page");
  return { data: { removed: true }, message: `${domain} removed. The portal no longer answers on it.`, target: { type: "custom_domain", id: input.domainId }, details: { domain } };
});
