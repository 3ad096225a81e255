// Invoices: drafted from the usage rollups, finalized (numbered, immutable),
// corrected by credit notes. Every write here runs as the service role
// (purpose billing.invoicing) on a connection the caller hands in: the
// monthly job's own, or an action's withTenant transaction after the PDP
// allowed billing:manage on each customer (withServiceRoleIn). Not RLS-bound
// writes, because a suspended or offboarded customer's rows are closed to
// people by the freeze policies and its usage must still be invoiced.
import type pg from "pg";
import type { TenantTx } from "@/lib/db/with-tenant";
import { subtreeTotals } from "@/lib/usage/read";
import { USAGE_METRICS, type UsageMetric } from "@/lib/usage/metrics";
import { computeInvoice, periodOf, type InvoiceLine, type PlanPricing } from "./compute";
import { pricesOf } from "./plans";
import { usageReadiness, type FinalizeRefusal } from "./readiness";

type Queryable = Pick<pg.ClientBase, "query">;

export interface DraftStats {
  month: string;
  customers: number;
  drafted: number;
  /** Already finalized: left as they are. */
  finalized: number;
  /** Drafts of the month whose customer no longer has a plan of its MSSP that month: removed. */
  removed: number;
}

/**
 * Drafts (or recomputes) the invoice of every customer with a plan for
 * `month` ("YYYY-MM"), or of `customerIds` only. Idempotent: the same usage
 * and plan give the same draft, same id, same lines. Customers of any status
 * (a suspended or offboarded one is invoiced for what it used). Only a plan of
 * the customer's current MSSP (the root above it) bills it: an assignment to
 * the plan of an MSSP it has left is ignored. A draft of the month whose
 * customer (of those drafted) has no such plan is removed, unless `keepStale`.
 */
export async function draftPeriod(client: Queryable, month: string, customerIds?: readonly string[], opts: { keepStale?: boolean } = {}): Promise<DraftStats> {
  const period = periodOf(month);
  const { rows: customers } = await client.query<{
    id: string;
    mssp_id: string;
    plan_id: string;
    name: string;
    currency: string;
    base_fee: string;
    minimum: string;
    prices: Parameters<typeof pricesOf>[0];
  }>(
    `select t.id, r.id as mssp_id, p.id as plan_id, p.name, p.currency, p.base_fee::text, p.minimum::text,
            (select json_agg(json_build_object('metric', x.metric, 'included', x.included::text, 'unit_size', x.unit_size::text, 'tiers', x.tiers) order by x.metric)
               from public.billing_plan_prices x where x.tenant_id = p.tenant_id and x.plan_id = p.id) as prices
       from public.tenants t
       join public.tenants r on r.parent_id is null and t.path operator(extensions.<@) r.path
       join public.billing_plan_assignments a on a.tenant_id = t.id and a.plan_tenant_id = r.id and daterange(a.starts_on, a.ends_on) @> $1::date
       join public.billing_plans p on p.tenant_id = a.plan_tenant_id and p.id = a.plan_id
      where t.kind = 'customer' and ($2::uuid[] is null or t.id = any ($2::uuid[]))
      order by t.id`,
    [period.start, customerIds ? [...customerIds] : null],
  );
  const stats: DraftStats = { month, customers: customers.length, drafted: 0, finalized: 0, removed: 0 };
  if (!opts.keepStale) stats.removed = await removeStaleDrafts(client, period.start, customerIds, customers.map((c) => c.id));
  if (customers.length === 0) return stats;
  // The rollups, summed over each customer's subtree (lib/usage): counters summed, snapshots at their peak.
  const totals = await subtreeTotals({ client } as TenantTx, customers.map((c) => c.id), new Date(`${period.start}T00:00:00Z`), new Date(`${period.end}T00:00:00Z`));
  for (const c of customers) {
    const plan: PlanPricing = { name: c.name, currency: c.currency, baseFee: BigInt(c.base_fee), minimum: BigInt(c.minimum), prices: pricesOf(c.prices) };
    const t = totals.get(c.id)!;
    const usage = Object.fromEntries(USAGE_METRICS.map((m) => [m, BigInt(t[m].value)])) as Record<UsageMetric, bigint>;
    const computed = computeInvoice(plan, usage, period);
    await client.query(
      `insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_id, plan_name, subtotal, total)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (tenant_id, period_start) where kind = 'invoice' do nothing`,
      [c.id, c.mssp_id, period.start, period.end, plan.currency, c.plan_id, plan.name, computed.subtotal.toString(), computed.total.toString()],
    );
    const { rows } = await client.query<{ id: string; status: string }>(
      "select id, status from public.billing_invoices where tenant_id = $1 and period_start = $2 and kind = 'invoice' for update",
      [c.id, period.start],
    );
    if (rows[0].status === "finalized") {
      stats.finalized++;
      continue;
    }
    // The issuer too: a draft made before the customer moved is the new MSSP's now (numbered in its sequence).
    await client.query(
      `update public.billing_invoices set currency = $3, plan_id = $4, plan_name = $5, subtotal = $6, total = $7, period_end = $8, mssp_id = $9
        where tenant_id = $1 and id = $2`,
      [c.id, rows[0].id, plan.currency, c.plan_id, plan.name, computed.subtotal.toString(), computed.total.toString(), period.end, c.mssp_id],
    );
    await client.query("delete from public.billing_invoice_lines where tenant_id = $1 and invoice_id = $2", [c.id, rows[0].id]);
    await insertLines(client, c.id, rows[0].id, computed.lines);
    stats.drafted++;
  }
  return stats;
}

