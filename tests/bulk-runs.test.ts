// Bulk operations against a real database, real RLS and a real PDP (lib/bulk):
//   - a dry run changes nothing but its own planned run;
//   - applying changes exactly the listed tenants (through lib/settings' write path), audited per tenant;
//   - undo restores the exact previous values, removing overrides that did not exist before;
//   - the PDP skip path: a tenant whose policy denies the action is skipped with the reason,
//     at the dry run and again when the item runs (its denied row in the tenant's own trail);
//   - canary, stop and continue; plan assignment and suspend with their undo (a plan changed again since
//     the run is left as it is, a period with a fixed end is skipped with the reason); key rotation not undoable;
//   - bad input (zero tenants, an unknown setting, a wrong value, a missing plan, over 10,000) is refused with nothing changed.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import pg from "pg";
import { assignPlan } from "@/lib/billing";
import { bulkHandlers, BULK_JOB_KIND, continueRun, planRun, selectionSchema, startRun, stopRun, undoRun, type OperationParams } from "@/lib/bulk";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug } from "./helpers/fixtures";
import { startScopedPdp, type ScopedPdp } from "./helpers/scoped-pdp";

let owner: pg.Client;
// The stock PDP is env.pdp.
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });
let tightened: ScopedPdp;

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  // A PDP over a copy of policies/ plus a scoped policy for globex denying settings:manage to its admins and the MSSP's (the roles a bulk run acts as).
  tightened = await startScopedPdp(env.db.url, env.fx, {
    denies: [{ tenant: "globex", name: "nobody-changes-globex-settings-in-bulk", actions: ["settings:manage"], derivedRoles: ["mssp_admin", "tenant_admin"] }],
  });
});
after(async () => {
  await tightened?.stop();
});

const MSSP = () => env.fx.tenants["mssp-a"];
const asAdmin = <T>(fn: (tx: TenantTx) => Promise<T>) => env.as("msspAdmin", fn);
const selection = (root: TenantSlug, extra: Record<string, string> = {}) => selectionSchema.parse({ rootId: env.fx.tenants[root], ...extra });
const plan = (root: TenantSlug, params: OperationParams, extra: Record<string, string> = {}) =>
  asAdmin((tx) => planRun(tx, { runTenantId: MSSP(), selection: selection(root, extra), params }));
const work = () => runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: bulkHandlers() });

async function items(runId: string) {
  const { rows } = await owner.query<{ slug: string; status: string; planned: string; message: string | null; before: unknown }>(
    `select t.slug, i.status, i.planned, i.message, i.before from public.bulk_run_items i join public.tenants t on t.id = i.target_tenant_id
      where i.run_id = $1 order by i.position`,
    [runId],
  );
  return Object.fromEntries(rows.map((r) => [r.slug, r]));
}
const runStatus = async (id: string) => (await owner.query<{ status: string; note: string | null }>("select status, note from public.bulk_runs where id = $1", [id])).rows[0];

/** Every row the operations could touch, as the owner sees them. */
async function digest(): Promise<string> {
  const { rows } = await owner.query<{ h: string }>(
    `select md5(coalesce((select string_agg(tenant_id::text || key || value::text || locked::text, ',' order by tenant_id, key) from public.tenant_settings), '')
             || coalesce((select string_agg(id::text || status::text, ',' order by id) from public.tenants), '')
             || coalesce((select string_agg(id::text || coalesce(ends_on::text, '-'), ',' order by id) from public.billing_plan_assignments), '')
             || (select count(*) from public.jobs where kind <> 'bulk.run')::text) as h`,
  );
  return rows[0].h;
}
const ownSetting = async (slug: TenantSlug, key: string) =>
  (await owner.query<{ value: unknown }>("select value from public.tenant_settings where tenant_id = $1 and key = $2", [env.fx.tenants[slug], key])).rows[0]?.value ?? null;

const TZ: OperationParams = { operation: "setting", key: "locale.time_zone", mode: "set", value: "Europe/Paris" };

