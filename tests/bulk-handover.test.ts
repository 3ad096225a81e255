// Who a bulk run acts as, once a person other than its starter carries it on (lib/bulk/runs.ts
// continueRun, lib/bulk/execute.ts):
//   - the person who continues a paused run acts for the rest of it (RLS and the PDP decide as
//     them; the audit rows name them); started_by stays who started it;
//   - a run whose actor can no longer see it (their role was taken away) is paused with a note,
//     and the job ends instead of looking at it again and again;
//   - a run paused during its undo carries on with the undo when continued, never the change.
// Each worker pass is bounded (an abort signal): a worker that loops ends the pass, and the
// assertions on the run's state then fail instead of the file hanging.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { BULK_JOB_KIND, bulkHandlers, continueRun, planRun, selectionSchema, startRun, stopRun, undoRun } from "@/lib/bulk";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { useFixtureEnv } from "./helpers/fixture-env";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });
const admins: Record<"starter" | "second" | "undoer", string> = { starter: "", second: "", undoer: "" };

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  // Three more admins of mssp-a, whose roles the tests take away.
  for (const name of Object.keys(admins) as (keyof typeof admins)[]) {
    const { rows } = await owner.query<{ id: string }>("insert into public.users (email, name) values ($1, $2) returning id", [`${name}@bulk-handover.test`, `Bulk ${name}`]);
    admins[name] = rows[0].id;
    await owner.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'mssp_admin')", [env.fx.tenants["mssp-a"], rows[0].id]);
  }
});

const MSSP = () => env.fx.tenants["mssp-a"];
const as = <T>(who: keyof typeof admins, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: admins[who], activeTenantId: null }, fn);
const dropRole = (who: keyof typeof admins) => owner.query("delete from public.memberships where user_id = $1", [admins[who]]);
const work = () => runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: bulkHandlers(), signal: AbortSignal.timeout(20_000) });

const run = async (id: string) =>
  (await owner.query<{ status: string; note: string | null; started_by: string | null }>("select status, note, started_by from public.bulk_runs where id = $1", [id])).rows[0];
const statuses = async (id: string) =>
  (await owner.query<{ status: string }>("select status from public.bulk_run_items where run_id = $1 order by position", [id])).rows.map((r) => r.status);
const value = async (slug: "acme" | "acme-eu" | "acme-us", key: string) =>
  (await owner.query<{ value: unknown }>("select value from public.tenant_settings where tenant_id = $1 and key = $2", [env.fx.tenants[slug], key])).rows[0]?.value ?? null;

async function planAcme(who: keyof typeof admins, key: string, v: string) {
  return as(who, (tx) =>
    planRun(tx, { runTenantId: MSSP(), selection: selectionSchema.parse({ rootId: env.fx.tenants.acme }), params: { operation: "setting", key, mode: "set", value: v } }),
  );
}

describe("the person who continues a run acts for the rest of it", () => {
  test("a canary paused run whose starter lost the role finishes as the admin who continued it", async () => {
    const planned = await planAcme("starter", "session.lifetime_hours", "5");
    await as("starter", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: 1 }));
    await work();
    assert.equal((await run(planned.id)).status, "paused");
    assert.deepEqual(await statuses(planned.id), ["done", "pending", "pending"]);

    await dropRole("starter");
    await as("second", (tx) => continueRun(tx, MSSP(), planned.id));
    await work();
    const after = await run(planned.id);
    assert.equal(after.status, "finished", after.note ?? "");
    assert.deepEqual(await statuses(planned.id), ["done", "done", "done"]);
    assert.equal(after.started_by, admins.starter, "started_by stays who started the run");
    const { rows } = await owner.query<{ tenant_id: string; actor_id: string }>(
      "select tenant_id, actor_id from public.audit_log where action = 'bulk:setting' and target_id = $1 and outcome = 'success'",
      [planned.id],
    );
    const actorOf = Object.fromEntries(rows.map((r) => [r.tenant_id, r.actor_id]));
    assert.deepEqual(
      [actorOf[env.fx.tenants.acme], actorOf[env.fx.tenants["acme-eu"]], actorOf[env.fx.tenants["acme-us"]]],
      [admins.starter, admins.second, admins.second],
      "each tenant's audit row names the person the change ran as",
    );
  });

  test("a running run whose actor can no longer see it pauses with a note; the job ends; Continue carries it on as the continuer", async () => {
    await owner.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'mssp_admin')", [MSSP(), admins.starter]);
    const planned = await planAcme("starter", "locale.language", "de-DE");
    await as("starter", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: null }));
    await dropRole("starter");
    // The starter's own job no longer runs (the worker asks the PDP for its creator); another admin hands the run to a worker.
    await work();
    assert.equal((await run(planned.id)).status, "running");
    await as("second", (tx) => continueRun(tx, MSSP(), planned.id));
    const pass = await work();
    assert.deepEqual(pass.outcomes, ["succeeded"], "the job ends: it does not look at the run again and again");
    const paused = await run(planned.id);
    assert.equal(paused.status, "paused");
    assert.match(paused.note ?? "", /can no longer see this run/);
    assert.deepEqual(await statuses(planned.id), ["pending", "pending", "pending"]);

    await as("second", (tx) => continueRun(tx, MSSP(), planned.id));
    await work();
    assert.equal((await run(planned.id)).status, "finished");
    assert.deepEqual(await statuses(planned.id), ["done", "done", "done"]);
    assert.equal(await value("acme-us", "locale.language"), "de-DE");
  });
});

