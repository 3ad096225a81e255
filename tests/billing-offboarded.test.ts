// An offboarded customer is invoiced for what it used (docs/billing.md "Offboarded customers",
// migration 20261201032000, lib/billing/offboarded.ts), on the real Postgres with real RLS:
//   - acme (with its sites) has a plan from last month, last month's draft, and usage last month,
//     this month and the month before (which no plan bills). It is offboarded mid-month: the purge
//     keeps the usage (events, rollups, API minute counts) of last month and this month, the plan
//     (ended with this month) and last month's draft, and nothing else of the subtree, no alert
//     content; the usage of the unbilled-for month before goes;
//   - the nightly re-roll leaves the kept rollups as they were; the monthly drafting of this month
//     (and of last month) invoices the subtree's usage; the MSSP's admin reads the invoices on the
//     billing console, the customer's former admins and another MSSP read none of it;
//   - once a month's invoice is finalized, the monthly job's clean-up removes that month's usage,
//     and once every month of the plan is, the plan too; the finalized invoices stay;
//   - a site offboarded alone: its usage of the month is billed with its (active) customer.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { previousMonth } from "@/lib/billing/compute";
import { draftPeriod, finalizeInvoice } from "@/lib/billing/invoices";
import { assignPlan, createPlan } from "@/lib/billing/plans";
import { pageMonthInvoices, DEFAULT_BILLING_QUERY } from "@/lib/billing/console-page";
import { monthlyBilling } from "@/lib/billing/tasks";
import { withServiceRole } from "@/lib/db/service-role";
import { registerJobHandler, runJobsUntilIdle } from "@/lib/jobs";
import { loadTenantCatalog } from "@/lib/lifecycle/catalog";
import { OFFBOARD_KIND, startOffboarding } from "@/lib/lifecycle/offboard";
import { offboardHandler } from "@/lib/lifecycle/offboard-workflow";
import { rollupRange } from "@/lib/usage/rollup";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let dir: string;
let planId: string;

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const service = <T>(fn: (c: Parameters<typeof draftPeriod>[0]) => Promise<T>) => withServiceRole("billing.invoicing", (d) => fn(d.$client));

const now = new Date();
const THIS = now.toISOString().slice(0, 7);
const LAST = previousMonth(now);
const BEFORE = previousMonth(new Date(`${LAST}-15T00:00:00Z`));
const NEXT = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
/** A moment of this month already past (the first minute of the month at the latest). */
const thisMonthAt = new Date(Math.max(Date.parse(`${THIS}-01T00:00:00Z`), now.getTime() - 60_000));
const SECRET = "offboarded-alert-title-secret";

