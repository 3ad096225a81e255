// Billing corrections (lib/billing, migration 20261201028900) on a real Postgres with real RLS:
//   - a customer moved to another MSSP is never drafted at its old MSSP's plan; the move ends those
//     assignments, and the new MSSP bills it at its own plan (in its own currency);
//   - a draft whose month no plan bills any more is not finalized; running the period removes it;
//   - an invoice is not finalized before its month's last hour is rolled up, and the refusal says when;
//   - a mistaken assignment is replaced for its own month, until an invoice of its period is finalized;
//   - a plan's currency does not change while any assignment (ended too) or invoice references it.
// Months are relative to today (a move ends assignments at the current month's first day).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { draftPeriod, finalizeInvoice } from "@/lib/billing/invoices";
import { assignPlan, createPlan, updatePlan, type Plan } from "@/lib/billing/plans";
import { finalizeRefusalMessage } from "@/lib/billing/readiness";
import { withServiceRole } from "@/lib/db/service-role";
import { moveTenant } from "@/lib/lifecycle/move";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as, asOwnerRolledBack, assertRefused } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const now = new Date();
const monthOf = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
const [M2, M1, M0, F2] = [monthOf(-2), monthOf(-1), monthOf(0), monthOf(2)];

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const service = <T>(fn: (c: Parameters<typeof draftPeriod>[0]) => Promise<T>) => withServiceRole("billing.invoicing", (d) => fn(d.$client));
const setRollupMark = (at: string) => owner("insert into usage.rollup_state (singleton, scanned_to) values (true, $1) on conflict (singleton) do update set scanned_to = excluded.scanned_to", [at]);

let n = 0;
async function customer(parent: "mssp-a" | "mssp-b"): Promise<string> {
  const slug = `fix-${++n}`;
  const [row] = await owner<{ id: string }>("insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, 'customer') returning id", [fx.tenants[parent], slug, `Fix ${n}`]);
  return row.id;
}
const planInput = (mssp: "mssp-a" | "mssp-b", name: string, currency: string, baseFee: bigint) => ({ tenantId: fx.tenants[mssp], name, currency, baseFee, minimum: 0n, prices: [] });
const newPlan = (mssp: "mssp-a" | "mssp-b", name: string, currency = "EUR", baseFee = 10_000n) =>
  as(fx, mssp === "mssp-a" ? "msspAdmin" : "msspBAdmin", async (tx) => (await createPlan(tx, planInput(mssp, name, currency, baseFee))).id);
const assign = (customerId: string, planId: string, from: string, replace = false, user: "msspAdmin" | "msspBAdmin" = "msspAdmin") =>
  as(fx, user, (tx) => assignPlan(tx, customerId, planId, from, fx.users[user], { replace }));
const periods = async (customerId: string) =>
  (await owner<{ p: string }>(
    `select p.name || ' ' || to_char(a.starts_on, 'YYYY-MM') || '..' || coalesce(to_char(a.ends_on, 'YYYY-MM'), '') as p
       from public.billing_plan_assignments a join public.billing_plans p on p.id = a.plan_id where a.tenant_id = $1 order by a.starts_on`,
    [customerId],
  )).map((r) => r.p);
const invoiceOf = async (customerId: string, month: string) =>
  (await owner<{ id: string; status: string; mssp_id: string; currency: string; plan_name: string; total: string }>(
    "select id, status, mssp_id, currency, plan_name, total::text from public.billing_invoices where tenant_id = $1 and period_start = $2::date and kind = 'invoice'",
    [customerId, `${month}-01`],
  ))[0];

let A1: string;
let A2: string;
let B1: string;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  A1 = await newPlan("mssp-a", "A One", "EUR", 10_000n);
  A2 = await newPlan("mssp-a", "A Two", "EUR", 20_000n);
  B1 = await newPlan("mssp-b", "B One", "USD", 30_000n);
  await setRollupMark(now.toISOString());
});
after(() => db?.drop());