/**
 * Removes the month's invoice drafts of `customerIds` (every customer when absent) other than
 * `planned`'s: their plan assignment was ended, undone or replaced, or belongs to an MSSP the
 * customer left. A draft is recomputed from the usage whenever a plan bills the month again.
 */
async function removeStaleDrafts(client: Queryable, periodStart: string, customerIds: readonly string[] | undefined, planned: string[]): Promise<number> {
  const { rowCount } = await client.query(
    `delete from public.billing_invoices
      where kind = 'invoice' and status = 'draft' and period_start = $1::date
        and ($2::uuid[] is null or tenant_id = any ($2::uuid[])) and tenant_id <> all ($3::uuid[])`,
    [periodStart, customerIds ? [...customerIds] : null, planned],
  );
  return rowCount ?? 0;
}

async function insertLines(client: Queryable, tenantId: string, invoiceId: string, lines: InvoiceLine[]) {
  if (lines.length === 0) return;
  await client.query(
    `insert into public.billing_invoice_lines
       (tenant_id, invoice_id, line_no, kind, description, metric, quantity, included, billable, tier_from, tier_to, unit_size, unit_price, amount, usage_from, usage_to)
     select $1, $2, l.line_no, l.kind, l.description, l.metric, l.quantity, l.included, l.billable, l.tier_from, l.tier_to, l.unit_size, l.unit_price, l.amount, l.usage_from, l.usage_to
       from jsonb_to_recordset($3::jsonb) as l(line_no int, kind text, description text, metric text, quantity bigint, included bigint, billable bigint,
                                               tier_from bigint, tier_to bigint, unit_size bigint, unit_price bigint, amount bigint, usage_from date, usage_to date)`,
    [
      tenantId,
      invoiceId,
      // bigints as JSON strings: Postgres parses each exactly.
      JSON.stringify(
        lines.map((l) => ({
          line_no: l.lineNo,
          kind: l.kind,
          description: l.description,
          metric: l.metric,
          quantity: l.quantity.toString(),
          included: l.included.toString(),
          billable: l.billable.toString(),
          tier_from: l.tierFrom?.toString() ?? null,
          tier_to: l.tierTo?.toString() ?? null,
          unit_size: l.unitSize.toString(),
          unit_price: l.unitPrice.toString(),
          amount: l.amount.toString(),
          usage_from: l.usageFrom,
          usage_to: l.usageTo,
        })),
      ),
    ],
  );
}

export type FinalizeResult = { ok: true; number: number; displayNumber: string } | ({ ok: false } & FinalizeRefusal);

/**
 * Numbers and freezes a draft (the database assigns the MSSP's next number). A month still running is
 * not finalized, nor one whose usage the hourly rollup has not covered to its end (usageReadiness). An
 * invoice is drafted again first, under its row's lock, from the month's whole usage and the plan's
 * prices now: a draft made mid-month, or before a price change, is never what is frozen; a draft whose
 * month no plan of the customer's MSSP bills any more (an assignment undone or replaced, a move) is not
 * finalized at all (left as it is: the next run of the period removes it).
 */
export async function finalizeInvoice(client: Queryable, tenantId: string, invoiceId: string, userId: string | null, now = new Date()): Promise<FinalizeResult> {
  const { rows } = await client.query<{ status: string; period_start: string; period_end: string; kind: string }>(
    "select status, to_char(period_start, 'YYYY-MM') as period_start, to_char(period_end, 'YYYY-MM-DD') as period_end, kind from public.billing_invoices where tenant_id = $1 and id = $2 for update",
    [tenantId, invoiceId],
  );
  const inv = rows[0];
  if (!inv) return { ok: false, reason: "not_found" };
  if (inv.status === "finalized") return { ok: false, reason: "finalized" };
  if (inv.kind === "invoice") {
    if (inv.period_end > now.toISOString().slice(0, 10)) return { ok: false, reason: "open_period" };
    const ready = await usageReadiness(client, inv.period_end);
    if (!ready.ok) return { ok: false, reason: "usage_pending", month: inv.period_start, rolledUpTo: ready.rolledUpTo, readyAfter: ready.readyAfter };
    const drafted = await draftPeriod(client, inv.period_start, [tenantId], { keepStale: true });
    if (drafted.customers === 0) return { ok: false, reason: "no_plan", month: inv.period_start };
  }
  const { rows: done } = await client.query<{ number: number }>(
    "update public.billing_invoices set status = 'finalized', finalized_by = $3 where tenant_id = $1 and id = $2 and status = 'draft' returning number",
    [tenantId, invoiceId, userId],
  );
  return { ok: true, number: done[0].number, displayNumber: invoiceNumber(inv.kind, done[0].number) };
}