describe("a run paused during its undo", () => {
  test("continuing it carries on with the undo, not the change", async () => {
    const key = "session.lifetime_hours";
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
    const planned = await planAcme("second", key, "7");
    await as("second", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: 1 }));
    await work();
    assert.deepEqual(await statuses(planned.id), ["done", "pending", "pending"]);
    assert.equal(await value("acme", key), 7);

    // The undo is asked by an admin who then loses the role: the undo pauses with a note.
    await as("undoer", (tx) => undoRun(tx, MSSP(), planned.id));
    await dropRole("undoer");
    await work();
    await as("second", (tx) => continueRun(tx, MSSP(), planned.id));
    await work();
    const paused = await run(planned.id);
    assert.equal(paused.status, "paused");
    assert.match(paused.note ?? "", /undo/i);

    // Continue: the undo goes on (as the person who continued), the pending tenants are not changed.
    await as("second", (tx) => continueRun(tx, MSSP(), planned.id));
    await work();
    assert.equal((await run(planned.id)).status, "undone");
    assert.deepEqual(await statuses(planned.id), ["undone", "pending", "pending"]);
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) assert.equal(await value(slug, key), null, slug);
    await assert.rejects(as("second", (tx) => continueRun(tx, MSSP(), planned.id)), /Only a paused run can be continued/);
  });
});

describe("stopping an undo", () => {
  test("an undo can be stopped; continuing it walks back the rest", async () => {
    const key = "session.lifetime_hours";
    await owner.query("delete from public.tenant_settings where key = $1", [key]);
    const planned = await planAcme("second", key, "5");
    await as("second", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: null }));
    await work();
    assert.deepEqual(await statuses(planned.id), ["done", "done", "done"]);
    await as("second", (tx) => undoRun(tx, MSSP(), planned.id));
    await as("second", (tx) => stopRun(tx, MSSP(), planned.id));
    const stopped = await run(planned.id);
    assert.equal(stopped.status, "paused");
    assert.match(stopped.note ?? "", /Undo stopped/);
    await work();
    assert.deepEqual(await statuses(planned.id), ["done", "done", "done"], "nothing walked back while stopped");
    await as("second", (tx) => continueRun(tx, MSSP(), planned.id));
    await work();
    assert.equal((await run(planned.id)).status, "undone");
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) assert.equal(await value(slug, key), null, slug);
  });
});

describe("who a run acts as is never someone else's choice", () => {
  test("SQL as an MSSP admin cannot name another admin as a run's actor, starter or undoer", async () => {
    const planned = await planAcme("second", "session.lifetime_hours", "9");
    for (const column of ["acting_by", "started_by", "undo_by"]) {
      await assert.rejects(
        as("second", (tx) => tx.client.query(`update public.bulk_runs set ${column} = $3 where tenant_id = $1 and id = $2`, [MSSP(), planned.id, admins.starter])),
        /can only be set to oneself/,
        column,
      );
    }
    // Oneself, only by the step that sets it (migration 20261201030510: a bare `acting_by = auth.uid()` would take the
    // run over): Start makes the caller the run's starter and actor, Undo its undoer and actor.
    await as("second", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: null }));
    await work();
    await as("second", (tx) => undoRun(tx, MSSP(), planned.id));
    const { rows } = await owner.query("select started_by, undo_by, acting_by from public.bulk_runs where id = $1", [planned.id]);
    assert.deepEqual(rows[0], { started_by: admins.second, undo_by: admins.second, acting_by: admins.second });
    await work();
    assert.equal((await run(planned.id)).status, "undone");
  });
});
