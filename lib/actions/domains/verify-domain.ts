"use server";
// Checks a custom domain's DNS records now (domains:manage).
import { revalidatePath } from "next/cache";
import { ActionRefusal } from "@/lib/actions/refusal";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { verifyDomain as verify } from "@/lib/domains/store";
import { tenantAction } from "../guard";
import { domainTargetSchema } from "./schemas";

const RESULT = {
  ok: "Verified: the portal now answers on this domain.",
  wrong_token: "The TXT record exists but holds another value. Copy the value shown here exactly, then verify again.",
  missing: "No TXT record found yet. DNS changes can take a while to appear; try again in a few minutes.",
  dns_error: "The DNS server did not answer. Nothing changed; try again in a few minutes.",
  taken: "The records are right, but another portal already serves this domain: it proved it first. Nothing is routed here.",
  look_alike:
    "The records are right, but this name looks like a domain another portal serves (a look-alike or homograph), so it routes only once your provider approves it: ask your MSSP to add it for you from their console. Nothing is routed yet.",
} as const;

export const verifyDomain = tenantAction({ action: "domains:manage", audit: "domain.verified", schema: domainTargetSchema }, async ({ tx, input }) => {
  const r = await withServiceRoleIn("domains.manage", tx.db, (db) => verify(db, input.tenantId, input.domainId));
  if (!r) throw new ActionRefusal("That domain is not here: it was removed, or belongs to another portal.", { reason: "not_found" });
  // A check whose records are right but whose name (or a look-alike of it) another portal proved first says so (lib/domains/store.ts).
  const outcome = r.row.lastCheck === "taken" || r.row.lastCheck === "look_alike" ? r.row.lastCheck : r.check.outcome;
  revalidatePath("/domains");
  revalidatePath("/customers/[slug]/domains", "page");
  return {
    data: { status: r.row.status },
    message: RESULT[outcome],
    target: { type: "custom_domain", id: r.row.id },
    details: { domain: r.row.domain, outcome, status: r.row.status },
  };
});