test("a customer moved to another MSSP is never drafted at the old MSSP's plan; the move ends those assignments and the new MSSP bills it", async () => {
  const c = await customer("mssp-a");
  await assign(c, A1, M2);
  await assign(c, A2, F2); // a future change, made before the move
  await service((cl) => draftPeriod(cl, M1, [c]));
  await service((cl) => draftPeriod(cl, M0, [c]));
  const before = await invoiceOf(c, M0);
  assert.equal(before.mssp_id, fx.tenants["mssp-a"]);

  await withServiceRole("lifecycle.workflow", (d) => moveTenant(d, c, fx.tenants["mssp-b"]));
  // The old MSSP's assignment ends at this month's first day; the one not started yet is gone.
  assert.deepEqual(await periods(c), [`A One ${M2}..${M0}`]);
  // Last month (still covered by the old assignment): not drafted at mssp-a's plan; its old draft is removed.
  assert.deepEqual(await service((cl) => draftPeriod(cl, M1, [c])), { month: M1, customers: 0, drafted: 0, finalized: 0, removed: 1 });
  assert.equal(await invoiceOf(c, M1), undefined);
  // Even an assignment the move did not end (reopened by the owner, triggers off) bills nobody under another MSSP.
  const reopen = (end: string | null) =>
    withClient(db.url, async (cl) => {
      await cl.query("begin");
      await cl.query("set local session_replication_role = replica");
      await cl.query("update public.billing_plan_assignments set ends_on = $2::date where tenant_id = $1", [c, end]);
      await cl.query("commit");
    });
  await reopen(null);
  assert.equal((await service((cl) => draftPeriod(cl, M0, [c], { keepStale: true }))).customers, 0);
  await reopen(`${M0}-01`);

  // The new MSSP assigns its own plan from this month, in its own currency, and the draft is its.
  await assign(c, B1, M0, false, "msspBAdmin");
  assert.deepEqual(await periods(c), [`A One ${M2}..${M0}`, `B One ${M0}..`]);
  await service((cl) => draftPeriod(cl, M0, [c]));
  const after = await invoiceOf(c, M0);
  assert.deepEqual([after.id, after.mssp_id, after.currency, after.plan_name, after.total], [before.id, fx.tenants["mssp-b"], "USD", "B One", "30000"]);
  // The old MSSP's admin no longer sees the customer's assignments or invoices.
  assert.equal(await as(fx, "msspAdmin", async (tx) => (await tx.client.query("select 1 from public.billing_plan_assignments where tenant_id = $1", [c])).rowCount), 0);
});

test("a draft whose month no plan bills any more is not finalized, and running the period removes it", async () => {
  const c = await customer("mssp-a");
  const { id: assignment } = await assign(c, A1, M1);
  await service((cl) => draftPeriod(cl, M1, [c]));
  const draft = await invoiceOf(c, M1);
  // The assignment undone (as a bulk run's undo does: the MSSP admin's delete under RLS).
  await as(fx, "msspAdmin", (tx) => tx.client.query("delete from public.billing_plan_assignments where tenant_id = $1 and id = $2", [c, assignment]));
  const r = await service((cl) => finalizeInvoice(cl, c, draft.id, null));
  assert.deepEqual(r, { ok: false, reason: "no_plan", month: M1 });
  if (!r.ok) assert.match(finalizeRefusalMessage(r), new RegExp(`No plan of this MSSP bills this customer for ${M1} any more.*Assign a plan for ${M1}`));
  const [left] = await owner<{ status: string; number: number | null }>("select status, number from public.billing_invoices where id = $1", [draft.id]);
  assert.deepEqual(left, { status: "draft", number: null });
  // Running the period removes the stale draft (its lines with it); other customers' drafts stay.
  const other = await customer("mssp-a");
  await assign(other, A1, M1);
  const stats = await service((cl) => draftPeriod(cl, M1, [c, other]));
  assert.deepEqual([stats.customers, stats.drafted, stats.removed], [1, 1, 1]);
  assert.equal((await owner("select 1 from public.billing_invoices where id = $1 union all select 1 from public.billing_invoice_lines where invoice_id = $1", [draft.id])).length, 0);
  assert.ok(await invoiceOf(other, M1));
});

test("an invoice is not finalized before its month's last hour is rolled up, and the refusal says when it can be", async () => {
  const c = await customer("mssp-a");
  await assign(c, A1, M1);
  await service((cl) => draftPeriod(cl, M1, [c]));
  const { id } = await invoiceOf(c, M1);
  try {
    // No rollup ever ran.
    await owner("delete from usage.rollup_state");
    const never = await service((cl) => finalizeInvoice(cl, c, id, null));
    assert.equal(never.ok, false);
    if (!never.ok) assert.match(finalizeRefusalMessage(never), new RegExp(`usage of ${M1} is not fully rolled up yet \\(the hourly usage rollup has not run yet\\)\\. It can be finalized once the hourly usage rollup has run after ${M0}-01 01:00 UTC`));
    // The 00:30 run scanned up to 00:30 less its one-hour margin: the month's last hour may still be missing.
    await setRollupMark(`${M0}-01T00:30:00Z`);
    const early = await service((cl) => finalizeInvoice(cl, c, id, null));
    assert.deepEqual(early, { ok: false, reason: "usage_pending", month: M1, rolledUpTo: new Date(`${M1}-${lastDay(M1)}T23:30:00Z`), readyAfter: new Date(`${M0}-01T01:00:00Z`) });
    if (!early.ok) assert.match(finalizeRefusalMessage(early), new RegExp(`covered usage recorded up to ${M1}-${lastDay(M1)} 23:30 UTC\\)\\. It can be finalized once the hourly usage rollup has run after ${M0}-01 01:00 UTC`));
    assert.equal((await invoiceOf(c, M1)).status, "draft");
    // The 01:05 run covered it.
    await setRollupMark(`${M0}-01T01:05:00Z`);
    assert.equal((await service((cl) => finalizeInvoice(cl, c, id, null))).ok, true);
  } finally {
    await setRollupMark(now.toISOString());
  }
});
const lastDay = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();

