// Bulk runs when things go wrong, against a real database, real RLS and a real PDP (lib/bulk/execute.ts, lib/bulk/ops):
//   - undoing a suspend leaves a tenant suspended again since the run (another reason) as it is now;
//   - undoing a plan assignment an invoice was finalized at leaves it (the rule replaceAssignment keeps);
//   - a tenant whose change fails after it was applied (its audit row refused) ends failed, nothing of it
//     kept, its failure in the tenant's own trail, and the run finishes;
//   - a setting the registry no longer knows fails each tenant with the reason, a run whose stored parameters
//     no longer parse pauses with a note, and a run queued behind them both still runs;
//   - a row locked elsewhere (lock_timeout): the tenant stays pending and the job is retried, then it runs;
//   - a statement timeout (57014): the tenant is tried again (changed once the lock is gone), and one that times
//     out every time fails after ITEM_TIMEOUT_TRIES tries, audited as a timeout, while the run goes on;
//   - a canary counts only tenants changed (or failed), not those skipped when they ran.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { assignPlan } from "@/lib/billing";
import { bulkHandlers, BULK_JOB_KIND, continueRun, ITEM_TIMEOUT_TRIES, planRun, selectionSchema, startRun, stopRun, undoRun, type OperationParams } from "@/lib/bulk";
import { closePool } from "@/lib/db/pool";
import { withServiceRole } from "@/lib/db/service-role";
import type { TenantTx } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { resumeTenant, suspendTenant } from "@/lib/lifecycle/suspend";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug } from "./helpers/fixtures";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });
env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
});

const MSSP = () => env.fx.tenants["mssp-a"];
const T = (slug: TenantSlug) => env.fx.tenants[slug];
const asAdmin = <R>(fn: (tx: TenantTx) => Promise<R>) => env.as("msspAdmin", fn);
const plan = (root: TenantSlug, params: OperationParams, extra: Record<string, string> = {}) =>
  asAdmin((tx) => planRun(tx, { runTenantId: MSSP(), selection: selectionSchema.parse({ rootId: T(root), ...extra }), params }));
const start = (runId: string, confirm: number, canary: number | null = null) => asAdmin((tx) => startRun(tx, { runTenantId: MSSP(), runId, confirm, canary }));
const work = () => runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: bulkHandlers() });
const lifecycle = <R>(fn: Parameters<typeof withServiceRole<R>>[1]) => withServiceRole("lifecycle.workflow", fn);

async function items(runId: string) {
  const { rows } = await owner.query<{ slug: string; status: string; message: string | null }>(
    "select t.slug, i.status, i.message from public.bulk_run_items i join public.tenants t on t.id = i.target_tenant_id where i.run_id = $1 order by i.position",
    [runId],
  );
  return Object.fromEntries(rows.map((r) => [r.slug, r]));
}
const statuses = async (runId: string) => Object.values(await items(runId)).map((i) => i.status);
const runOf = async (id: string) => (await owner.query<{ status: string; note: string | null }>("select status, note from public.bulk_runs where id = $1", [id])).rows[0];
const ownSetting = async (slug: TenantSlug, key: string) =>
  (await owner.query<{ value: unknown }>("select value from public.tenant_settings where tenant_id = $1 and key = $2", [T(slug), key])).rows[0]?.value ?? null;
const state = async (slug: TenantSlug) =>
  (await owner.query<{ status: string; status_reason: string | null }>("select status, status_reason from public.tenants where id = $1", [T(slug)])).rows[0];

