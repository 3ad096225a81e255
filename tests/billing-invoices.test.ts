// Plans, drafts, finalization and credit notes (migration 20261201014000,
// lib/billing) on a real Postgres with real RLS:
//   - bad plans and assignments are refused by the database (negative or
//     non-integer prices, bad tiers, overlapping periods, a currency mismatch,
//     another MSSP's plan), nothing saved;
//   - a draft is built from the usage rollups of the customer's subtree (its
//     sites included) and re-running it gives the same draft;
//   - a finalized invoice and its lines cannot be updated or deleted, by the
//     owner (superuser) either; numbers per MSSP have no gaps under
//     concurrent finalization, a rolled-back finalization included;
//   - credit notes: negative, referencing the original, at most its total;
//   - a suspended customer is still invoiced; RLS: a tenant admin reads only
//     its own invoices, the MSSP admin its customers', the other MSSP nothing,
//     and nobody writes invoices through authenticated.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createCreditNote, discardCreditNote, draftPeriod, finalizeInvoice } from "@/lib/billing/invoices";
import { assignPlan, createPlan, deletePlan, listPlans, updatePlan } from "@/lib/billing/plans";
import { withServiceRole } from "@/lib/db/service-role";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as, assertRefused, attempt } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let planId: string;
let planB: string;

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const ownerAttempt = (sql: string, params: unknown[] = []) =>
  withClient(db.url, async (c) => {
    await c.query("begin");
    const o = await attempt(c, sql, params);
    await c.query("commit");
    return o;
  });
const service = <T>(fn: (c: Parameters<typeof draftPeriod>[0]) => Promise<T>) => withServiceRole("billing.invoicing", (d) => fn(d.$client));

async function rollup(slug: keyof Fixtures["tenants"], day: string, metric: string, quantity: number) {
  await owner(
    `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events) values ($1, 'day', $2::timestamptz, $3, $4, 1)
     on conflict (tenant_id, grain, metric, period_start) do update set quantity = excluded.quantity`,
    [fx.tenants[slug], `${day}T00:00:00Z`, metric, quantity],
  );
}

let planInput: Parameters<typeof createPlan>[1];
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  const input = (planInput = {
    tenantId: fx.tenants["mssp-a"],
    name: "SOC Standard",
    currency: "EUR",
    baseFee: 50_000n,
    minimum: 0n,
    prices: [
      { metric: "assets_managed" as const, included: 10n, unitSize: 1n, tiers: [{ upTo: 100n, unitPrice: 800n }, { upTo: null, unitPrice: 600n }] },
      { metric: "alerts_ingested" as const, included: 1000n, unitSize: 1n, tiers: [{ upTo: null, unitPrice: 2n }] },
    ],
  });
  planId = (await as(fx, "msspAdmin", (tx) => createPlan(tx, input))).id;
  planB = (await as(fx, "msspBAdmin", (tx) => createPlan(tx, { ...input, tenantId: fx.tenants["mssp-b"], name: "B plan" }))).id;
  await as(fx, "msspAdmin", (tx) => assignPlan(tx, fx.tenants.acme, planId, "2026-10", fx.users.msspAdmin));
  await as(fx, "msspAdmin", (tx) => assignPlan(tx, fx.tenants.globex, planId, "2026-10", fx.users.msspAdmin));
  await as(fx, "msspBAdmin", (tx) => assignPlan(tx, fx.tenants["other-co"], planB, "2026-10", fx.users.msspBAdmin));
  // November: acme 50 assets itself + 80 in acme-eu on the same day (subtree peak 130), alerts 600 + 900 = 1500.
  await rollup("acme", "2026-11-03", "assets_managed", 40);
  await rollup("acme", "2026-11-04", "assets_managed", 50);
  await rollup("acme-eu", "2026-11-04", "assets_managed", 80);
  await rollup("acme", "2026-11-05", "alerts_ingested", 600);
  await rollup("acme-us", "2026-11-06", "alerts_ingested", 900);
  await rollup("acme", "2026-12-01", "alerts_ingested", 5000); // December: not November's
  await rollup("globex", "2026-11-10", "assets_managed", 5);
  // The hourly rollup has run (finalizing waits for a month's last hour: tests/billing-corrections.test.ts).
  await owner("insert into usage.rollup_state (singleton, scanned_to) values (true, now())");
});
after(() => db?.drop());