describe("a setting change over a subtree", () => {
  let runId: string;

  test("the dry run lists the diff per tenant and changes nothing", async () => {
    await owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', '\"America/New_York\"')", [env.fx.tenants["acme-eu"]]);
    const before = await digest();
    const run = await plan("acme", TZ);
    runId = run.id;
    assert.deepEqual([run.total, run.toChange], [3, 3]);
    assert.equal(await digest(), before, "nothing but the planned run is written");
    const it = await items(run.id);
    assert.deepEqual(Object.keys(it), ["acme", "acme-eu", "acme-us"]);
    assert.match(it["acme-eu"].planned, /New_York|New York/);
    assert.match(it["acme-eu"].planned, /\(set here\) → .*Paris/);
    assert.match(it.acme.planned, /\(default\) → /);
    assert.equal((await runStatus(run.id)).status, "planned");
    assert.equal((await work()).ran, 0, "no job before the confirmation");
  });

  test("confirmation needs the exact count; then exactly the listed tenants change, audited each", async () => {
    await assert.rejects(asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId, confirm: 2, canary: null })), /type the number of tenants that will change \(3\)/);
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId, confirm: 3, canary: null }));
    assert.deepEqual((await work()).outcomes, ["succeeded"]);
    assert.equal((await runStatus(runId)).status, "finished");
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) assert.equal(await ownSetting(slug, "locale.time_zone"), "Europe/Paris", slug);
    for (const slug of ["mssp-a", "globex", "mssp-b", "other-co"] as const) assert.equal(await ownSetting(slug, "locale.time_zone"), null, slug);
    const it = await items(runId);
    assert.deepEqual(Object.values(it).map((i) => i.status), ["done", "done", "done"]);
    assert.deepEqual(it.acme.before, { own: null, locked: false });
    assert.deepEqual(it["acme-eu"].before, { own: "America/New_York", locked: false });
    const { rows } = await owner.query<{ tenant_id: string }>("select tenant_id from public.audit_log where action = 'bulk:setting' and target_id = $1 order by tenant_id", [runId]);
    assert.deepEqual(rows.map((r) => r.tenant_id).sort(), [env.fx.tenants.acme, env.fx.tenants["acme-eu"], env.fx.tenants["acme-us"]].sort());
  });

  test("undo restores the exact previous values, removing the overrides that did not exist", async () => {
    await asAdmin((tx) => undoRun(tx, MSSP(), runId));
    assert.deepEqual((await work()).outcomes, ["succeeded"]);
    assert.equal((await runStatus(runId)).status, "undone");
    assert.equal(await ownSetting("acme", "locale.time_zone"), null);
    assert.equal(await ownSetting("acme-us", "locale.time_zone"), null);
    assert.equal(await ownSetting("acme-eu", "locale.time_zone"), "America/New_York");
    assert.deepEqual(Object.values(await items(runId)).map((i) => i.status), ["undone", "undone", "undone"]);
    await assert.rejects(asAdmin((tx) => undoRun(tx, MSSP(), runId)), /Stop the run first|Nothing was changed/);
  });
});

describe("the pages' data", () => {
  test("the MSSP admin reads the runs and a run's lines; an analyst and a customer admin get nothing", async () => {
    const { loadBulkHome, loadRunPage } = await import("@/lib/bulk/page-data");
    const home = await asAdmin((tx) => loadBulkHome(tx));
    assert.ok(home && home.runs.length >= 1 && home.roots.some((r) => r.id === env.fx.tenants.acme));
    const id = home!.runs[0].id;
    const page = await asAdmin((tx) => loadRunPage(tx, id, { status: "undone" }));
    assert.equal(page?.run.status, "undone");
    // The end's note is the final counts, kept in the row; the page shows the counts line instead of repeating them.
    assert.equal((await runStatus(id)).note, "3 undone");
    assert.equal(page?.run.note, null);
    assert.equal(page?.items.length, 3);
    assert.deepEqual(page?.problems, []);
    const bad = await asAdmin((tx) => loadRunPage(tx, id, { status: "bogus", page: "0" }));
    assert.equal(bad?.problems.length, 2, "a bad filter and page are notes, not errors");
    for (const user of ["msspAnalyst", "acmeAdmin"] as const) {
      assert.equal(await withTenant({ userId: env.fx.users[user], activeTenantId: null }, (tx) => loadBulkHome(tx)), null, user);
      assert.equal(await withTenant({ userId: env.fx.users[user], activeTenantId: null }, (tx) => loadRunPage(tx, id, {})), null, user);
    }
  });
});