describe("an undo leaves what changed since the run", () => {
  test("a tenant resumed and suspended again since the run (another reason) stays suspended; the rest are resumed", async () => {
    const run = await plan("mssp-a", { operation: "suspend", reason: "Maintenance window" }, { kinds: "customers" });
    await start(run.id, 2);
    await work();
    assert.deepEqual(await statuses(run.id), ["done", "done"]);
    // Someone resumes acme; billing suspends it again for its own reason.
    await lifecycle((db) => resumeTenant(db, T("acme"), env.fx.users.msspAdmin));
    await lifecycle((db) => suspendTenant(db, T("acme"), "Unpaid invoices", env.fx.users.msspAdmin));
    await asAdmin((tx) => undoRun(tx, MSSP(), run.id));
    await work();
    const it = await items(run.id);
    assert.equal(it.acme.status, "undo_skipped", it.acme.message ?? "");
    assert.equal(it.acme.message, 'Suspended again since this run ("Unpaid invoices"): left as it is now.');
    assert.deepEqual(await state("acme"), { status: "suspended", status_reason: "Unpaid invoices" });
    assert.equal(it.globex.status, "undone");
    assert.equal((await state("globex")).status, "active");
    await lifecycle((db) => resumeTenant(db, T("acme"), env.fx.users.msspAdmin));
  });

  test("a plan assignment an invoice was finalized at is not removed by the undo, and says why", async () => {
    const [gold] = (await owner.query("insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Gold', 'EUR') returning id", [MSSP()])).rows;
    const [silver] = (await owner.query("insert into public.billing_plans (tenant_id, name, currency) values ($1, 'Silver', 'EUR') returning id", [MSSP()])).rows;
    await asAdmin((tx) => assignPlan(tx, T("acme"), silver.id, "2026-01", env.fx.users.msspAdmin));
    const run = await plan("mssp-a", { operation: "plan", planId: gold.id, from: "2026-12" }, { kinds: "customers" });
    await start(run.id, 2);
    await work();
    assert.deepEqual(await statuses(run.id), ["done", "done"]);
    // acme's December is invoiced at Gold, and the invoice finalized.
    const [invoice] = (
      await owner.query(
        `insert into public.billing_invoices (tenant_id, mssp_id, period_start, period_end, currency, plan_id, plan_name, subtotal, total)
         values ($1, $2, '2026-12-01', '2027-01-01', 'EUR', $3, 'Gold', 10000, 10000) returning id`,
        [T("acme"), MSSP(), gold.id],
      )
    ).rows;
    await owner.query("update public.billing_invoices set status = 'finalized' where tenant_id = $1 and id = $2", [T("acme"), invoice.id]);
    const periods = async (slug: TenantSlug) =>
      (
        await owner.query<{ p: string }>(
          `select p.name || ' ' || to_char(a.starts_on, 'YYYY-MM') || '..' || coalesce(to_char(a.ends_on, 'YYYY-MM'), '') as p
             from public.billing_plan_assignments a join public.billing_plans p on p.id = a.plan_id where a.tenant_id = $1 order by a.starts_on`,
          [T(slug)],
        )
      ).rows.map((r) => r.p);
    const acmeBefore = await periods("acme");
    assert.deepEqual(acmeBefore, ["Silver 2026-01..2026-12", "Gold 2026-12.."]);
    await asAdmin((tx) => undoRun(tx, MSSP(), run.id));
    await work();
    const it = await items(run.id);
    assert.equal(it.acme.status, "undo_skipped", it.acme.message ?? "");
    assert.match(it.acme.message ?? "", /^The invoice of 2026-12 was finalized at the plan this run assigned, so that assignment stays: left as it is now/);
    assert.deepEqual(await periods("acme"), acmeBefore, "acme's assignments are unchanged");
    assert.equal(it.globex.status, "undone");
    assert.deepEqual(await periods("globex"), []);
  });
});