before(async () => {
  process.env.NEXTAUTH_SECRET ??= "billing-offboarded-test-secret";
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  registerJobHandler(OFFBOARD_KIND, offboardHandler());
  dir = await mkdtemp(path.join(os.tmpdir(), "billing-offboarded-"));
  process.env.TENANT_ARCHIVE_DIR = path.join(dir, "archives");
  process.env.TENANT_ARCHIVE_KEY_FILE = path.join(dir, "transfer.key");
  await writeFile(process.env.TENANT_ARCHIVE_KEY_FILE, randomBytes(32).toString("base64"));
  planId = (
    await as(fx, "msspAdmin", (tx) =>
      createPlan(tx, {
        tenantId: fx.tenants["mssp-a"],
        name: "SOC Offboarding",
        currency: "EUR",
        baseFee: 10_000n,
        minimum: 0n,
        prices: [
          { metric: "alerts_ingested", included: 0n, unitSize: 1n, tiers: [{ upTo: null, unitPrice: 2n }] },
          { metric: "assets_managed", included: 0n, unitSize: 1n, tiers: [{ upTo: null, unitPrice: 100n }] },
          { metric: "api_requests", included: 0n, unitSize: 1n, tiers: [{ upTo: null, unitPrice: 1n }] },
        ],
      }),
    )
  ).id;
  // The hourly rollup has covered every month here (finalizing waits for it: lib/billing/readiness.ts).
  await owner("insert into usage.rollup_state (singleton, scanned_to) values (true, now() + interval '70 days')");
});
after(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function event(slug: TenantSlug, metric: string, quantity: number, at: Date | string, key: string) {
  await owner("insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source) values ($1, $2, $3, $4, $5, 'test')", [
    fx.tenants[slug],
    metric,
    quantity,
    at,
    key,
  ]);
}

const invoiceOf = async (slug: TenantSlug, month: string) =>
  (
    await owner<{ id: string; status: string; total: string; lines: Record<string, string> | null }>(
      `select i.id, i.status, i.total::text,
              (select json_object_agg(l.metric, l.quantity::text) from public.billing_invoice_lines l
                where l.tenant_id = i.tenant_id and l.invoice_id = i.id and l.kind = 'usage') as lines
         from public.billing_invoices i where i.tenant_id = $1 and i.kind = 'invoice' and i.period_start = $2::date`,
      [fx.tenants[slug], `${month}-01`],
    )
  )[0];

const usageMonths = async (ids: string[]) =>
  (
    await owner<{ t: string; month: string; n: number }>(
      `select 'event' as t, to_char(occurred_at at time zone 'UTC', 'YYYY-MM') as month, count(*)::int as n from public.usage_events where tenant_id = any ($1) group by 1, 2
       union all select 'rollup', to_char(period_start at time zone 'UTC', 'YYYY-MM'), count(*)::int from public.usage_rollups where tenant_id = any ($1) group by 1, 2
       union all select 'api', to_char(minute at time zone 'UTC', 'YYYY-MM'), count(*)::int from usage.api_request_counts where tenant_id = any ($1) group by 1, 2
       order by 1, 2`,
      [ids],
    )
  ).map((r) => `${r.t} ${r.month}`);

/** What `user` reads of the subtree's usage and invoices through RLS. */
const seen = (user: UserName, ids: string[]) =>
  as(fx, user, async (tx) => {
    const q = async (sql: string) => (await tx.client.query<{ n: number }>(sql, [ids])).rows[0].n;
    return {
      events: await q("select count(*)::int as n from public.usage_events where tenant_id = any ($1)"),
      rollups: await q("select count(*)::int as n from public.usage_rollups where tenant_id = any ($1)"),
      invoices: await q("select count(*)::int as n from public.billing_invoices where tenant_id = any ($1)"),
      assignments: await q("select count(*)::int as n from public.billing_plan_assignments where tenant_id = any ($1)"),
    };
  });

test("a customer offboarded mid-month is invoiced for last month and this month; the purge keeps only metering; the kept rows go once invoiced", async () => {
  const subtree = [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]];
  await as(fx, "msspAdmin", (tx) => assignPlan(tx, fx.tenants.acme, planId, LAST, fx.users.msspAdmin));
  await owner("insert into public.alerts (tenant_id, title, severity, source) select t, $2, 'high', 'test' from unnest($1::uuid[]) t", [subtree, SECRET]);
  await event("acme", "alerts_ingested", 111, `${BEFORE}-10T12:00:00Z`, "before-1");
  await event("acme", "alerts_ingested", 2000, `${LAST}-05T12:00:00Z`, "last-1");
  await event("acme-eu", "assets_managed", 30, `${LAST}-06T00:20:00Z`, "last-2");
  await event("acme", "alerts_ingested", 3000, thisMonthAt, "this-1");
  await event("acme-us", "assets_managed", 7, thisMonthAt, "this-2");
  await owner("insert into usage.api_request_counts (tenant_id, minute, requests) values ($1, date_trunc('minute', $2::timestamptz), 40)", [fx.tenants.acme, thisMonthAt]);
  await rollupRange({ from: new Date(`${BEFORE}-01T00:00:00Z`), before: new Date(now.getTime() + 86_400_000), tenantIds: subtree });
  // The monthly job drafted last month on the 1st; nobody finalized it yet.
  await service((c) => draftPeriod(c, LAST));
  const lastDraft = await invoiceOf("acme", LAST);
  assert.deepEqual(lastDraft?.lines, { alerts_ingested: "2000", assets_managed: "30", api_requests: "0" });
  const apiBefore = (await owner<{ n: number }>("select count(*)::int as n from public.usage_events where tenant_id = $1 and metric = 'api_requests'", [fx.tenants.acme]))[0].n;
  assert.equal(apiBefore, 1, "the API minute was moved into an event by the rollup");
  // A minute counted after that rollup, still in the gateway's counter when the purge runs.
  await owner("insert into usage.api_request_counts (tenant_id, minute, requests) values ($1, date_trunc('minute', $2::timestamptz), 5)", [fx.tenants.acme, thisMonthAt]);
  const keptRollups = () =>
    owner("select tenant_id, grain, period_start, metric, quantity from public.usage_rollups where tenant_id = any ($1) and period_start >= $2::date and metric <> 'api_requests' order by 1, 2, 3, 4", [subtree, `${LAST}-01`]);
  const rollupsBefore = await keptRollups();

  // Offboarded (no grace period) before this month is drafted.
  await withServiceRole("lifecycle.workflow", (sdb) => startOffboarding(sdb, { tenantId: fx.tenants.acme, confirmName: "Tenant acme", graceDays: 0 }, fx.users.msspAdmin));
  const run = await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] });
  const steps = await owner("select name, status, last_error from public.job_steps where tenant_id = $1 order by position", [fx.tenants.acme]);
  assert.deepEqual(run.outcomes, ["succeeded"], JSON.stringify(steps));

  // What the purge left: the tombstones, the audit trail, the job's record, and billing's metering of unbilled months.
  const kept = new Set(["public.audit_log", "audit.chain_heads", "public.tenants", "public.jobs", "public.job_steps", "public.usage_events", "public.usage_rollups", "usage.api_request_counts", "public.billing_plan_assignments", "public.billing_invoices", "public.billing_invoice_lines"]);
  await withClient(db.url, async (c) => {
    for (const t of await loadTenantCatalog(c)) {
      const { rows } = await c.query(`select count(*)::int as n, coalesce(string_agg(x::text, '|'), '') as text from ${t.ident} x where x.${t.tenantColumn} = any ($1::uuid[])`, [subtree]);
      if (!kept.has(t.name)) assert.equal(rows[0].n, 0, `${t.name} still holds rows of the offboarded subtree`);
      assert.ok(!rows[0].text.includes(SECRET), `${t.name} still holds alert content`);
    }
  });
  assert.deepEqual(await usageMonths(subtree), [`api ${THIS}`, `event ${LAST}`, `event ${THIS}`, `rollup ${LAST}`, `rollup ${THIS}`], "the month no plan bills went");
  assert.deepEqual(
    await owner("select to_char(starts_on, 'YYYY-MM') as starts, to_char(ends_on, 'YYYY-MM-DD') as ends from public.billing_plan_assignments where tenant_id = $1", [fx.tenants.acme]),
    [{ starts: LAST, ends: NEXT }],
    "the plan ends with the month of the offboarding",
  );
  assert.equal((await invoiceOf("acme", LAST))?.id, lastDraft.id, "last month's draft stays");
  assert.equal((await owner<{ s: string }>("select status::text as s from public.tenants where id = $1", [fx.tenants.acme]))[0].s, "deprovisioned");

  // The nightly re-roll recomputes the kept rollups from the kept events: the same.
  await rollupRange({ from: new Date(`${LAST}-01T00:00:00Z`), before: new Date(now.getTime() + 86_400_000) });
  assert.deepEqual(await keptRollups(), rollupsBefore);
  const rolled = await owner<{ metric: string; q: string }>(
    "select metric, sum(quantity)::text as q from public.usage_rollups where tenant_id = any ($1) and grain = 'day' and period_start >= $2::date group by metric order by metric",
    [subtree, `${THIS}-01`],
  );
  assert.deepEqual(rolled, [{ metric: "alerts_ingested", q: "3000" }, { metric: "api_requests", q: "45" }, { metric: "assets_managed", q: "7" }], "this month's usage, the API minutes counted after the purge included");

  // The monthly job drafts this month (as it will on the 1st) and re-drafts last month: both invoiced.
  const drafted = await monthlyBilling(THIS);
  assert.ok(drafted.customers >= 1);
  assert.deepEqual((await invoiceOf("acme", THIS))?.lines, { alerts_ingested: "3000", assets_managed: "7", api_requests: "45" });
  assert.equal((await invoiceOf("acme", THIS))?.total, String(10_000 + 3000 * 2 + 7 * 100 + 45));
  await monthlyBilling(LAST);
  assert.deepEqual((await invoiceOf("acme", LAST))?.lines, { alerts_ingested: "2000", assets_managed: "30", api_requests: "0" });
  assert.equal((await monthlyBilling(BEFORE)).customers, 0, "the month no plan covered is not invoiced");

  // RLS: the MSSP's admin reads the invoices on its console and the kept usage, as before; the customer's former admins and another MSSP read nothing.
  const console = await as(fx, "msspAdmin", (tx) => pageMonthInvoices(tx, fx.tenants["mssp-a"], THIS, DEFAULT_BILLING_QUERY));
  assert.ok(console.rows.some((r) => r.customer.id === fx.tenants.acme && r.total === BigInt(10_000 + 3000 * 2 + 7 * 100 + 45)), JSON.stringify(console.rows.map((r) => r.customer.slug)));
  const mssp = await seen("msspAdmin", subtree);
  assert.ok(mssp.events > 0 && mssp.rollups > 0 && mssp.invoices === 2 && mssp.assignments === 1, JSON.stringify(mssp));
  for (const user of ["acmeAdmin", "acmeEuAdmin", "acmeUsAdmin", "msspBAdmin", "msspAnalyst", "globexAdmin"] as const) {
    assert.deepEqual(await seen(user, subtree), { events: 0, rollups: 0, invoices: 0, assignments: 0 }, user);
  }

  // Released once invoiced: nothing before either month is finalized...
  assert.deepEqual((await monthlyBilling(THIS)).released, { usage: 0, drafts: 0, assignments: 0 });
  // ...last month's usage once its invoice is finalized...
  const last = await service((c) => finalizeInvoice(c, fx.tenants.acme, lastDraft.id, fx.users.msspAdmin));
  assert.ok(last.ok, JSON.stringify(last));
  const afterLast = await monthlyBilling(THIS);
  assert.ok(afterLast.released.usage > 0 && afterLast.released.assignments === 0, JSON.stringify(afterLast.released));
  assert.deepEqual(await usageMonths(subtree), [`event ${THIS}`, `rollup ${THIS}`]);
  // ...and this month's with the plan once this month's is (finalized after the month has ended).
  const thisInvoice = (await invoiceOf("acme", THIS))!;
  const fin = await service((c) => finalizeInvoice(c, fx.tenants.acme, thisInvoice.id, fx.users.msspAdmin, new Date(Date.parse(`${NEXT}T02:00:00Z`))));
  assert.ok(fin.ok, JSON.stringify(fin));
  const afterThis = await monthlyBilling(THIS);
  assert.equal(afterThis.released.assignments, 1);
  assert.deepEqual(await usageMonths(subtree), []);
  assert.deepEqual(await owner("select count(*)::int as n from public.billing_plan_assignments where tenant_id = any ($1)", [subtree]), [{ n: 0 }]);
  assert.deepEqual(
    (await owner<{ status: string }>("select status from public.billing_invoices where tenant_id = $1 order by period_start", [fx.tenants.acme])).map((r) => r.status),
    ["finalized", "finalized"],
    "the finalized invoices stay",
  );
  assert.deepEqual((await monthlyBilling(THIS)).released, { usage: 0, drafts: 0, assignments: 0 }, "a second run finds nothing");
});

