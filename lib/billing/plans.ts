// An MSSP's plans and which customer is billed at which, in the caller's
// withTenant transaction: RLS lets only the MSSP's admins read or change them,
// and the database refuses the rest (overlapping periods, a currency
// mismatch, another MSSP's plan, prices of a plan already invoiced). This
// module turns those refusals into sentences.
import { ActionRefusal } from "@/lib/actions/refusal";
import type { TenantTx } from "@/lib/db/with-tenant";
import { sqlState } from "@/lib/db/sql-state";
import type { UsageMetric } from "@/lib/usage/metrics";
import { replaceAssignment, type Replaced } from "./assignments";
import type { PlanPricing } from "./compute";
import type { PlanInput } from "./schemas";

export interface Plan extends PlanPricing {
  tenantId: string;
  id: string;
  customers: number;
  invoiced: boolean;
  /** Ever assigned to a customer (past or present): the plan is kept for that history and cannot be deleted. */
  assigned: boolean;
}

interface PriceRow {
  metric: UsageMetric;
  included: string;
  unit_size: string;
  tiers: { up_to: number | string | null; unit_price: number | string }[];
}

export const pricesOf = (rows: PriceRow[] | null) =>
  (rows ?? []).map((p) => ({
    metric: p.metric,
    included: BigInt(p.included),
    unitSize: BigInt(p.unit_size),
    tiers: p.tiers.map((t) => ({ upTo: t.up_to === null ? null : BigInt(t.up_to), unitPrice: BigInt(t.unit_price) })),
  }));

/** Tiers as stored (jsonb numbers; bounded far below 2^53 by the checks). */
const tiersJson = (p: PlanInput["prices"][number]) => JSON.stringify(p.tiers.map((t) => ({ up_to: t.upTo === null ? null : Number(t.upTo), unit_price: Number(t.unitPrice) })));

const PLAN_SQL = `
  select p.tenant_id, p.id, p.name, p.currency, p.base_fee::text, p.minimum::text,
         (select json_agg(json_build_object('metric', x.metric, 'included', x.included::text, 'unit_size', x.unit_size::text, 'tiers', x.tiers) order by x.metric)
            from public.billing_plan_prices x where x.tenant_id = p.tenant_id and x.plan_id = p.id) as prices,
         (select count(distinct a.tenant_id)::int from public.billing_plan_assignments a
           where a.plan_tenant_id = p.tenant_id and a.plan_id = p.id and (a.ends_on is null or a.ends_on > now()::date)) as customers,
         exists (select 1 from public.billing_invoices i where i.plan_id = p.id and i.status = 'finalized') as invoiced,
         exists (select 1 from public.billing_plan_assignments a where a.plan_tenant_id = p.tenant_id and a.plan_id = p.id) as assigned
    from public.billing_plans p`;

type PlanRow = { tenant_id: string; id: string; name: string; currency: string; base_fee: string; minimum: string; prices: PriceRow[] | null; customers: number; invoiced: boolean; assigned: boolean };
const planOf = (r: PlanRow): Plan => ({
  tenantId: r.tenant_id,
  id: r.id,
  name: r.name,
  currency: r.currency,
  baseFee: BigInt(r.base_fee),
  minimum: BigInt(r.minimum),
  prices: pricesOf(r.prices),
  customers: r.customers,
  invoiced: r.invoiced,
  assigned: r.assigned,
});

export async function listPlans(tx: TenantTx, msspId: string): Promise<Plan[]> {
  const { rows } = await tx.client.query<PlanRow>(`${PLAN_SQL} where p.tenant_id = $1 order by lower(p.name)`, [msspId]);
  return rows.map(planOf);
}

export async function getPlan(tx: TenantTx, msspId: string, planId: string): Promise<Plan | null> {
  const { rows } = await tx.client.query<PlanRow>(`${PLAN_SQL} where p.tenant_id = $1 and p.id = $2`, [msspId, planId]);
  return rows[0] ? planOf(rows[0]) : null;
}

/** Database refusals as sentences (the messages are the migration's own, naming no input). */
export function refusalOf(error: unknown): ActionRefusal | null {
  const e = error as { code?: string; hint?: string; message?: string; constraint?: string };
  const state = sqlState(error);
  if (state === "23505" && (e.constraint ?? "").includes("billing_plans_name")) return new ActionRefusal("A plan with that name exists already. Nothing was changed.");
  if (state === "23505") return new ActionRefusal("That exists already. Nothing was changed.");
  if ((state === "23514" || state === "23P01" || state === "55000") && e.hint && e.message) return new ActionRefusal(`${e.message[0].toUpperCase()}${e.message.slice(1)}. Nothing was changed.`, { hint: e.hint });
  if (state === "23514") return new ActionRefusal("A value is outside what a plan allows (prices and quantities are whole numbers, 0 or more). Nothing was changed.");
  if (state === "23503" && (e.constraint ?? "").includes("plan")) return new ActionRefusal("That plan is assigned to customers; end the assignments first. Nothing was changed.");
  return null;
}