describe("the PDP is asked per tenant", () => {
  test("a tenant whose policy denies is skipped with the reason, at the dry run", async () => {
    process.env.CERBOS_URL = tightened.url;
    try {
      const run = await plan("mssp-a", { operation: "setting", key: "sla.low.ack_minutes", mode: "set", value: "600" }, { kinds: "customers" });
      const it = await items(run.id);
      assert.equal(it.globex.status, "skipped");
      assert.match(it.globex.planned, /Not allowed for you here \(settings:manage\)/);
      assert.equal(it.acme.status, "pending");
      await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 1, canary: null }));
      await work();
      assert.equal(await ownSetting("acme", "sla.low.ack_minutes"), 600);
      assert.equal(await ownSetting("globex", "sla.low.ack_minutes"), null);
    } finally {
      process.env.CERBOS_URL = env.pdp.url;
    }
  });

  test("and again when the item runs: a policy that changed since the dry run skips it then", async () => {
    const run = await plan("mssp-a", { operation: "setting", key: "sla.low.resolve_minutes", mode: "set", value: "20000" }, { kinds: "customers" });
    assert.equal((await items(run.id)).globex.status, "pending");
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 2, canary: null }));
    process.env.CERBOS_URL = tightened.url;
    try {
      await work();
    } finally {
      process.env.CERBOS_URL = env.pdp.url;
    }
    const it = await items(run.id);
    assert.equal(it.acme.status, "done");
    assert.equal(it.globex.status, "skipped");
    assert.match(it.globex.message!, /Not allowed here \(settings:manage\): the policy for this tenant says no/);
    assert.equal(await ownSetting("globex", "sla.low.resolve_minutes"), null);
    const { rows } = await owner.query<{ tenant_id: string }>("select tenant_id from public.audit_log where action = 'bulk:setting' and outcome = 'denied' and target_id = $1", [env.fx.tenants.globex]);
    assert.deepEqual(rows.map((r) => r.tenant_id), [env.fx.tenants.globex], "the skip is audited as denied, in the tenant's own trail");
  });
});

describe("canary, stop and continue", () => {
  test("a canary of 1 pauses after the first tenant; stop and continue carry on from where it was", async () => {
    const run = await plan("acme", { operation: "setting", key: "locale.language", mode: "set", value: "de-DE" });
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 3, canary: 1 }));
    await work();
    assert.equal((await runStatus(run.id)).status, "paused");
    // One tenant, in the singular ("the first 1 tenants ran" before).
    assert.match((await runStatus(run.id)).note!, /^Canary done: the first tenant ran .*Check it, then continue/);
    assert.deepEqual(Object.values(await items(run.id)).map((i) => i.status), ["done", "pending", "pending"]);
    await asAdmin((tx) => continueRun(tx, MSSP(), run.id));
    await asAdmin((tx) => stopRun(tx, MSSP(), run.id));
    assert.equal((await work()).ran, 1);
    assert.deepEqual(Object.values(await items(run.id)).map((i) => i.status), ["done", "pending", "pending"], "stopped: nothing more ran");
    await asAdmin((tx) => continueRun(tx, MSSP(), run.id));
    await work();
    assert.equal((await runStatus(run.id)).status, "finished");
    assert.deepEqual(Object.values(await items(run.id)).map((i) => i.status), ["done", "done", "done"]);
  });
});