describe("one bad tenant does not hold up the run, nor the runs behind it", () => {
  test("a tenant whose audit row is refused after its change ends failed, nothing of it kept; the run finishes", async () => {
    const key = "locale.time_zone";
    // The database refuses acme-eu's success row (a real refusal, after the change was applied in the item's transaction).
    await owner.query(`create function public.test_refuse_bulk_success() returns trigger language plpgsql as $$
      begin
        if new.action = 'bulk:setting' and new.outcome = 'success' and new.tenant_id = '${T("acme-eu")}' then
          raise exception 'refused for the test';
        end if;
        return new;
      end $$`);
    await owner.query("create trigger test_refuse_bulk_success before insert on public.audit_log for each row execute function public.test_refuse_bulk_success()");
    try {
      const run = await plan("acme", { operation: "setting", key, mode: "set", value: "Europe/Paris" });
      await start(run.id, 3);
      assert.deepEqual((await work()).outcomes, ["succeeded"]);
      assert.equal((await runOf(run.id)).status, "finished");
      const it = await items(run.id);
      assert.deepEqual([it.acme.status, it["acme-eu"].status, it["acme-us"].status], ["done", "failed", "done"]);
      assert.equal(it["acme-eu"].message, "Something went wrong here; nothing was changed for this tenant (the portal's log has the details).");
      assert.equal(await ownSetting("acme-eu", key), null, "the change was rolled back with its item");
      assert.equal(await ownSetting("acme-us", key), "Europe/Paris");
      // The failure is in the tenant's own trail, not the MSSP's.
      const { rows } = await owner.query<{ tenant_id: string }>(
        "select tenant_id from public.audit_log where action = 'bulk:setting' and outcome = 'failure' and target_id = $1 and details->>'run_id' = $2",
        [T("acme-eu"), run.id],
      );
      assert.deepEqual(rows.map((r) => r.tenant_id), [T("acme-eu")]);
    } finally {
      await owner.query("drop trigger test_refuse_bulk_success on public.audit_log");
      await owner.query("drop function public.test_refuse_bulk_success()");
      await owner.query("delete from public.tenant_settings where key = $1", [key]);
    }
  });

  test("a setting the registry no longer knows fails each tenant with the reason; unreadable parameters pause their run; the run behind both runs", async () => {
    const gone = await plan("acme", { operation: "setting", key: "locale.language", mode: "set", value: "de-DE" }, { kinds: "customers" });
    await start(gone.id, 1);
    // Since its dry run, the setting left the registry.
    await owner.query(`update public.bulk_runs set params = jsonb_set(params, '{key}', '"locale.retired_setting"') where id = $1`, [gone.id]);
    const unreadable = await plan("acme", { operation: "setting", key: "locale.language", mode: "set", value: "fr-FR" }, { kinds: "customers" });
    await start(unreadable.id, 1);
    await owner.query(`update public.bulk_runs set params = '{"operation": "setting", "key": "Not a key!"}' where id = $1`, [unreadable.id]);
    const behind = await plan("mssp-a", { operation: "setting", key: "sla.low.ack_minutes", mode: "set", value: "600" }, { kinds: "customers" });
    await start(behind.id, 2);

    assert.deepEqual((await work()).outcomes, ["succeeded"]);
    assert.equal((await runOf(gone.id)).status, "finished");
    assert.equal((await items(gone.id)).acme.status, "failed");
    assert.equal((await items(gone.id)).acme.message, 'There is no setting called "locale.retired_setting".');
    const paused = await runOf(unreadable.id);
    assert.equal(paused.status, "paused");
    assert.match(paused.note ?? "", /its parameters no longer pass the portal's checks/);
    assert.deepEqual(await statuses(unreadable.id), ["pending"]);
    assert.equal((await runOf(behind.id)).status, "finished");
    assert.deepEqual(await statuses(behind.id), ["done", "done"]);
    assert.equal(await ownSetting("acme", "sla.low.ack_minutes"), 600);
    assert.equal(await ownSetting("acme", "locale.language"), null);
    const { rows } = await owner.query<{ tenant_id: string }>(
      "select tenant_id from public.audit_log where action = 'bulk:setting' and outcome = 'failure' and details->>'run_id' = $1",
      [gone.id],
    );
    assert.deepEqual(rows.map((r) => r.tenant_id), [T("acme")], "the failure is in the tenant's own trail");
  });

  test("a row locked elsewhere past lock_timeout: the tenant stays pending, the job retries, then it runs", async () => {
    const key = "locale.time_zone";
    await owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, '\"America/New_York\"')", [T("acme"), key]);
    const run = await plan("acme", { operation: "setting", key, mode: "set", value: "Asia/Tokyo" }, { kinds: "customers" });
    await start(run.id, 1);
    const database = new URL(env.db.url).pathname.slice(1);
    const holder = new pg.Client({ connectionString: env.db.url });
    await holder.connect();
    try {
      await owner.query(`alter role portal_app in database ${database} set lock_timeout = '300ms'`);
      await closePool(); // the app's next connections log in with it
      await holder.query("begin");
      await holder.query("select 1 from public.tenant_settings where tenant_id = $1 and key = $2 for update", [T("acme"), key]);
      assert.deepEqual((await work()).outcomes, ["retrying"], "the attempt ends and is retried");
      assert.deepEqual(await statuses(run.id), ["pending"], "not failed for good");
      assert.equal((await runOf(run.id)).status, "running");
    } finally {
      await holder.query("rollback").catch(() => {});
      await holder.end();
      await owner.query(`alter role portal_app in database ${database} reset lock_timeout`);
      await closePool();
    }
    await owner.query("update graphile_worker._private_jobs set run_at = now()");
    assert.deepEqual((await work()).outcomes, ["succeeded"]);
    assert.deepEqual(await statuses(run.id), ["done"]);
    assert.equal(await ownSetting("acme", key), "Asia/Tokyo");
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
  });
});