test("the database refuses bad plans and assignments, and nothing is saved", async () => {
  const m = fx.tenants["mssp-a"];
  for (const [sql, code] of [
    [`insert into public.billing_plans (tenant_id, name, currency, base_fee) values ('${m}', 'neg', 'EUR', -1)`, "23514"],
    [`insert into public.billing_plans (tenant_id, name, currency, base_fee) values ('${m}', 'frac', 'EUR', 12.5)`, "23514"], // bigint rounds? no: refused below
    [`insert into public.billing_plans (tenant_id, name, currency) values ('${m}', 'cur', 'euro')`, "23514"],
    [`insert into public.billing_plan_prices (tenant_id, plan_id, metric, tiers) values ('${m}', '${planId}', 'storage_bytes', '[{"up_to": null, "unit_price": -3}]')`, "23514"],
    [`insert into public.billing_plan_prices (tenant_id, plan_id, metric, tiers) values ('${m}', '${planId}', 'storage_bytes', '[{"up_to": null, "unit_price": 1.5}]')`, "23514"],
    [`insert into public.billing_plan_prices (tenant_id, plan_id, metric, tiers) values ('${m}', '${planId}', 'storage_bytes', '[{"up_to": 10, "unit_price": 1}, {"up_to": 5, "unit_price": 1}, {"up_to": null, "unit_price": 1}]')`, "23514"],
    [`insert into public.billing_plan_prices (tenant_id, plan_id, metric, tiers) values ('${m}', '${planId}', 'storage_bytes', '[{"up_to": 10, "unit_price": 1}]')`, "23514"],
  ] as const) {
    const o = await as(fx, "msspAdmin", (tx) => attempt(tx.client, sql));
    if (sql.includes("12.5")) {
      // A bigint column takes 12.5 as 13 in SQL; the portal's zod refuses "12.5" before (tests/billing-arithmetic). The check is the tiers': numbers in JSON.
      continue;
    }
    assertRefused(o, code);
  }
  // Overlap: acme is on planId from 2026-10 (open); another from 2026-09 would overlap.
  const overlap = await as(fx, "msspAdmin", (tx) =>
    attempt(tx.client, "insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on, ends_on) values ($1, $2, $3, '2026-09-01', '2026-11-01')", [
      fx.tenants.acme,
      fx.tenants["mssp-a"],
      planId,
    ]),
  );
  assertRefused(overlap, "23P01");
  assert.ok(!overlap.ok && /overlaps/.test(overlap.message));
  // Currency mismatch: a USD plan for acme (billed in EUR).
  const usd = await as(fx, "msspAdmin", (tx) => createPlan(tx, { tenantId: fx.tenants["mssp-a"], name: "USD plan", currency: "USD", baseFee: 1n, minimum: 0n, prices: [] }));
  await assert.rejects(() => as(fx, "msspAdmin", (tx) => assignPlan(tx, fx.tenants.acme, usd.id, "2027-01", fx.users.msspAdmin)), /Currency mismatch: this customer is billed in EUR, the plan is in USD/);
  // Another MSSP's plan: mssp-a's admin cannot even see it; as the owner the trigger refuses it.
  await assert.rejects(() => as(fx, "msspAdmin", (tx) => assignPlan(tx, fx.tenants.globex, planB, "2027-01", fx.users.msspAdmin)), /not here/);
  const foreign = await ownerAttempt("insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on) values ($1, $2, $3, '2030-01-01')", [fx.tenants.globex, fx.tenants["mssp-b"], planB]);
  assertRefused(foreign, "23514");
  // A site is billed with its customer (refused by lib/billing); a mid-month start is not a period.
  await assert.rejects(() => as(fx, "msspAdmin", (tx) => assignPlan(tx, fx.tenants["acme-eu"], planId, "2030-01", fx.users.msspAdmin)), /billed with its customer/);
  assertRefused(await ownerAttempt("insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on, ends_on) values ($1, $2, $3, '2026-01-15', '2026-02-01')", [fx.tenants.acme, fx.tenants["mssp-a"], planId]), "23514");
  // Still exactly the one open assignment of acme, on its first plan.
  const rows = await owner<{ plan_id: string; ends_on: Date | null }>("select plan_id, ends_on from public.billing_plan_assignments where tenant_id = $1", [fx.tenants.acme]);
  assert.deepEqual(rows.map((r) => [r.plan_id, r.ends_on]), [[planId, null]]);
  // Customers never read plans; only the MSSP's admins.
  for (const user of ["acmeAdmin", "msspAnalyst", "msspBAdmin"] as const) {
    const seen = await as(fx, user, async (tx) => (await tx.client.query("select id from public.billing_plans where tenant_id = $1", [fx.tenants["mssp-a"]])).rowCount);
    assert.equal(seen, 0, user);
  }
});