test("a mistaken assignment is replaced for its own month until an invoice of its period is finalized", async () => {
  const c = await customer("mssp-a");
  await assign(c, A1, M2);
  await assign(c, A2, M1); // the mistake: A Two from last month
  await service((cl) => draftPeriod(cl, M1, [c]));
  assert.equal((await invoiceOf(c, M1)).plan_name, "A Two");
  // Assigning again for the same month without "replace": refused with the way to correct it.
  await assert.rejects(() => assign(c, A1, M1), new RegExp(`A Two already bills this customer from ${M1}\\. If that was a mistake, assign again with "Replace the plan assigned from that month" ticked`));
  const replaced = await assign(c, A1, M1, true);
  assert.equal(replaced.replaced?.planName, "A Two");
  assert.deepEqual(await periods(c), [`A One ${M2}..${M1}`, `A One ${M1}..`]);
  // Nothing to replace in a month where no assignment starts; another MSSP's plan is not here.
  await assert.rejects(() => assign(c, A2, M0, true), new RegExp(`No plan assignment of this customer starts in ${M0}`));
  await assert.rejects(() => assign(c, B1, M1, true), /That plan is not here/);
  await assert.rejects(() => assign(c, A1, M1, true), new RegExp(`A One already bills this customer from ${M1}`));
  // The draft is finalized at the right plan.
  const { id } = await invoiceOf(c, M1);
  assert.equal((await service((cl) => finalizeInvoice(cl, c, id, null))).ok, true);
  assert.deepEqual([(await invoiceOf(c, M1)).plan_name, (await invoiceOf(c, M1)).total], ["A One", "10000"]);
  // Finalized: that assignment stays.
  const before = await periods(c);
  await assert.rejects(() => assign(c, A2, M1, true), new RegExp(`The invoice of ${M1} was finalized at A One \\(assigned from ${M1}\\), so that assignment stays`));
  assert.deepEqual(await periods(c), before);
  // A replacement the database refuses (a currency mismatch) leaves the mistaken assignment in place.
  const usd = await newPlan("mssp-a", "A Dollar", "USD");
  const d = await customer("mssp-a");
  await assign(d, A1, M2);
  await assign(d, A2, M0);
  await assert.rejects(() => assign(d, usd, M0, true), /Currency mismatch: this customer is billed in EUR, the plan is in USD/);
  assert.deepEqual(await periods(d), [`A One ${M2}..${M0}`, `A Two ${M0}..`]);
});

test("a plan's currency does not change while any assignment, ended too, or invoice references it", async () => {
  const toUsd = (mssp: "mssp-a", plan: Plan | string, name: string) =>
    as(fx, "msspAdmin", (tx) => updatePlan(tx, typeof plan === "string" ? plan : plan.id, planInput(mssp, name, "USD", 10_000n)));
  // Ended before this month: no customer is billed at it today, its past months were.
  const ended = await newPlan("mssp-a", "Ended EUR");
  const c = await customer("mssp-a");
  await assign(c, ended, M2);
  await assign(c, A1, M1);
  await assert.rejects(() => toUsd("mssp-a", ended, "Ended EUR"), /Currency mismatch: this plan is assigned to customers \(now or before\) or is on their invoices, in EUR/);
  // Its customer moved away (its assignment out of the MSSP admin's sight): the database refuses.
  const moved = await newPlan("mssp-a", "Moved EUR");
  const m = await customer("mssp-a");
  await assign(m, moved, M2);
  await withServiceRole("lifecycle.workflow", (d) => moveTenant(d, m, fx.tenants["mssp-b"]));
  await assert.rejects(() => toUsd("mssp-a", moved, "Moved EUR"), /This plan is assigned to customers \(now or before\) or on their invoices in EUR, so its currency cannot change; create a new plan in USD\. Nothing was changed\./);
  // On an invoice only: refused by the database, for the owner too.
  const billed = await newPlan("mssp-a", "Billed EUR");
  await owner(
    `insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_id, plan_name, subtotal, total)
     values ($1, $2, '2020-01-01', '2020-02-01', 'EUR', $3, 'Billed EUR', 0, 0)`,
    [c, fx.tenants["mssp-a"], billed],
  );
  const refused = await withClient(db.url, (cl) => asOwnerRolledBack(cl, "update public.billing_plans set currency = 'USD' where id = $1", [billed]));
  assertRefused(refused, "23514");
  assert.deepEqual((await owner("select currency from public.billing_plans where id = any ($1::uuid[]) order by currency", [[ended, moved, billed]])).map((r) => r.currency), ["EUR", "EUR", "EUR"]);
  // Never referenced: its currency changes.
  const fresh = await newPlan("mssp-a", "Fresh EUR");
  await toUsd("mssp-a", fresh, "Fresh EUR");
  assert.deepEqual(await owner("select currency from public.billing_plans where id = $1", [fresh]), [{ currency: "USD" }]);
});
