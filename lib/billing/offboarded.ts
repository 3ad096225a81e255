// What billing keeps of an offboarded customer until it is invoiced (docs/billing.md "Offboarded
// customers"). The offboarding purge keeps, besides finalized invoices, the usage (events, rollups,
// API minute counts), plan assignments and invoice drafts of every UTC month still unbilled
// (OFFBOARD_KEPT_ROWS, lib/lifecycle/catalog.ts, through billing.month_unbilled, migration
// 20261201032000), so the monthly drafting invoices that month like any other. Here:
//   - endPlansAtOffboarding: the purge first ends the subtree's customers' plans with the month it
//     runs in, so a tombstone is never billed a base fee for the months after;
//   - releaseOffboardedBilling: the clean-up run by the monthly billing job, which removes those rows
//     of offboarded (deprovisioned) tenants once nothing is left to bill (their month's invoice is
//     finalized, or no plan bills it).
// Both run as the service role on a connection the caller hands in (the purge's lifecycle.workflow
// transaction, the billing job's billing.invoicing one).
import type pg from "pg";

type Queryable = Pick<pg.ClientBase, "query">;

/**
 * Ends each open (or later-ending) plan assignment of the customers among `tenantIds` on the first
 * day of the next UTC month (end exclusive: the month of the offboarding is still billed) and removes
 * those starting after it. Only assignments to a plan of the customer's current MSSP: the others were
 * ended by its move and bill nothing. Idempotent. Returns how many rows changed.
 */
export async function endPlansAtOffboarding(client: Queryable, tenantIds: readonly string[]): Promise<number> {
  const scope = `a.tenant_id = any ($1::uuid[])
     and exists (select 1 from public.tenants t join public.tenants r on r.parent_id is null and r.path operator(extensions.@>) t.path
                  where t.id = a.tenant_id and t.kind = 'customer' and r.id = a.plan_tenant_id)`;
  const next = `(date_trunc('month', now() at time zone 'UTC') + interval '1 month')::date`;
  const removed = await client.query(`delete from public.billing_plan_assignments a where ${scope} and a.starts_on >= ${next}`, [[...tenantIds]]);
  const ended = await client.query(
    `update public.billing_plan_assignments a set ends_on = ${next} where ${scope} and (a.ends_on is null or a.ends_on > ${next})`,
    [[...tenantIds]],
  );
  return (removed.rowCount ?? 0) + (ended.rowCount ?? 0);
}

export interface ReleaseStats {
  /** Usage events, rollups and API minute counts removed. */
  usage: number;
  /** Invoice drafts of a month no plan bills any more removed (their lines with them). */
  drafts: number;
  /** Plan assignments every month of which is invoiced and finalized removed. */
  assignments: number;
}

/**
 * Removes what an offboarding kept for billing once nothing is left to bill, for every deprovisioned
 * tenant: usage of a month whose invoice is finalized or which no plan of its customer's MSSP covers,
 * drafts of such a month, then assignments all of whose months are finalized. Idempotent; the
 * finalized invoices stay (billing law). Run by the monthly billing job (lib/billing/tasks.ts).
 */
export async function releaseOffboardedBilling(client: Queryable): Promise<ReleaseStats> {
  const gone = "array(select id from public.tenants where status = 'deprovisioned')";
  let usage = 0;
  for (const [table, at] of [
    ["public.usage_events", "k.occurred_at"],
    ["public.usage_rollups", "k.period_start"],
    ["usage.api_request_counts", "k.minute"],
  ] as const) {
    const r = await client.query(`delete from ${table} k where k.tenant_id = any (${gone}) and not billing.month_unbilled(k.tenant_id, (${at} at time zone 'UTC')::date)`);
    usage += r.rowCount ?? 0;
  }
  // A draft's lines go with it (on delete cascade).
  const drafts = await client.query(
    `delete from public.billing_invoices k
      where k.tenant_id = any (${gone}) and k.status = 'draft' and k.kind = 'invoice' and not billing.month_unbilled(k.tenant_id, k.period_start)`,
  );
  const assignments = await client.query(
    `delete from public.billing_plan_assignments k where k.tenant_id = any (${gone}) and not billing.assignment_unbilled(k.tenant_id, k.starts_on, k.ends_on)`,
  );
  return { usage, drafts: drafts.rowCount ?? 0, assignments: assignments.rowCount ?? 0 };
}