async function refusing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw refusalOf(error) ?? error;
  }
}

/** A plan's prices as one comparable text, whatever their order. */
const pricesKey = (prices: readonly PlanInput["prices"][number][]) =>
  JSON.stringify([...prices].sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0)), (_k, v) => (typeof v === "bigint" ? v.toString() : v));

async function writePrices(tx: TenantTx, msspId: string, planId: string, prices: PlanInput["prices"]) {
  await tx.client.query("delete from public.billing_plan_prices where tenant_id = $1 and plan_id = $2", [msspId, planId]);
  for (const p of prices) {
    await tx.client.query(
      "insert into public.billing_plan_prices (tenant_id, plan_id, metric, included, unit_size, tiers) values ($1, $2, $3, $4, $5, $6::jsonb)",
      [msspId, planId, p.metric, p.included.toString(), p.unitSize.toString(), tiersJson(p)],
    );
  }
}

/** A new plan of the MSSP `input.tenantId` (a refusal aborts the caller's transaction: nothing is saved). */
export function createPlan(tx: TenantTx, input: PlanInput): Promise<{ id: string }> {
  return refusing(async () => {
    const { rows } = await tx.client.query<{ id: string }>(
      "insert into public.billing_plans (tenant_id, name, currency, base_fee, minimum) values ($1, $2, $3, $4, $5) returning id",
      [input.tenantId, input.name, input.currency, input.baseFee.toString(), input.minimum.toString()],
    );
    await writePrices(tx, input.tenantId, rows[0].id, input.prices);
    return { id: rows[0].id };
  });
}

export function updatePlan(tx: TenantTx, planId: string, input: PlanInput): Promise<void> {
  return refusing(async () => {
    const before = await getPlan(tx, input.tenantId, planId);
    if (!before) throw new ActionRefusal("That plan is not here: it may have been deleted. Nothing was changed.");
    // Any assignment, ended ones too, or any invoice, drafts too: their invoices would mix currencies. (Under
    // RLS this sees the MSSP's customers; the database's billing.guard_plan_currency sees the moved ones too.)
    if (before.currency !== input.currency) {
      const { rows: used } = await tx.client.query<{ used: boolean }>(
        `select exists (select 1 from public.billing_plan_assignments a where a.plan_tenant_id = $1 and a.plan_id = $2)
             or exists (select 1 from public.billing_invoices i where i.mssp_id = $1 and i.plan_id = $2) as used`,
        [input.tenantId, planId],
      );
      if (used[0].used)
        throw new ActionRefusal(`Currency mismatch: this plan is assigned to customers (now or before) or is on their invoices, in ${before.currency}; their invoices would mix currencies. Create a new plan in ${input.currency} instead. Nothing was changed.`);
    }
    await tx.client.query("update public.billing_plans set name = $3, currency = $4, base_fee = $5, minimum = $6 where tenant_id = $1 and id = $2", [
      input.tenantId,
      planId,
      input.name,
      input.currency,
      input.baseFee.toString(),
      input.minimum.toString(),
    ]);
    // Prices are rewritten only when they changed: the database refuses any price write on an invoiced plan.
    // Compared by metric (the stored ones come back in the metric's alphabetical order, the form's in the
    // registry's): a rename of an invoiced plan with two priced metrics was refused as a price change.
    if (pricesKey(before.prices) !== pricesKey(input.prices)) await writePrices(tx, input.tenantId, planId, input.prices);
  });
}

export interface CustomerPlanRow {
  id: string;
  slug: string;
  name: string;
  status: string;
  msspId: string;
  plan: { assignmentId: string; planId: string; name: string; currency: string; from: string } | null;
}

/**
 * The customers below the MSSP `$1` (RLS) as `t`, each with the assignment `a` and plan `p`
 * billing it on the day `$2`, if any: the list below and the console's paged list and
 * per-plan counts (lib/billing/console-page.ts) read the same rows.
 */
/**
 * The customers below the MSSP ($1, RLS) with the plan billing each on the day $2 ("a", null when
 * none): `select <columns>` over them, then `tail` (more conditions on t, grouping, order, limit).
 *
 * Why the assignments come first, read once (a materialized CTE): joined per customer, each of the
 * ~1,000 probes into the assignments and the plans paid the RLS policy's array of the MSSP admin's
 * 1,610 visible tenants again (about 24 us a probe and table): 59 ms for the customer list at 1,000
 * customers, 6 ms this way (`npm run bench -- --only=pages`: /billing, /compare).
 */
export function customerPlansSql(columns: string, tail = ""): string {
  return `
    with a as materialized (
      select a.tenant_id, a.id, a.plan_id, a.starts_on, p.name as plan_name, p.currency
        from public.billing_plan_assignments a
        join public.billing_plans p on p.tenant_id = a.plan_tenant_id and p.id = a.plan_id
       where daterange(a.starts_on, a.ends_on) @> $2::date)
    select ${columns}
      from public.tenants t
      join public.tenants m on m.id = $1 and t.path operator(extensions.<@) m.path
      left join a on a.tenant_id = t.id
     where t.kind = 'customer' ${tail}`;
}