describe("a lock made at the tenant", () => {
  test("removing a locked value and undoing it brings the value back locked, the values set below meanwhile removed", async () => {
    const key = "locale.language";
    const row = async (slug: TenantSlug) =>
      (await owner.query<{ value: unknown; locked: boolean }>("select value, locked from public.tenant_settings where tenant_id = $1 and key = $2", [env.fx.tenants[slug], key])).rows[0] ?? null;
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
    await owner.query("insert into public.tenant_settings (tenant_id, key, value, locked) values ($1, $2, '\"de-DE\"', true)", [env.fx.tenants.acme, key]);
    const run = await plan("acme", { operation: "setting", key, mode: "inherit", value: "" }, { kinds: "customers" });
    assert.equal(run.toChange, 1);
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 1, canary: null }));
    await work();
    assert.equal(await row("acme"), null, "the value and its lock are gone");
    assert.deepEqual((await items(run.id)).acme.before, { own: "de-DE", locked: true });
    // Unlocked, a site sets its own value; the restored lock removes it again, as a lock does.
    await owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, '\"fr-FR\"')", [env.fx.tenants["acme-eu"], key]);
    await asAdmin((tx) => undoRun(tx, MSSP(), run.id));
    await work();
    assert.deepEqual(await row("acme"), { value: "de-DE", locked: true });
    assert.equal(await row("acme-eu"), null);
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
  });
});