/**
 * Deletes a draft credit note (a mistaken amount, say: drafts count against what is left of the
 * invoice, so a wrong one would otherwise block the right one). A finalized note is a legal document
 * and stays (the immutability trigger refuses it too). False when there is no such draft.
 */
export async function discardCreditNote(client: Queryable, tenantId: string, id: string): Promise<{ credits: string } | null> {
  const { rows } = await client.query<{ credits: string }>(
    `select credits_invoice_id as credits from public.billing_invoices
      where tenant_id = $1 and id = $2 and kind = 'credit_note' and status = 'draft' for update`,
    [tenantId, id],
  );
  if (!rows[0]) return null;
  await client.query("delete from public.billing_invoice_lines where tenant_id = $1 and invoice_id = $2", [tenantId, id]);
  await client.query("delete from public.billing_invoices where tenant_id = $1 and id = $2 and status = 'draft'", [tenantId, id]);
  return rows[0];
}

export type CreditResult =
  | { ok: true; id: string }
  | { ok: false; reason: "not_found" | "not_finalized" | "too_much" | "other_currency"; remaining?: bigint; currency?: string };

/**
 * A credit note (a draft, finalized like an invoice) crediting `amount`
 * minor units of a finalized invoice, at most what is left of it after its
 * other credit notes (drafts included). `typedIn`: the currency the amount
 * was typed in (the form's); refused unless it is the invoice's, since the
 * same digits are another sum in another currency.
 */
export async function createCreditNote(client: Queryable, tenantId: string, invoiceId: string, amount: bigint, reason: string, typedIn?: string): Promise<CreditResult> {
  // The invoice is locked first, and what it was credited read after: read in the locking statement, the
  // sum would come from the snapshot taken before waiting for the lock, and two credit notes made at once
  // could together credit more than the invoice.
  const { rows } = await client.query<{ kind: string; status: string; total: string; number: number | null; mssp_id: string; period_start: string; period_end: string; currency: string; plan_id: string | null; plan_name: string; issuer_now: boolean }>(
    `select i.kind, i.status, i.total::text, i.number, i.mssp_id, to_char(i.period_start, 'YYYY-MM-DD') as period_start, to_char(i.period_end, 'YYYY-MM-DD') as period_end,
            i.currency, i.plan_id, i.plan_name,
            -- The MSSP that issued it still runs the customer (a customer moved to another MSSP is not theirs to credit).
            exists (select 1 from public.tenants t join public.tenants r on r.id = i.mssp_id
                     where t.id = i.tenant_id and t.path operator(extensions.<@) r.path) as issuer_now
       from public.billing_invoices i where i.tenant_id = $1 and i.id = $2 for update of i`,
    [tenantId, invoiceId],
  );
  const o = rows[0];
  if (!o || o.kind !== "invoice" || !o.issuer_now) return { ok: false, reason: "not_found" };
  if (o.status !== "finalized") return { ok: false, reason: "not_finalized" };
  if (typedIn !== undefined && typedIn !== o.currency) return { ok: false, reason: "other_currency", currency: o.currency };
  const { rows: sums } = await client.query<{ credited: string }>(
    `select coalesce(-sum(c.total), 0)::text as credited from public.billing_invoices c where c.tenant_id = $1 and c.credits_invoice_id = $2`,
    [tenantId, invoiceId],
  );
  const remaining = BigInt(o.total) - BigInt(sums[0].credited);
  if (amount > remaining) return { ok: false, reason: "too_much", remaining };
  const { rows: made } = await client.query<{ id: string }>(
    `insert into public.billing_invoices (tenant_id, mssp_id, kind, period_start, period_end, currency, plan_id, plan_name, subtotal, total, credits_invoice_id, reason)
     values ($1, $2, 'credit_note', $3, $4, $5, $6, $7, $8, $8, $9, $10) returning id`,
    [tenantId, o.mssp_id, o.period_start, o.period_end, o.currency, o.plan_id, o.plan_name, (-amount).toString(), invoiceId, reason],
  );
  await insertLines(client, tenantId, made[0].id, [
    {
      lineNo: 1,
      kind: "credit",
      description: `Credit for ${invoiceNumber("invoice", o.number)}: ${reason}`.slice(0, 300),
      metric: null,
      quantity: 0n,
      included: 0n,
      billable: 1n,
      tierFrom: null,
      tierTo: null,
      unitSize: 1n,
      unitPrice: -amount,
      amount: -amount,
      usageFrom: o.period_start,
      usageTo: o.period_end,
    },
  ]);
  return { ok: true, id: made[0].id };
}

/** "INV-000042", "CN-000043", or "Draft". */
export const invoiceNumber = (kind: string, number: number | null): string =>
  number === null ? "Draft" : `${kind === "credit_note" ? "CN" : "INV"}-${String(number).padStart(6, "0")}`;