export const CUSTOMER_PLAN_COLUMNS = `t.id, t.slug, t.name, t.status::text, a.id as a_id, a.plan_id, a.plan_name, a.currency, to_char(a.starts_on, 'YYYY-MM') as starts_on`;
export type CustomerPlanRaw = { id: string; slug: string; name: string; status: string; a_id: string | null; plan_id: string | null; plan_name: string | null; currency: string | null; starts_on: string | null };

export const customerPlanOf = (msspId: string) => (r: CustomerPlanRaw): CustomerPlanRow => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  status: r.status,
  msspId,
  plan: r.a_id ? { assignmentId: r.a_id, planId: r.plan_id!, name: r.plan_name!, currency: r.currency!, from: r.starts_on! } : null,
});

/** Every customer below the MSSP (RLS), with the plan billing it this month, if any. */
export async function listCustomerPlans(tx: TenantTx, msspId: string, today = new Date()): Promise<CustomerPlanRow[]> {
  const { rows } = await tx.client.query<CustomerPlanRaw>(customerPlansSql(CUSTOMER_PLAN_COLUMNS, "order by lower(t.name)"), [msspId, today.toISOString().slice(0, 10)]);
  return rows.map(customerPlanOf(msspId));
}

/**
 * Bills the customer at `planId` from the first day of `fromMonth`: an open
 * assignment that started earlier ends there; one starting on or after it is
 * refused (the database's overlap check says so). With `replace`, the
 * assignment starting that very month (a mistake) is replaced instead, over
 * its period (lib/billing/assignments.ts: refused once an invoice of that
 * period is finalized).
 */
export function assignPlan(tx: TenantTx, customerId: string, planId: string, fromMonth: string, userId: string, opts: { replace?: boolean } = {}): Promise<{ id: string; replaced?: Replaced }> {
  return refusing(async () => {
    const from = `${fromMonth}-01`;
    const { rows: kind } = await tx.client.query<{ kind: string }>("select kind from public.tenants where id = $1", [customerId]);
    if (kind[0]?.kind !== "customer") throw new ActionRefusal("Plans are assigned to customers: a site is billed with its customer. Nothing was changed.");
    const { rows: plan } = await tx.client.query<{ tenant_id: string }>("select tenant_id from public.billing_plans where id = $1", [planId]);
    if (!plan[0]) throw new ActionRefusal("That plan is not here: it may have been deleted, or it belongs to another MSSP. Nothing was changed.");
    if (opts.replace) return replaceAssignment(tx, customerId, plan[0].tenant_id, planId, from, userId);
    const { rows: same } = await tx.client.query<{ name: string | null }>(
      `select p.name from public.billing_plan_assignments a left join public.billing_plans p on p.tenant_id = a.plan_tenant_id and p.id = a.plan_id
        where a.tenant_id = $1 and a.starts_on = $2::date`,
      [customerId, from],
    );
    if (same[0])
      throw new ActionRefusal(
        `${same[0].name ?? "Another plan"} already bills this customer from ${fromMonth}. If that was a mistake, assign again with "Replace the plan assigned from that month" ticked (while no invoice of its period is finalized). Nothing was changed.`,
      );
    await tx.client.query(
      "update public.billing_plan_assignments set ends_on = $2::date where tenant_id = $1 and ends_on is null and starts_on < $2::date",
      [customerId, from],
    );
    const { rows } = await tx.client.query<{ id: string }>(
      "insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on, created_by) values ($1, $2, $3, $4::date, $5) returning id",
      [customerId, plan[0].tenant_id, planId, from, userId],
    );
    return { id: rows[0].id };
  });
}

/**
 * Deletes a plan that never billed anyone (a mistake, a draft that was not
 * used). One that was ever assigned is refused by the database (the
 * assignments' foreign key restricts it; invoices keep their own copy of the
 * name, assignments do not), so its customers' history keeps its plan.
 */
export function deletePlan(tx: TenantTx, msspId: string, planId: string): Promise<{ name: string }> {
  return refusing(async () => {
    try {
      const { rows } = await tx.client.query<{ name: string }>("delete from public.billing_plans where tenant_id = $1 and id = $2 returning name", [msspId, planId]);
      if (!rows[0]) throw new ActionRefusal("That plan is not here: it may have been deleted already. Nothing was changed.");
      return rows[0];
    } catch (error) {
      // The assignments' foreign key, on a delete: the plan has a history. (refusalOf's sentence for the
      // same code is about writing an assignment, which is not what happened here.)
      if (sqlState(error) === "23503") throw new ActionRefusal("That plan bills or has billed customers, so it stays for their history (edit it, or create a new plan and assign that). Nothing was changed.");
      throw error;
    }
  });
}
