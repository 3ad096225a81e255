"use server";
// Drafts (or recomputes) a month's invoices for every customer of the MSSP
// the PDP lets the caller bill (console /billing → Run a period).
import { revalidatePath } from "next/cache";
import { checkActionsForEach, principalFromClaims, type TenantResource } from "@/lib/authz";
import { draftPeriod as draft } from "@/lib/billing/invoices";
import { runPeriodSchema } from "@/lib/billing/schemas";
import { withServiceRoleIn } from "@/lib/db/service-role";
import { tenantAction } from "../guard";
import { requireKind } from "@/lib/billing/action-rules";

export const draftPeriod = tenantAction({ action: "billing:manage", audit: "billing:period-drafted", schema: runPeriodSchema }, async ({ tx, input, tenant }) => {
  requireKind(tenant, "mssp", "A period is run for an MSSP's customers.");
  const { rows } = await tx.client.query<TenantResource>(
    `select t.id, t.path::text as path, t.kind, t.status from public.tenants t join public.tenants m on m.id = $1
      where t.kind = 'customer' and t.path operator(extensions.<@) m.path`,
    [tenant.id],
  );
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), ["billing:manage"], rows);
  const allowed = rows.filter((r) => decisions.get(r.id)?.["billing:manage"]).map((r) => r.id);
  const stats = allowed.length ? await withServiceRoleIn("billing.invoicing", tx.db, (db) => draft(db.$client, input.month, allowed)) : { month: input.month, customers: 0, drafted: 0, finalized: 0, removed: 0 };
  revalidatePath("/billing");
  const removed = stats.removed ? ` ${stats.removed} draft${stats.removed === 1 ? "" : "s"} of customers no plan bills for ${input.month} any more removed.` : "";
  const message =
    stats.customers === 0
      ? `No customer has a plan for ${input.month}: assign plans first.${removed}`
      : `${stats.drafted} draft${stats.drafted === 1 ? "" : "s"} for ${input.month}${stats.finalized ? `; ${stats.finalized} already finalized, left as they are` : ""}. Review them, then finalize.${removed}`;
  return { data: stats, message, details: { ...stats } };
});