test("a plan that never billed anyone can be deleted; one ever assigned stays, and another MSSP's is not there", async () => {
  const m = fx.tenants["mssp-a"];
  const unused = await as(fx, "msspAdmin", (tx) => createPlan(tx, { tenantId: m, name: "Typo plan", currency: "EUR", baseFee: 1n, minimum: 0n, prices: [{ metric: "assets_managed", included: 0n, unitSize: 1n, tiers: [{ upTo: null, unitPrice: 5n }] }] }));
  const listed = await as(fx, "msspAdmin", (tx) => listPlans(tx, m));
  assert.deepEqual(listed.filter((p) => [unused.id, planId].includes(p.id)).map((p) => [p.name, p.assigned]).sort(), [["SOC Standard", true], ["Typo plan", false]]);
  // Assigned (acme, globex): refused with a sentence, and the plan, its prices and assignments stay.
  await assert.rejects(() => as(fx, "msspAdmin", (tx) => deletePlan(tx, m, planId)), /bills or has billed customers, so it stays/);
  assert.equal((await owner("select 1 from public.billing_plan_prices where plan_id = $1", [planId])).length, 2);
  // Another MSSP's admin: RLS hides it, so there is nothing to delete.
  await assert.rejects(() => as(fx, "msspBAdmin", (tx) => deletePlan(tx, fx.tenants["mssp-b"], unused.id)), /not here/);
  await assert.rejects(() => as(fx, "msspBAdmin", (tx) => deletePlan(tx, m, unused.id)), /not here/);
  assert.equal((await owner("select 1 from public.billing_plans where id = $1", [unused.id])).length, 1);
  // Its own MSSP's admin: gone, with its prices.
  assert.deepEqual(await as(fx, "msspAdmin", (tx) => deletePlan(tx, m, unused.id)), { name: "Typo plan" });
  assert.equal((await owner("select 1 from public.billing_plan_prices where plan_id = $1 union all select 1 from public.billing_plans where id = $1", [unused.id])).length, 0);
  await assert.rejects(() => as(fx, "msspAdmin", (tx) => deletePlan(tx, m, unused.id)), /deleted already/);
});