test("a site offboarded alone: its usage of the month is billed with its customer, which keeps its plan", async () => {
  // globex gets a site with usage this month; the site is offboarded; globex stays active.
  const [{ id: site }] = await owner<{ id: string }>("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'globex-site', 'Globex site', 'site') returning id", [fx.tenants.globex]);
  await as(fx, "msspAdmin", (tx) => assignPlan(tx, fx.tenants.globex, planId, THIS, fx.users.msspAdmin));
  await owner("insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source) values ($1, 'alerts_ingested', 500, $2, 'site-1', 'test')", [site, thisMonthAt]);
  await rollupRange({ from: new Date(`${THIS}-01T00:00:00Z`), before: new Date(now.getTime() + 86_400_000), tenantIds: [site] });
  await withServiceRole("lifecycle.workflow", (sdb) => startOffboarding(sdb, { tenantId: site, confirmName: "Globex site", graceDays: 0 }, fx.users.msspAdmin));
  const run = await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] });
  assert.deepEqual(run.outcomes, ["succeeded"]);
  assert.deepEqual(await owner("select ends_on from public.billing_plan_assignments where tenant_id = $1", [fx.tenants.globex]), [{ ends_on: null }], "the customer's plan runs on");
  await monthlyBilling(THIS);
  assert.equal((await invoiceOf("globex", THIS))?.lines?.alerts_ingested, "500");
});

test("20261201032000: the rollback drops the two predicates, the migration applies again", async () => {
  const MIGRATION = "20261201032000_offboarded_usage_billed";
  const sqlOf = (d: "migrations" | "rollbacks") => readFile(path.join(process.cwd(), "supabase", d, `${MIGRATION}${d === "migrations" ? ".sql" : ".down.sql"}`), "utf8");
  const fns = async () => (await owner<{ f: string | null; g: string | null }>("select to_regprocedure('billing.month_unbilled(uuid, date)')::text as f, to_regprocedure('billing.assignment_unbilled(uuid, date, date)')::text as g"))[0];
  assert.deepEqual(await fns(), { f: "billing.month_unbilled(uuid,date)", g: "billing.assignment_unbilled(uuid,date,date)" });
  await owner(await sqlOf("rollbacks"));
  assert.deepEqual(await fns(), { f: null, g: null });
  await owner(await sqlOf("migrations"));
  assert.deepEqual(await fns(), { f: "billing.month_unbilled(uuid,date)", g: "billing.assignment_unbilled(uuid,date,date)" });
});
