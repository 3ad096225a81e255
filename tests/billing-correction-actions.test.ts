// The billing corrections through the real server actions (lib/actions/guard.ts: zod, session, PDP,
// change, audit) as the MSSP admin on the console: "Replace the plan assigned from that month" on the
// assign form, and the sentences of a finalization refused for a month not rolled up yet or with no
// plan behind its draft. tests/billing-corrections.test.ts has the rules themselves.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { auditMark, auditSince, ownerQuery } from "./helpers/actions";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { draftPeriod } from "@/lib/billing/invoices";
import { withServiceRole } from "@/lib/db/service-role";
import { startActionEnv, type ActionEnv } from "./helpers/action-env";
import type { Env } from "./helpers/action-specs";

const ASSIGN = "lib/actions/billing/assign-plan.ts#assignPlan";
const FINALIZE = "lib/actions/billing/finalize-invoice.ts#finalizeInvoice";
const now = new Date();
const monthOf = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
const [M1, M0] = [monthOf(-1), monthOf(0)];

let running: ActionEnv;
let env: Env;
type Result = { ok: boolean; error?: string; message?: string; fieldErrors?: Record<string, string[]> };
const call = async (id: string, fields: Record<string, string>) => (await env.asMsspAdmin(id, fields)) as Result;
const owner = <T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []) => ownerQuery<T>(env.url, sql, params);
const plan = async (name: string) =>
  (await owner<{ id: string }>("insert into public.billing_plans (tenant_id, name, currency, base_fee) values ($1, $2, 'EUR', 1000) returning id", [env.fx.tenants["mssp-a"], name]))[0].id;
const mark = (at: string) => owner("insert into usage.rollup_state (singleton, scanned_to) values (true, $1) on conflict (singleton) do update set scanned_to = excluded.scanned_to", [at]);

before(async () => {
  running = await startActionEnv({ mfa: ["msspAdmin"], signedIn: ["msspAdmin"] });
  env = running.env;
});
after(() => running?.stop());

test("assigning with Replace ticked replaces the month's mistaken assignment, audited with what it replaced", async () => {
  const c = await env.freshTenant("mssp-a", "customer");
  const [right, wrong] = [await plan("Right plan"), await plan("Wrong plan")];
  assert.equal((await call(ASSIGN, { tenantId: c.id, planId: wrong, from: M1 })).ok, true);
  const refused = await call(ASSIGN, { tenantId: c.id, planId: right, from: M1 });
  assert.equal(refused.ok, false);
  assert.match(refused.error ?? "", new RegExp(`Wrong plan already bills this customer from ${M1}\\. If that was a mistake, assign again with "Replace the plan assigned from that month" ticked`));
  const bad = await call(ASSIGN, { tenantId: c.id, planId: right, from: M1, replace: "yes" });
  assert.deepEqual(bad.fieldErrors?.replace, ["Replace is either ticked or left out"]);
  const [{ id: wrongId }] = await owner<{ id: string }>("select id from public.billing_plan_assignments where tenant_id = $1", [c.id]);
  const since = await auditMark(env.url);
  const done = await call(ASSIGN, { tenantId: c.id, planId: right, from: M1, replace: "on" });
  assert.equal(done.ok, true, done.error);
  assert.equal(done.message, `Plan assigned from ${M1}, replacing Wrong plan. Drafts of that period take the new plan when the period is run again or finalized.`);
  const rows = await owner<{ plan_id: string; starts_on: string; ends_on: string | null }>(
    "select plan_id, to_char(starts_on, 'YYYY-MM') as starts_on, ends_on from public.billing_plan_assignments where tenant_id = $1",
    [c.id],
  );
  assert.deepEqual(rows, [{ plan_id: right, starts_on: M1, ends_on: null }]);
  const audit = (await auditSince(env.url, since)).filter((a) => a.action === "billing:plan-assigned");
  assert.equal(audit.length, 1);
  assert.deepEqual([audit[0].outcome, audit[0].details.replaced_assignment, audit[0].details.replaced_plan_id], ["success", wrongId, wrong]);
});

test("a finalization refused for usage not rolled up yet, or for a draft no plan bills, says why and when", async () => {
  const c = await env.freshTenant("mssp-a", "customer");
  assert.equal((await call(ASSIGN, { tenantId: c.id, planId: await plan("Finalize plan"), from: M1 })).ok, true);
  await withServiceRole("billing.invoicing", (d) => draftPeriod(d.$client, M1, [c.id]));
  const [{ id }] = await owner<{ id: string }>("select id from public.billing_invoices where tenant_id = $1", [c.id]);
  await mark(`${M0}-01T00:59:00Z`);
  const early = await call(FINALIZE, { tenantId: c.id, invoiceId: id });
  assert.equal(early.ok, false);
  assert.match(early.error ?? "", new RegExp(`^The usage of ${M1} is not fully rolled up yet .*It can be finalized once the hourly usage rollup has run after ${M0}-01 01:00 UTC\\. Nothing was changed\\.$`));
  await mark(now.toISOString());
  await owner("delete from public.billing_plan_assignments where tenant_id = $1", [c.id]);
  const noPlan = await call(FINALIZE, { tenantId: c.id, invoiceId: id });
  assert.equal(noPlan.ok, false);
  assert.match(noPlan.error ?? "", new RegExp(`^No plan of this MSSP bills this customer for ${M1} any more`));
  assert.deepEqual(await owner("select status, number from public.billing_invoices where id = $1", [id]), [{ status: "draft", number: null }]);
});