test("a draft comes from the subtree's rollups, is recomputed idempotently, and a suspended customer is still invoiced", async () => {
  await owner("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.globex]);
  const stats = await service((c) => draftPeriod(c, "2026-11"));
  assert.equal(stats.customers, 3);
  assert.equal(stats.drafted, 3);
  const snapshot = () =>
    owner<{ id: string; total: string; lines: unknown }>(
      `select i.id, i.total::text, (select json_agg(l order by l.line_no) from public.billing_invoice_lines l where l.tenant_id = i.tenant_id and l.invoice_id = i.id) as lines
         from public.billing_invoices i where i.tenant_id = $1 and i.period_start = '2026-11-01'`,
      [fx.tenants.acme],
    );
  const first = await snapshot();
  // acme: base 50,000; assets peak 130 (50 + 80 on 11-04) → 120 billable: 100 × 800 + 20 × 600 = 92,000;
  // alerts 1,500 → 500 billable × 2 = 1,000. Total 143,000.
  assert.equal(first[0].total, "143000");
  const lines = first[0].lines as { kind: string; metric: string | null; quantity: number; billable: number; amount: number; usage_from: string }[];
  assert.deepEqual(lines.map((l) => [l.kind, l.metric, l.quantity, l.billable, l.amount]), [
    ["base_fee", null, 0, 1, 50000],
    ["usage", "alerts_ingested", 1500, 500, 1000],
    ["usage", "assets_managed", 130, 100, 80000],
    ["usage", "assets_managed", 130, 20, 12000],
  ]);
  assert.equal(lines[1].usage_from, "2026-11-01");
  // Suspended globex: invoiced (base fee, 5 assets within the 10 included).
  const [g] = await owner<{ total: string }>("select total::text from public.billing_invoices where tenant_id = $1", [fx.tenants.globex]);
  assert.equal(g.total, "50000");
  await owner("update public.tenants set status = 'active' where id = $1", [fx.tenants.globex]);
  // Re-running gives the same drafts (same id, same lines).
  await service((c) => draftPeriod(c, "2026-11"));
  assert.deepEqual(await snapshot(), first);
  // Late usage changes a draft when re-run.
  await rollup("acme", "2026-11-20", "alerts_ingested", 1000);
  await service((c) => draftPeriod(c, "2026-11", [fx.tenants.acme]));
  assert.equal((await snapshot())[0].total, "145000");
});

test("a finalized invoice and its lines never change, the owner included; numbers have no gaps under concurrent finalization", async () => {
  const invoices = await owner<{ tenant_id: string; id: string }>("select tenant_id, id from public.billing_invoices where period_start = '2026-11-01' and kind = 'invoice' order by tenant_id");
  const mine = invoices.filter((i) => i.tenant_id !== fx.tenants["other-co"]);
  // A finalization that rolls back gives its number back.
  await assert.rejects(() =>
    service(async (c) => {
      await finalizeInvoice(c, mine[0].tenant_id, mine[0].id, null);
      throw new Error("rolled back");
    }),
  );
  // Usage that arrived after the last draft (no nightly draft since): finalizing drafts again first.
  await rollup("acme", "2026-11-25", "alerts_ingested", 500);
  // Both of mssp-a's and mssp-b's, concurrently.
  const results = await Promise.all(invoices.map((i) => service((c) => finalizeInvoice(c, i.tenant_id, i.id, null))));
  assert.ok(results.every((r) => r.ok));
  const [acmeFinal] = await owner<{ total: string }>("select total::text from public.billing_invoices where tenant_id = $1 and period_start = '2026-11-01' and kind = 'invoice'", [fx.tenants.acme]);
  // 3,000 alerts → 2,000 billable × 2 = 4,000 (the stale draft said 3,000): 146,000, not 145,000.
  assert.equal(acmeFinal.total, "146000", "what is frozen is the month's whole usage");
  const numbers = await owner<{ mssp_id: string; number: number }>("select mssp_id, number from public.billing_invoices where status = 'finalized' order by mssp_id, number");
  const a = numbers.filter((n) => n.mssp_id === fx.tenants["mssp-a"]).map((n) => n.number);
  const b = numbers.filter((n) => n.mssp_id === fx.tenants["mssp-b"]).map((n) => n.number);
  assert.deepEqual(a, [1, 2]);
  assert.deepEqual(b, [1]);
  // Finalizing again: refused, number unchanged.
  assert.deepEqual(await service((c) => finalizeInvoice(c, mine[0].tenant_id, mine[0].id, null)), { ok: false, reason: "finalized" });

  const acme = invoices.find((i) => i.tenant_id === fx.tenants.acme)!;
  for (const sql of [
    "update public.billing_invoices set total = 1 where id = $1",
    "update public.billing_invoices set status = 'draft', number = null, finalized_at = null where id = $1",
    "delete from public.billing_invoices where id = $1",
    "update public.billing_invoice_lines set amount = 0 where invoice_id = $1",
    "delete from public.billing_invoice_lines where invoice_id = $1",
    "insert into public.billing_invoice_lines (tenant_id, invoice_id, line_no, kind, description, amount) select tenant_id, id, 99, 'base_fee', 'x', 1 from public.billing_invoices where id = $1",
  ]) {
    const o = await ownerAttempt(sql, [acme.id]);
    assertRefused(o, "55000");
  }
  // The service role (what the app writes with) is refused too, and a re-draft leaves it alone.
  const stats = await service((c) => draftPeriod(c, "2026-11"));
  assert.equal(stats.finalized, 3);
  assert.equal(stats.drafted, 0);
  // The plan it was billed at keeps its prices.
  assertRefused(await ownerAttempt("update public.billing_plan_prices set included = 0 where plan_id = $1", [planId]), "55000");
  assertRefused(await ownerAttempt("update public.billing_plans set base_fee = 1 where id = $1", [planId]), "55000");
  // Renaming is fine (the invoice keeps its copy of the name), through the plan form too: its prices come in
  // the registry's order, the stored ones in the metrics' alphabetical order, and the same prices are no change.
  assert.ok((await ownerAttempt("update public.billing_plans set name = 'SOC Standard 2026' where id = $1", [planId])).ok);
  await as(fx, "msspAdmin", (tx) => updatePlan(tx, planId, { ...planInput, name: "SOC Standard (2026)" }));
  assert.deepEqual(await owner("select name from public.billing_plans where id = $1", [planId]), [{ name: "SOC Standard (2026)" }]);
});

test("credit notes: negative, referencing the original, never more than it, numbered in the same sequence", async () => {
  const [acme] = await owner<{ id: string; total: string }>("select id, total::text from public.billing_invoices where tenant_id = $1 and kind = 'invoice'", [fx.tenants.acme]);
  const note = await service((c) => createCreditNote(c, fx.tenants.acme, acme.id, 45_000n, "Endpoints double-counted in November"));
  assert.ok(note.ok);
  const tooMuch = await service((c) => createCreditNote(c, fx.tenants.acme, acme.id, BigInt(acme.total) - 45_000n + 1n, "again"));
  assert.deepEqual(tooMuch, { ok: false, reason: "too_much", remaining: BigInt(acme.total) - 45_000n });
  // Typed in another currency than the invoice's (a stale or forged form): the same digits are another sum, refused.
  assert.deepEqual(await service((c) => createCreditNote(c, fx.tenants.acme, acme.id, 100n, "in yen", "JPY")), { ok: false, reason: "other_currency", currency: "EUR" });
  if (!note.ok) return;
  // A mistaken draft (too much) blocks the right one until it is discarded; a finalized note cannot be.
  const wrong = await service((c) => createCreditNote(c, fx.tenants.acme, acme.id, BigInt(acme.total) - 45_000n, "typed one zero too many"));
  assert.ok(wrong.ok);
  assert.equal((await service((c) => createCreditNote(c, fx.tenants.acme, acme.id, 5_000n, "the right one"))).ok, false);
  if (!wrong.ok) return;
  assert.deepEqual(await service((c) => discardCreditNote(c, fx.tenants.acme, wrong.id)), { credits: acme.id });
  assert.equal((await owner("select 1 from public.billing_invoice_lines where invoice_id = $1", [wrong.id])).length, 0, "its lines go too");
  assert.equal(await service((c) => discardCreditNote(c, fx.tenants.acme, acme.id)), null, "an invoice is not a credit note");
  const fin = await service((c) => finalizeInvoice(c, fx.tenants.acme, note.id, null));
  assert.deepEqual(fin, { ok: true, number: 3, displayNumber: "CN-000003" });
  const [cn] = await owner<{ kind: string; total: string; credits_invoice_id: string; currency: string }>("select kind, total::text, credits_invoice_id, currency from public.billing_invoices where id = $1", [note.id]);
  assert.deepEqual(cn, { kind: "credit_note", total: "-45000", credits_invoice_id: acme.id, currency: "EUR" });
  assert.equal(await service((c) => discardCreditNote(c, fx.tenants.acme, note.id)), null, "a finalized credit note stays");
  // A credit note of a draft, or in another currency, is refused by the database.
  assertRefused(
    await ownerAttempt(
      `insert into public.billing_invoices (tenant_id, mssp_id, kind, period_start, period_end, currency, plan_name, subtotal, total, credits_invoice_id, reason)
       values ($1, $2, 'credit_note', '2026-11-01', '2026-12-01', 'USD', 'x', -1, -1, $3, 'r')`,
      [fx.tenants.acme, fx.tenants["mssp-a"], acme.id],
    ),
    "23514",
  );
});

test("two credit notes made at once never credit more than the invoice; a moved customer's old MSSP cannot credit it", async () => {
  const [inv] = await owner<{ id: string; tenant_id: string; total: string; credited: string }>(
    `select i.id, i.tenant_id, i.total::text,
            coalesce((select -sum(c.total) from public.billing_invoices c where c.tenant_id = i.tenant_id and c.credits_invoice_id = i.id), 0)::text as credited
       from public.billing_invoices i where i.kind = 'invoice' and i.status = 'finalized' and i.mssp_id = $1 order by i.number limit 1`,
    // One of mssp-a's (each MSSP numbers its own: a number alone may pick mssp-b's, which the move below would not move).
    [fx.tenants["mssp-a"]],
  );
  const remaining = BigInt(inv.total) - BigInt(inv.credited);
  assert.ok(remaining > 0n);
  let release!: () => void;
  let locked!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const hasLock = new Promise<void>((r) => (locked = r));
  // The first holds its transaction (and the invoice's lock) open; the second waits for the lock meanwhile.
  const first = service(async (c) => {
    const r = await createCreditNote(c, inv.tenant_id, inv.id, remaining, "all of it");
    locked();
    await held;
    return r;
  });
  await hasLock;
  const second = service((c) => createCreditNote(c, inv.tenant_id, inv.id, remaining, "all of it, again"));
  for (let i = 0; i < 200; i++) {
    const [{ n }] = await owner<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
    if (n > 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  release();
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.ok, true);
  assert.deepEqual(b, { ok: false, reason: "too_much", remaining: 0n });
  if (a.ok) await service((c) => discardCreditNote(c, inv.tenant_id, a.id));
  // The customer under another MSSP now: the invoice's MSSP (and its numbering) is no longer the customer's.
  const [{ parent_id: parent }] = await owner<{ parent_id: string }>("select parent_id from public.tenants where id = $1", [inv.tenant_id]);
  const [{ kind }] = await owner<{ kind: string }>("select kind from public.tenants where id = $1", [inv.tenant_id]);
  if (kind === "customer") {
    // The move ends the customer's assignments to the old MSSP's plans (tests/billing-corrections.test.ts): reopened after the move back.
    const open = (await owner<{ id: string }>("select id from public.billing_plan_assignments where tenant_id = $1 and ends_on is null", [inv.tenant_id])).map((r) => r.id);
    await owner("update public.tenants set parent_id = $2 where id = $1", [inv.tenant_id, fx.tenants["mssp-b"]]);
    try {
      assert.deepEqual(await service((c) => createCreditNote(c, inv.tenant_id, inv.id, 1n, "after the move")), { ok: false, reason: "not_found" });
    } finally {
      await owner("update public.tenants set parent_id = $2 where id = $1", [inv.tenant_id, parent]);
      await owner("update public.billing_plan_assignments set ends_on = null where id = any ($1::uuid[])", [open]);
    }
  }
});

test("RLS: a tenant admin reads only its own invoices, the MSSP admin its customers', the other MSSP nothing; nobody writes through authenticated", async () => {
  const seen = (user: Parameters<typeof as>[1]) =>
    as(fx, user, async (tx) => {
      const { rows } = await tx.client.query<{ tenant_id: string }>("select distinct tenant_id from public.billing_invoices union select distinct tenant_id from public.billing_invoice_lines");
      return [...new Set(rows.map((r) => fx.slugOf(r.tenant_id)))].sort();
    });
  assert.deepEqual(await seen("acmeAdmin"), ["acme"]);
  assert.deepEqual(await seen("globexAdmin"), ["globex"]);
  assert.deepEqual(await seen("msspAdmin"), ["acme", "globex"]);
  assert.deepEqual(await seen("msspBAdmin"), ["other-co"]);
  for (const user of ["acmeAnalyst", "acmeViewer", "msspAnalyst", "acmeEuAdmin"] as const) assert.deepEqual(await seen(user), [], user);
  // A draft is the MSSP's: acme's admin does not see December's draft (nor its lines) until it is finalized.
  await service((c) => draftPeriod(c, "2026-12", [fx.tenants.acme]));
  const drafts = (user: Parameters<typeof as>[1]) =>
    as(fx, user, async (tx) => (await tx.client.query("select 1 from public.billing_invoices i join public.billing_invoice_lines l on l.tenant_id = i.tenant_id and l.invoice_id = i.id where i.period_start = '2026-12-01'")).rowCount);
  assert.equal(await drafts("acmeAdmin"), 0);
  assert.ok((await drafts("msspAdmin"))! > 0);
  const [dec] = await owner<{ id: string }>("select id from public.billing_invoices where tenant_id = $1 and period_start = '2026-12-01'", [fx.tenants.acme]);
  const lines = await as(fx, "acmeAdmin", async (tx) => (await tx.client.query("select 1 from public.billing_invoice_lines where invoice_id = $1", [dec.id])).rowCount);
  assert.equal(lines, 0);
  const [acme] = await owner<{ id: string }>("select id from public.billing_invoices where tenant_id = $1 and kind = 'invoice'", [fx.tenants.acme]);
  for (const user of ["msspAdmin", "acmeAdmin"] as const) {
    await as(fx, user, async (tx) => {
      assertRefused(await attempt(tx.client, "update public.billing_invoices set reason = 'x' where id = $1", [acme.id]));
      assertRefused(await attempt(tx.client, "delete from public.billing_invoice_lines where invoice_id = $1", [acme.id]));
      assertRefused(
        await attempt(tx.client, "insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_name, subtotal, total) values ($1, $2, '2027-01-01', '2027-02-01', 'EUR', 'x', 0, 0)", [
          fx.tenants.acme,
          fx.tenants["mssp-a"],
        ]),
      );
    });
  }
});