describe("plans, suspension and keys", () => {
  test("assigning a plan is undone to exactly the previous assignment (or none)", async () => {
    const { rows: [gold] } = await owner.query("insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Gold', 'EUR') returning id", [MSSP()]);
    const { rows: [silver] } = await owner.query("insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Silver', 'EUR') returning id", [MSSP()]);
    const { rows: [old] } = await owner.query(
      "insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on) values ($1, $2, $3, '2026-01-01') returning id",
      [env.fx.tenants.acme, MSSP(), silver.id],
    );
    const run = await plan("mssp-a", { operation: "plan", planId: gold.id, from: "2026-12" });
    const it = await items(run.id);
    assert.match(it.acme.planned, /Silver → Gold from 2026-12/);
    assert.match(it.globex.planned, /No plan → Gold/);
    assert.match(it["acme-eu"].planned, /billed with its customer: skipped/);
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 2, canary: null }));
    await work();
    const assignments = async () =>
      (await owner.query<{ tenant_id: string; plan_id: string; ends_on: string | null }>(
        "select tenant_id, plan_id, to_char(ends_on, 'YYYY-MM-DD') as ends_on from public.billing_plan_assignments where tenant_id = any($1) order by tenant_id, starts_on",
        [[env.fx.tenants.acme, env.fx.tenants.globex]],
      )).rows;
    assert.equal((await assignments()).length, 3);
    assert.equal((await owner.query("select to_char(ends_on, 'YYYY-MM-DD') as e from public.billing_plan_assignments where id = $1", [old.id])).rows[0].e, "2026-12-01");
    await asAdmin((tx) => undoRun(tx, MSSP(), run.id));
    await work();
    assert.deepEqual(await assignments(), [{ tenant_id: env.fx.tenants.acme, plan_id: silver.id, ends_on: null }]);
    // A plan that does not exist: refused at the dry run, nothing written.
    const runs = (await owner.query("select count(*)::int as n from public.bulk_runs")).rows[0].n;
    await assert.rejects(plan("mssp-a", { operation: "plan", planId: "00000000-0000-4000-8000-000000000000", from: "2026-12" }), /That plan does not exist/);
    assert.equal((await owner.query("select count(*)::int as n from public.bulk_runs")).rows[0].n, runs);
  });

  test("a plan assignment changed again since the run is not undone, and says so", async () => {
    const { rows: [bronze] } = await owner.query("insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Bronze', 'EUR') returning id", [MSSP()]);
    const { rows: [platinum] } = await owner.query("insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Platinum', 'EUR') returning id", [MSSP()]);
    const run = await plan("mssp-a", { operation: "plan", planId: bronze.id, from: "2027-01" }, { kinds: "customers" });
    assert.match((await items(run.id)).acme.planned, /Silver → Bronze from 2027-01/);
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 2, canary: null }));
    await work();
    // Later, acme is moved on to Platinum from March: the run's Bronze assignment now ends there.
    await asAdmin((tx) => assignPlan(tx, env.fx.tenants.acme, platinum.id, "2027-03", env.fx.users.msspAdmin));
    const periods = async (slug: TenantSlug) =>
      (await owner.query<{ p: string }>(
        `select p.name || ' ' || to_char(a.starts_on, 'YYYY-MM') || '..' || coalesce(to_char(a.ends_on, 'YYYY-MM'), '') as p
           from public.billing_plan_assignments a join public.billing_plans p on p.id = a.plan_id where a.tenant_id = $1 order by a.starts_on`,
        [env.fx.tenants[slug]],
      )).rows.map((r) => r.p);
    const acmeBefore = await periods("acme");
    assert.deepEqual(acmeBefore, ["Silver 2026-01..2027-01", "Bronze 2027-01..2027-03", "Platinum 2027-03.."]);
    await asAdmin((tx) => undoRun(tx, MSSP(), run.id));
    await work();
    const it = await items(run.id);
    assert.equal(it.acme.status, "undo_skipped", it.acme.message ?? "");
    assert.equal(it.acme.message, "Changed again since this run: left as it is now.");
    assert.deepEqual(await periods("acme"), acmeBefore, "acme is left as it is now");
    assert.equal(it.globex.status, "undone");
    assert.deepEqual(await periods("globex"), []);
  });

  test("a plan covered by an assignment with a fixed end is skipped with the reason, at the dry run and when it runs", async () => {
    const { rows: [copper] } = await owner.query("insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Copper', 'EUR') returning id", [MSSP()]);
    const { rows: [silver] } = await owner.query("select id from public.billing_plans where tenant_id = $1 and name = 'Silver'", [MSSP()]);
    await owner.query("insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on, ends_on) values ($1, $2, $3, '2028-01-01', '2028-06-01')", [
      env.fx.tenants.globex,
      MSSP(),
      silver.id,
    ]);
    const run = await plan("mssp-a", { operation: "plan", planId: copper.id, from: "2028-03" }, { kinds: "customers" });
    const it = await items(run.id);
    assert.equal(it.globex.status, "skipped", it.globex.planned);
    assert.match(it.globex.planned, /Silver bills until 2028-06-01 \(a fixed end\): skipped/);
    assert.equal(it.acme.status, "pending", it.acme.planned);
    // The same when the fixed end appears after the dry run: acme is skipped with the reason when it runs.
    await owner.query("update public.billing_plan_assignments set ends_on = '2028-09-01' where tenant_id = $1 and ends_on is null", [env.fx.tenants.acme]);
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 1, canary: null }));
    await work();
    const ran = await items(run.id);
    assert.equal(ran.acme.status, "skipped", ran.acme.message ?? "");
    assert.match(ran.acme.message ?? "", /Platinum bills until 2028-09-01 \(a fixed end\)/);
    assert.equal((await owner.query("select count(*)::int as n from public.billing_plan_assignments where plan_id = $1", [copper.id])).rows[0].n, 0);
  });

  test("suspend skips the suspended, and its undo resumes exactly those it suspended", async () => {
    await owner.query("update public.tenants set status = 'suspended' where id = $1", [env.fx.tenants["acme-us"]]);
    const run = await plan("acme", { operation: "suspend", reason: "Unpaid invoices" });
    assert.match((await items(run.id))["acme-us"].planned, /Already suspended: skipped/);
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 2, canary: null }));
    await work();
    const status = async () => (await owner.query<{ slug: string; status: string }>("select slug, status from public.tenants where id = any($1) order by slug", [[env.fx.tenants.acme, env.fx.tenants["acme-eu"], env.fx.tenants["acme-us"]]])).rows.map((r) => `${r.slug}:${r.status}`).sort();
    assert.deepEqual(await status(), ["acme-eu:suspended", "acme-us:suspended", "acme:suspended"]);
    await asAdmin((tx) => undoRun(tx, MSSP(), run.id));
    await work();
    assert.deepEqual(await status(), ["acme-eu:active", "acme-us:suspended", "acme:active"]);
    await owner.query("update public.tenants set status = 'active' where id = $1", [env.fx.tenants["acme-us"]]);
  });

  test("undoing a resume suspends again with the reason it had", async () => {
    await owner.query("update public.tenants set status = 'suspended', status_reason = 'Contract ended in March' where id = $1", [env.fx.tenants["acme-us"]]);
    const run = await plan("acme", { operation: "resume" });
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 1, canary: null }));
    await work();
    const state = async () => (await owner.query<{ status: string; status_reason: string | null }>("select status, status_reason from public.tenants where id = $1", [env.fx.tenants["acme-us"]])).rows[0];
    assert.equal((await state()).status, "active");
    await asAdmin((tx) => undoRun(tx, MSSP(), run.id));
    await work();
    assert.deepEqual(await state(), { status: "suspended", status_reason: "Contract ended in March" });
    await owner.query("update public.tenants set status = 'active', status_reason = null where id = $1", [env.fx.tenants["acme-us"]]);
  });

  test("key rotation queues each tenant's rotation job, and cannot be undone", async () => {
    const run = await plan("acme", { operation: "rotate_keys" }, { kinds: "customers" });
    assert.match((await items(run.id)).acme.planned, /Would rotate key v\d+ → v\d+|No data key/);
    if ((await items(run.id)).acme.status === "pending") {
      await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 1, canary: null }));
      await work();
      assert.equal((await items(run.id)).acme.status, "done", (await items(run.id)).acme.message ?? "");
      assert.equal((await owner.query("select count(*)::int as n from public.jobs where tenant_id = $1 and kind = 'vault.rotate-dek'", [env.fx.tenants.acme])).rows[0].n, 1);
      await assert.rejects(asAdmin((tx) => undoRun(tx, MSSP(), run.id)), /cannot be undone/);
    }
  });
});

