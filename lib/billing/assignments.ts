// Correcting a plan assignment made by mistake, in the caller's withTenant transaction (RLS: the
// MSSP's admins). The assignment starting in a month is replaced by one to another plan over the
// same period, as long as no invoice of that period is finalized (a finalized invoice was billed at
// it: it stays, and the invoice is corrected by a credit note). Drafts of the period are recomputed
// at the new plan the next time the period is run, and when each is finalized.
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";

export interface Replaced {
  id: string;
  planId: string;
  planName: string;
}

/**
 * The first month ("YYYY-MM") of an assignment's period [`from`, `endsOn`) ("YYYY-MM-DD"; no end: null)
 * whose invoice of the customer is finalized, or null. Such an assignment was billed: it is not replaced
 * or removed (a bulk run's undo leaves it too); the invoice is corrected by a credit note.
 */
export async function finalizedInvoiceMonth(tx: TenantTx, customerId: string, from: string, endsOn: string | null): Promise<string | null> {
  const { rows } = await tx.client.query<{ month: string }>(
    `select to_char(period_start, 'YYYY-MM') as month from public.billing_invoices
      where tenant_id = $1 and kind = 'invoice' and status = 'finalized' and period_start >= $2::date and ($3::date is null or period_start < $3::date)
      order by period_start limit 1`,
    [customerId, from, endsOn],
  );
  return rows[0]?.month ?? null;
}

/**
 * Replaces the customer's assignment that starts on `from` ("YYYY-MM-01") by one to `planId` (of the
 * MSSP `planTenantId`) over the same period. Refused with a sentence when there is none, when it is
 * to another MSSP's plan or to this one already, or when an invoice of its period is finalized.
 */
export async function replaceAssignment(tx: TenantTx, customerId: string, planTenantId: string, planId: string, from: string, userId: string): Promise<{ id: string; replaced: Replaced }> {
  const month = from.slice(0, 7);
  const { rows } = await tx.client.query<{ id: string; plan_id: string; plan_tenant_id: string; plan_name: string | null; ends_on: string | null }>(
    `select a.id, a.plan_id, a.plan_tenant_id, p.name as plan_name, to_char(a.ends_on, 'YYYY-MM-DD') as ends_on
       from public.billing_plan_assignments a
       left join public.billing_plans p on p.tenant_id = a.plan_tenant_id and p.id = a.plan_id
      where a.tenant_id = $1 and a.starts_on = $2::date
        for update of a`,
    [customerId, from],
  );
  const old = rows[0];
  if (!old) throw new ActionRefusal(`No plan assignment of this customer starts in ${month}, so there is nothing to replace. Assign without "Replace" to bill it at this plan from then. Nothing was changed.`);
  if (old.plan_tenant_id !== planTenantId || old.plan_name === null)
    throw new ActionRefusal(`The assignment from ${month} is to another MSSP's plan (from before the customer moved): it is not this MSSP's to replace. Nothing was changed.`);
  if (old.plan_id === planId) throw new ActionRefusal(`${old.plan_name} already bills this customer from ${month}. Nothing was changed.`);
  const billed = await finalizedInvoiceMonth(tx, customerId, from, old.ends_on);
  if (billed)
    throw new ActionRefusal(
      `The invoice of ${billed} was finalized at ${old.plan_name} (assigned from ${month}), so that assignment stays. Assign the right plan from a later month, and correct the invoice with a credit note. Nothing was changed.`,
    );
  await tx.client.query("delete from public.billing_plan_assignments where tenant_id = $1 and id = $2", [customerId, old.id]);
  const { rows: made } = await tx.client.query<{ id: string }>(
    "insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on, ends_on, created_by) values ($1, $2, $3, $4::date, $5::date, $6) returning id",
    [customerId, planTenantId, planId, from, old.ends_on, userId],
  );
  return { id: made[0].id, replaced: { id: old.id, planId: old.plan_id, planName: old.plan_name } };
}