describe("a statement timeout (57014) inside a tenant's change", () => {
  const key = "locale.time_zone";
  /** acme's own value, its row held FOR UPDATE by another connection until `release` (the worker's write waits on it). */
  async function holdAcme() {
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
    await owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, '\"America/New_York\"')", [T("acme"), key]);
    const holder = new pg.Client({ connectionString: env.db.url });
    await holder.connect();
    await holder.query("begin");
    await holder.query("select 1 from public.tenant_settings where tenant_id = $1 and key = $2 for update", [T("acme"), key]);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await holder.query("rollback").catch(() => {});
        await holder.end();
      },
    };
  }
  /** The app's statements waiting on a lock now, each with when it started. */
  const waiting = async () =>
    (await owner.query<{ started: string }>("select query_start::text as started from pg_stat_activity where usename = 'portal_app' and wait_event_type = 'Lock'")).rows.map((r) => r.started);

  test("a tenant that times out every time fails after its tries, its failure audited as a timeout; the run goes on and finishes", async () => {
    const run = await plan("mssp-a", { operation: "setting", key, mode: "set", value: "Asia/Tokyo" }, { kinds: "customers" });
    await start(run.id, 2);
    const held = await holdAcme();
    process.env.DB_STATEMENT_TIMEOUT_MS = "300";
    let outcomes;
    try {
      outcomes = (await work()).outcomes;
    } finally {
      delete process.env.DB_STATEMENT_TIMEOUT_MS;
      await held.release();
    }
    assert.deepEqual(outcomes, ["succeeded"], "the job does not spend its attempts on one tenant");
    const it = await items(run.id);
    assert.equal(it.acme.status, "failed");
    assert.equal(it.acme.message, `Took too long ${ITEM_TIMEOUT_TRIES} times in a row (the database stops a statement past its time limit): nothing was changed for this tenant.`);
    assert.equal(it.globex.status, "done");
    assert.equal((await runOf(run.id)).status, "finished");
    assert.equal(await ownSetting("acme", key), "America/New_York", "nothing of it kept");
    assert.equal(await ownSetting("globex", key), "Asia/Tokyo");
    const { rows } = await owner.query<{ tenant_id: string; reason: string }>(
      "select tenant_id, details->>'reason' as reason from public.audit_log where action = 'bulk:setting' and outcome = 'failure' and details->>'run_id' = $1",
      [run.id],
    );
    assert.deepEqual(rows, [{ tenant_id: T("acme"), reason: "timeout" }]);
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
  });

  test("a tenant that timed out while a lock was held elsewhere is tried again, and changed once the lock is gone", async () => {
    const run = await plan("acme", { operation: "setting", key, mode: "set", value: "Asia/Tokyo" }, { kinds: "customers" });
    await start(run.id, 1);
    const held = await holdAcme();
    process.env.DB_STATEMENT_TIMEOUT_MS = "1500";
    let outcomes;
    try {
      const working = work();
      // The first try waits on the lock, times out; the second waits again: then the lock goes.
      let first: string | undefined;
      for (let i = 0; i < 400; i++) {
        const now = await waiting();
        if (!first && now[0]) first = now[0];
        if (first && now.some((t) => t !== first)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(first, "the worker waited on the lock");
      await held.release();
      outcomes = (await working).outcomes;
    } finally {
      delete process.env.DB_STATEMENT_TIMEOUT_MS;
      await held.release();
    }
    assert.deepEqual(outcomes, ["succeeded"]);
    assert.deepEqual(await statuses(run.id), ["done"]);
    assert.equal(await ownSetting("acme", key), "Asia/Tokyo");
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
  });
});

describe("the canary", () => {
  test("counts the tenants changed, not those skipped when they ran", async () => {
    const key = "locale.language";
    const run = await plan("acme", { operation: "setting", key, mode: "set", value: "de-DE" });
    assert.equal(run.toChange, 3);
    // After the dry run, acme got that value already: it is skipped when it runs.
    await owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, '\"de-DE\"')", [T("acme"), key]);
    await start(run.id, 3, 1);
    await work();
    const now = await runOf(run.id);
    assert.equal(now.status, "paused");
    assert.match(now.note ?? "", /^Canary done/);
    assert.deepEqual(await statuses(run.id), ["skipped", "done", "pending"], "the canary is a tenant that changed");
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
  });

  test("a run stopped before its canary ran still pauses for it after Continue", async () => {
    const key = "locale.language";
    const run = await plan("acme", { operation: "setting", key, mode: "set", value: "fr-FR" });
    assert.equal(run.toChange, 3);
    await start(run.id, 3, 1);
    // Stopped before any worker took it: nothing ran, so nothing of the canary has been seen.
    await asAdmin((tx) => stopRun(tx, MSSP(), run.id));
    assert.equal((await runOf(run.id)).status, "paused");
    await asAdmin((tx) => continueRun(tx, MSSP(), run.id));
    await work();
    const now = await runOf(run.id);
    assert.equal(now.status, "paused", "the canary pause still comes");
    assert.match(now.note ?? "", /^Canary done/);
    assert.deepEqual(await statuses(run.id), ["done", "pending", "pending"]);
    // Continuing after the canary ran passes it: the rest run.
    await asAdmin((tx) => continueRun(tx, MSSP(), run.id));
    await work();
    assert.equal((await runOf(run.id)).status, "finished");
    assert.deepEqual(await statuses(run.id), ["done", "done", "done"]);
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
  });
});