describe("reports", () => {
  test("a report run queues one report per active customer, as the starter, and cannot be undone", async () => {
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const run = await plan("mssp-a", { operation: "report", kind: "executive", format: "pdf", from: day(8), to: day(1) }, { kinds: "customers" });
    assert.match((await items(run.id)).acme.planned, /Would generate: Executive report \(PDF\)/);
    await asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId: run.id, confirm: 2, canary: null }));
    await work();
    const { rows } = await owner.query<{ tenant_id: string; created_by: string }>("select tenant_id, created_by from public.reports where kind = 'executive' and format = 'pdf'");
    assert.deepEqual(rows.map((r) => r.tenant_id).sort(), [env.fx.tenants.acme, env.fx.tenants.globex].sort());
    assert.ok(rows.every((r) => r.created_by === env.fx.users.msspAdmin));
    await assert.rejects(asAdmin((tx) => undoRun(tx, MSSP(), run.id)), /changes nothing to undo/);
    await assert.rejects(plan("mssp-a", { operation: "report", kind: "executive", format: "pdf", from: day(1), to: day(8) }), /ends before it starts/);
  });
});

describe("bad input is refused with nothing changed", () => {
  const count = async () => (await owner.query("select count(*)::int as n from public.bulk_runs")).rows[0].n;

  test("zero tenants, an unknown setting, a wrong value", async () => {
    const before = [await count(), await digest()];
    await assert.rejects(plan("acme", TZ, { q: "no-such-tenant-anywhere" }), /No tenant matches this selection/);
    await assert.rejects(plan("acme", { operation: "setting", key: "locale.no_such_key", mode: "set", value: "x" }), /There is no setting called/);
    await assert.rejects(plan("acme", { operation: "setting", key: "session.lifetime_hours", mode: "set", value: "many" }), /whole number/i);
    await assert.rejects(plan("acme", { operation: "setting", key: "locale.time_zone", mode: "set", value: "Mars/Olympus" }), /time zone/);
    assert.deepEqual([await count(), await digest()], before);
  });

  test("more than 10,000 tenants", async () => {
    await owner.query(
      "insert into public.tenants (parent_id, slug, name, kind) select $1, 'bulk-site-' || g, 'Bulk site ' || g, 'site' from generate_series(1, 10001) g",
      [env.fx.tenants.globex],
    );
    const before = [await count(), await digest()];
    await assert.rejects(plan("globex", TZ, { kinds: "sites" }), /more than 10,000 tenants: narrow it/);
    assert.deepEqual([await count(), await digest()], before);
  });
});
