// What another MSSP admin can do to someone else's bulk run through `authenticated` (SQL as them, a
// Supabase Data API), and where runs may live (migration 20261201030500, lib/actions/bulk/bulk-action.ts):
//   - nobody rewrites a run's operation, parameters or selection, moves it back along its life, or
//     puts it to running or undoing (or passes its canary) without acting for it themselves: the
//     "re-arm B's finished run with A's parameters, hand it to a worker, it runs as B" attack fails;
//   - an item's plan and target never change, and its result (status, before, after) is written by the
//     portal alone (migration 20261201031700): neither A nor B, whom the run acts as, records a tenant's
//     result or plants the `before` the undo writes back, ends the run or writes its note by SQL; the
//     undo restores the values the worker really read;
//   - nobody becomes a run's actor but by starting, continuing or undoing it (a bare `acting_by =
//     auth.uid()` on a running run, then its pending tenants "done", is refused); a run ends only by
//     its actor with no work left; its note changes only with its status; its start, undo and end
//     times are now() of their step, set once (a started undo's time is never cleared: a paused undo
//     stays an undo); a canary passes only by Continue once its tenants ran (migration 20261201030510);
//   - items are added only by the portal's dry run, never by a person's statement (so a dry run's lines are the
//     portal's: another admin who starts it runs what they say);
//   - a run is planned on an MSSP only: the six bulk actions refuse a customer with a message, and
//     the database refuses a run inserted on a customer;
//   - the normal plan → start (canary) → continue by another admin → undo flow still works.
// Real Postgres with its RLS and triggers, real Cerbos; each attempt is a withTenant transaction.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { callAction, enrolMfa, type ServerAction } from "./helpers/actions";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { NOT_AN_MSSP } from "@/lib/actions/bulk/bulk-action";
import { BULK_JOB_KIND, bulkHandlers, continueRun, planRun, selectionSchema, startRun, stopRun, undoRun } from "@/lib/bulk";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { useFixtureEnv } from "./helpers/fixture-env";

const CONSOLE = "localhost:3000";
let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });
/** Two more admins of mssp-a: B plans and starts runs, A tampers with them. */
const admins: Record<"a" | "b", string> = { a: "", b: "" };

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  for (const name of Object.keys(admins) as (keyof typeof admins)[]) {
    const { rows } = await owner.query<{ id: string }>("insert into public.users (email, name) values ($1, $2) returning id", [`${name}@bulk-tamper.test`, `Bulk ${name}`]);
    admins[name] = rows[0].id;
    await owner.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'mssp_admin')", [env.fx.tenants["mssp-a"], rows[0].id]);
  }
  await enrolMfa(env.person("msspAdmin"));
});

const MSSP = () => env.fx.tenants["mssp-a"];
const as = <T>(who: keyof typeof admins, fn: (tx: TenantTx) => Promise<T>) => withTenant({ userId: admins[who], activeTenantId: null }, fn);
const work = () => runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: bulkHandlers(), signal: AbortSignal.timeout(20_000) });
const KEY = "session.lifetime_hours";

const snapshot = async (runId: string) => ({
  run: (await owner.query("select to_jsonb(r) as row from public.bulk_runs r where id = $1", [runId])).rows[0]?.row,
  items: (await owner.query("select to_jsonb(i) as row from public.bulk_run_items i where run_id = $1 order by position", [runId])).rows.map((r) => r.row),
});
const statuses = async (runId: string) =>
  (await owner.query<{ status: string }>("select status from public.bulk_run_items where run_id = $1 order by position", [runId])).rows.map((r) => r.status);
const runRow = async (runId: string) =>
  (await owner.query<{ status: string; acting_by: string | null; note: string | null }>("select status, acting_by, note from public.bulk_runs where id = $1", [runId])).rows[0];
const value = async (slug: "acme" | "acme-eu" | "acme-us", key: string) =>
  (await owner.query<{ value: unknown }>("select value from public.tenant_settings where tenant_id = $1 and key = $2", [env.fx.tenants[slug], key])).rows[0]?.value ?? null;

/** Each statement, as `who`, is refused with 42501 (and rolls back on its own). */
async function refused(who: keyof typeof admins, statements: [string, unknown[]][]) {
  for (const [sql, params] of statements) {
    await assert.rejects(
      as(who, (tx) => tx.client.query(sql, params)),
      (e: { code?: string; message?: string }) => {
        assert.equal(e.code, "42501", `${sql}: ${e.message}`);
        return true;
      },
      `${who}: ${sql}`,
    );
  }
}

const planAcme = (who: keyof typeof admins, v: string) =>
  as(who, (tx) => planRun(tx, { runTenantId: MSSP(), selection: selectionSchema.parse({ rootId: env.fx.tenants.acme }), params: { operation: "setting", key: KEY, mode: "set", value: v } }));

const runUpdate = (set: string): [string, unknown[]] => [`update public.bulk_runs set ${set} where tenant_id = $1 and id = $2`, []];
const itemUpdate = (set: string): [string, unknown[]] => [`update public.bulk_run_items set ${set} where tenant_id = $1 and run_id = $2`, []];
const on = (runId: string, statements: [string, unknown[]][]) => statements.map(([sql, extra]) => [sql, [MSSP(), runId, ...extra]] as [string, unknown[]]);

describe("another admin's finished run", () => {
  test("A can neither rewrite B's run nor re-arm it to run as B; B's own undo restores what was there", async () => {
    await owner.query("delete from public.tenant_settings where key = $1", [KEY]);
    const planned = await planAcme("b", "5");
    await as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: null }));
    await work();
    assert.equal((await runRow(planned.id)).status, "finished");
    assert.equal((await runRow(planned.id)).acting_by, admins.b);
    const before = await snapshot(planned.id);

    await refused("a", on(planned.id, [
      // The run's what: operation, parameters, selection, size, who planned it.
      runUpdate(`params = jsonb_set(params, '{value}', '"99"')`),
      runUpdate("operation = 'suspend'"),
      runUpdate(`selection = '{"words": "every customer"}'`),
      runUpdate("total = 2"),
      runUpdate("created_by = auth.uid()"),
      // Back to running (with or without naming oneself), or an undo that still acts as B.
      runUpdate("status = 'running'"),
      runUpdate("status = 'running', acting_by = auth.uid()"),
      runUpdate("status = 'undoing'"),
      runUpdate("canary_passed = not canary_passed"),
      runUpdate("undo_at = now()"),
      runUpdate("finished_at = now() - interval '1 day'"),
      // The items: back to pending, a planted previous value for B's undo, another plan or target.
      itemUpdate("status = 'pending'"),
      itemUpdate(`before = '{"own": 999}'`),
      itemUpdate(`after = '{"own": 999}'`),
      itemUpdate("planned = 'nothing to see'"),
      itemUpdate("plan_skip = true"),
      itemUpdate("message = 'tampered'"),
      [`update public.bulk_run_items set target_tenant_id = $3 where tenant_id = $1 and run_id = $2 and position = 0`, [env.fx.tenants.globex]],
      // An extra item for B's run.
      [
        `insert into public.bulk_run_items (tenant_id, run_id, target_tenant_id, position, target_name, planned) values ($1, $2, $3, 3, 'Globex', 'x')`,
        [env.fx.tenants.globex],
      ],
    ]));
    assert.deepEqual(await snapshot(planned.id), before, "nothing of B's run changed");
    // "Hand to a worker again" on it: refused by the action's own rule, nothing runs.
    await assert.rejects(as("a", (tx) => continueRun(tx, MSSP(), planned.id)), /Only a paused run can be continued/);

    // B's undo (B acts for it): even B cannot rewrite what an item recorded; A cannot record B's items.
    await as("b", (tx) => undoRun(tx, MSSP(), planned.id));
    await refused("b", on(planned.id, [itemUpdate(`before = '{"own": 999}'`), itemUpdate("status = 'pending'")]));
    await refused("a", on(planned.id, [itemUpdate("status = 'undone'"), runUpdate("status = 'paused', canary_passed = true")]));
    await work();
    assert.equal((await runRow(planned.id)).status, "undone");
    assert.deepEqual(await statuses(planned.id), ["undone", "undone", "undone"]);
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) assert.equal(await value(slug, KEY), null, slug);
  });
});

describe("another admin's paused run", () => {
  test("A carries it on only as A (Continue); a raw switch to running, or a canary passed, that still acts as B is refused", async () => {
    const planned = await planAcme("b", "6");
    await as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: 1 }));
    await work();
    assert.equal((await runRow(planned.id)).status, "paused");
    assert.deepEqual(await statuses(planned.id), ["done", "pending", "pending"]);
    const before = await snapshot(planned.id);

    await refused("a", on(planned.id, [
      runUpdate("status = 'running'"),
      runUpdate("status = 'running', canary_passed = true"),
      runUpdate("canary_passed = true"),
      runUpdate("status = 'undoing'"),
      runUpdate("canary = 2"),
      // B's pending items "done" with a planted previous value, for a later undo to write.
      [`update public.bulk_run_items set status = 'done', before = '{"own": 999}', after = '{"own": 6}' where tenant_id = $1 and run_id = $2 and status = 'pending'`, []],
    ]));
    assert.deepEqual(await snapshot(planned.id), before);

    // The way it is meant: A continues, and from then on the run acts as A (each audit row says so).
    await as("a", (tx) => continueRun(tx, MSSP(), planned.id));
    assert.equal((await runRow(planned.id)).acting_by, admins.a);
    await work();
    assert.equal((await runRow(planned.id)).status, "finished");
    const { rows } = await owner.query<{ tenant_id: string; actor_id: string }>(
      "select tenant_id, actor_id from public.audit_log where action = 'bulk:setting' and target_id = $1 and outcome = 'success'",
      [planned.id],
    );
    const actorOf = Object.fromEntries(rows.map((r) => [r.tenant_id, r.actor_id]));
    assert.deepEqual([actorOf[env.fx.tenants.acme], actorOf[env.fx.tenants["acme-eu"]], actorOf[env.fx.tenants["acme-us"]]], [admins.b, admins.a, admins.a]);
  });

  test("a paused undo is never run forward again, even by the person continuing it", async () => {
    const planned = await planAcme("b", "7");
    await as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: 1 }));
    await work();
    await as("b", (tx) => undoRun(tx, MSSP(), planned.id));
    await as("b", (tx) => tx.client.query("update public.bulk_runs set status = 'paused' where tenant_id = $1 and id = $2", [MSSP(), planned.id]));
    await refused("a", on(planned.id, [runUpdate("status = 'running', acting_by = auth.uid(), canary_passed = true")]));
    await as("a", (tx) => continueRun(tx, MSSP(), planned.id));
    assert.equal((await runRow(planned.id)).status, "undoing");
    await work();
    assert.deepEqual(await statuses(planned.id), ["undone", "pending", "pending"]);
  });
});

describe("a run that works", () => {
  test("while B's run runs, nobody's statements record its items, B's included: only the worker does (migration 20261201031700)", async () => {
    const planned = await planAcme("b", "8");
    await as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: null }));
    await refused("a", on(planned.id, [
      [`update public.bulk_run_items set status = 'done', before = '{"own": 999}' where tenant_id = $1 and run_id = $2 and position = 0`, []],
      itemUpdate("message = 'tampered'"),
      runUpdate("canary_passed = true"),
    ]));
    await refused("b", on(planned.id, [
      itemUpdate("status = 'undone'"),
      itemUpdate("planned = 'x'"),
      runUpdate(`params = jsonb_set(params, '{value}', '"99"')`),
      runUpdate("status = 'undone'"),
      // What the worker writes, written by B's own statement: a pending item's result with its before and after.
      [`update public.bulk_run_items set status = 'done', before = '{"own": null}', after = '{"own": 8}', message = 'ok', finished_at = now()
          where tenant_id = $1 and run_id = $2 and position = 0`, []],
    ]));
    await work();
    assert.equal((await runRow(planned.id)).status, "finished");
    assert.deepEqual(await statuses(planned.id), ["done", "done", "done"]);
  });

  test("the person a run acts as cannot plant the `before` its undo restores, end it, or write its note: the undo restores the real values", async () => {
    // acme has its own value before the run; its sites have none.
    await owner.query("delete from public.tenant_settings where key = $1", [KEY]);
    await owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, '20')", [env.fx.tenants.acme, KEY]);
    const planned = await planAcme("b", "10");
    await as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: 1 }));
    // B, whom the run acts as, records its pending tenants as changed, with previous values of B's choosing …
    await refused("b", on(planned.id, [
      [`update public.bulk_run_items set status = 'done', before = '{"own": 999}', after = '{"own": 10}', message = 'ok', finished_at = now()
          where tenant_id = $1 and run_id = $2 and status = 'pending'`, []],
      [`update public.bulk_run_items set status = 'skipped', message = 'Already so: skipped.', finished_at = now() where tenant_id = $1 and run_id = $2 and status = 'pending'`, []],
    ]));
    await work();
    assert.deepEqual(await statuses(planned.id), ["done", "pending", "pending"], "the canary ran");
    assert.match((await runRow(planned.id)).note ?? "", /Canary done/);
    // … or rewrites the `before` the worker recorded for the tenant it changed.
    await refused("b", on(planned.id, [itemUpdate(`before = '{"own": 999}'`), itemUpdate("message = 'ok'")]));
    // The note on the run's page: neither with a stop nor a continue, by B or another admin.
    await refused("a", on(planned.id, [runUpdate("status = 'running', acting_by = auth.uid(), note = 'Checked by the SOC lead: carry on.'")]));
    await as("b", (tx) => continueRun(tx, MSSP(), planned.id));
    await refused("a", on(planned.id, [runUpdate("status = 'paused', note = 'Canary done: every tenant checked, continue.'")]));
    await refused("b", on(planned.id, [runUpdate("status = 'paused', note = 'x'")]));
    // A stop through the app: the note is the portal's own sentence.
    await as("a", (tx) => stopRun(tx, MSSP(), planned.id));
    assert.match((await runRow(planned.id)).note ?? "", /^Stopped by an operator/);
    await as("b", (tx) => continueRun(tx, MSSP(), planned.id));
    // Its end, even with no tenant left (the items made so here by the owner): the worker's alone.
    await owner.query("update public.bulk_run_items set status = 'skipped', message = 'x' where run_id = $1 and position >= 1", [planned.id]);
    await refused("b", on(planned.id, [runUpdate("status = 'finished', finished_at = now()"), runUpdate("status = 'finished', finished_at = now(), note = null")]));
    await owner.query("update public.bulk_run_items set status = 'pending', message = null where run_id = $1 and position >= 1", [planned.id]);
    await work();
    const done = await runRow(planned.id);
    assert.deepEqual([done.status, done.note], ["finished", "3 done"]);
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) assert.equal(await value(slug, KEY), 10, slug);
    await as("b", (tx) => undoRun(tx, MSSP(), planned.id));
    await refused("b", on(planned.id, [itemUpdate(`before = '{"own": 999}'`), itemUpdate("status = 'undone'")]));
    await work();
    assert.equal((await runRow(planned.id)).status, "undone");
    // What was really there: acme's own 20 back, no own value on its sites.
    assert.deepEqual([await value("acme", KEY), await value("acme-eu", KEY), await value("acme-us", KEY)], [20, null, null]);
    await owner.query("delete from public.tenant_settings where key = $1", [KEY]);
  });
});

describe("what only a step of a run's life changes (migration 20261201030510)", () => {
  const pendingItem = (status: string): [string, unknown[]] => [
    `update public.bulk_run_items set status = '${status}', before = '{"own": 999}', after = '{"own": 11}', message = 'ok', finished_at = now()
      where tenant_id = $1 and run_id = $2 and status = 'pending'`,
    [],
  ];

  test("nobody becomes a running run's actor, ends it with tenants pending, or rewrites its note, without a step of its life", async () => {
    const planned = await planAcme("b", "11");
    await as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: null }));
    const before = await snapshot(planned.id);
    await refused("a", on(planned.id, [
      // Made the actor with no start, continue or undo (the status stays running) …
      runUpdate("acting_by = auth.uid()"),
      runUpdate("acting_by = auth.uid(), canary_passed = true"),
      // … so as to record B's pending tenants as done or skipped, with a planted `before` for B's undo.
      pendingItem("done"),
      pendingItem("skipped"),
      // Ended with every tenant still pending; the operators' instructions rewritten.
      runUpdate("status = 'finished', finished_at = now()"),
      runUpdate("note = 'Done by hand: do not continue.'"),
    ]));
    // The whole attack in one transaction: take the run over, then record B's tenants as done.
    await assert.rejects(
      as("a", async (tx) => {
        await tx.client.query("update public.bulk_runs set acting_by = auth.uid() where tenant_id = $1 and id = $2", [MSSP(), planned.id]);
        await tx.client.query(pendingItem("done")[0], [MSSP(), planned.id]);
      }),
      (e: { code?: string }) => e.code === "42501",
    );
    // Even the person it acts as neither ends it with tenants left nor passes a canary by hand, nor writes the note.
    await refused("b", on(planned.id, [
      runUpdate("status = 'finished', finished_at = now()"),
      runUpdate("canary_passed = true"),
      runUpdate("note = 'x'"),
    ]));
    assert.deepEqual(await snapshot(planned.id), before, "nothing of B's run changed");
    await work();
    const done = await runRow(planned.id);
    assert.deepEqual([done.status, done.acting_by], ["finished", admins.b]);
    assert.match(done.note ?? "", /^3 done$/);
    assert.deepEqual(await statuses(planned.id), ["done", "done", "done"]);
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) assert.equal(await value(slug, KEY), 11, slug);
  });

  test("a run's start, undo and end times are set once, to now, by their step; a paused undo stays an undo", async () => {
    await owner.query("delete from public.tenant_settings where key = $1", [KEY]);
    // Start: not backdated, not without a start time; an end (a discard) not at another time, nor without one.
    const planned = await planAcme("b", "12");
    await refused("a", on(planned.id, [
      runUpdate("status = 'running', started_by = auth.uid(), acting_by = auth.uid(), started_at = now() - interval '30 days'"),
      runUpdate("status = 'running', acting_by = auth.uid()"),
      runUpdate("status = 'discarded', finished_at = now() - interval '1 day'"),
      runUpdate("status = 'discarded'"),
    ]));
    await as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: null }));
    await work();
    const finishedAt = (await snapshot(planned.id)).run.finished_at;
    assert.ok(finishedAt);

    // Undo: it starts now, and its start is kept (a move to undoing without one, or with another, is refused).
    await refused("a", on(planned.id, [
      runUpdate("status = 'undoing', acting_by = auth.uid()"),
      runUpdate("status = 'undoing', acting_by = auth.uid(), undo_by = auth.uid(), undo_at = null"),
      runUpdate("status = 'undoing', acting_by = auth.uid(), undo_by = auth.uid(), undo_at = now() - interval '30 days'"),
    ]));
    await as("b", (tx) => undoRun(tx, MSSP(), planned.id));
    const undo = (await snapshot(planned.id)).run;
    assert.ok(undo.undo_at);
    assert.equal(undo.finished_at, finishedAt, "the finish time stays until the undo ends");
    // Ended with every tenant still to walk back: by the person it acts as or anyone else.
    await refused("a", on(planned.id, [runUpdate("status = 'undone', finished_at = now()")]));
    await refused("b", on(planned.id, [runUpdate("status = 'undone', finished_at = now()")]));
    // Paused, its undo is kept: a move back to undoing that clears or moves it is refused, so Continue never runs it forward.
    await as("b", (tx) => tx.client.query("update public.bulk_runs set status = 'paused' where tenant_id = $1 and id = $2", [MSSP(), planned.id]));
    await refused("a", on(planned.id, [
      runUpdate("status = 'undoing', acting_by = auth.uid(), undo_at = null"),
      runUpdate("status = 'undoing', acting_by = auth.uid(), undo_by = auth.uid(), undo_at = now()"),
      runUpdate("undo_at = null"),
    ]));
    const paused = (await snapshot(planned.id)).run;
    assert.deepEqual([paused.undo_at, paused.undo_by], [undo.undo_at, admins.b]);
    await as("a", (tx) => continueRun(tx, MSSP(), planned.id));
    assert.equal((await runRow(planned.id)).status, "undoing");
    await work();
    assert.equal((await runRow(planned.id)).status, "undone");
    assert.deepEqual(await statuses(planned.id), ["undone", "undone", "undone"]);
    for (const slug of ["acme", "acme-eu", "acme-us"] as const) assert.equal(await value(slug, KEY), null, slug);
  });

  test("a canary is passed only by continuing after its tenants ran", async () => {
    const planned = await planAcme("b", "13");
    await as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId: planned.id, confirm: 3, canary: 2 }));
    // Stopped before any tenant ran: A continuing with the canary passed would skip the pause after it.
    await as("a", (tx) => stopRun(tx, MSSP(), planned.id));
    assert.equal((await runRow(planned.id)).acting_by, admins.b, "a stop leaves whom the run acts as");
    await refused("a", on(planned.id, [runUpdate("status = 'running', acting_by = auth.uid(), canary_passed = true, note = null")]));
    await as("a", (tx) => continueRun(tx, MSSP(), planned.id));
    await work();
    const paused = await runRow(planned.id);
    assert.equal(paused.status, "paused");
    assert.match(paused.note ?? "", /Canary done/);
    assert.deepEqual(await statuses(planned.id), ["done", "done", "pending"]);
    await as("b", (tx) => continueRun(tx, MSSP(), planned.id));
    await work();
    assert.equal((await runRow(planned.id)).status, "finished");
    await as("b", (tx) => undoRun(tx, MSSP(), planned.id));
    await work();
  });
});

describe("new runs and items", () => {
  test("a run is inserted only as a dry run acting as nobody, on the MSSP, never on a customer", async () => {
    const count = async () => (await owner.query<{ n: number }>("select count(*)::int as n from public.bulk_runs")).rows[0].n;
    const n = await count();
    const PARAMS = `'{"operation": "setting", "key": "${KEY}", "mode": "set", "value": "9"}'`;
    const insert = (tenant: string, cols = "", vals = "", extra: unknown[] = []): [string, unknown[]] => [
      `insert into public.bulk_runs (tenant_id, operation, params, total, created_by${cols}) values ($1, 'setting', ${PARAMS}, 1, auth.uid()${vals})`,
      [tenant, ...extra],
    ];
    const stmts = [
      // Already running, as B or as oneself; acting as B; already over; its canary passed.
      insert(MSSP(), ", status, acting_by", ", 'running', $2", [admins.b]),
      insert(MSSP(), ", status, acting_by, started_by, started_at", ", 'running', auth.uid(), auth.uid(), now()"),
      insert(MSSP(), ", acting_by", ", $2", [admins.b]),
      insert(MSSP(), ", status", ", 'finished'"),
      insert(MSSP(), ", canary_passed", ", true"),
      // On a customer or a site of the MSSP (RLS lets its admins write there).
      insert(env.fx.tenants.acme),
      insert(env.fx.tenants["acme-eu"]),
    ];
    await refused("a", stmts);
    assert.equal(await count(), n, "no run inserted");
    // Positive control: a dry run on the MSSP.
    const { rows } = await as("a", (tx) =>
      tx.client.query<{ id: string }>(
        `insert into public.bulk_runs (tenant_id, operation, params, total, created_by) values ($1, 'setting', '{}', 3, auth.uid()) returning id`,
        [MSSP()],
      ),
    );
    assert.equal(await count(), n + 1);
    const runId = rows[0].id;

    // Items: not even into one's own dry run, with nothing recorded (migration 20261201031700): the lines a dry run shows
    // are the portal's, so another admin who starts it (typing its count) never runs a change its lines do not say.
    const item = (target: string, position: number, extra = { cols: "", vals: "" }): [string, unknown[]] => [
      `insert into public.bulk_run_items (tenant_id, run_id, target_tenant_id, position, target_name, planned${extra.cols}) values ($1, $2, $3, $4, 'T', 'x'${extra.vals})`,
      [MSSP(), runId, target, position],
    ];
    await refused("b", [item(env.fx.tenants.acme, 0)]);
    await refused("a", [
      item(env.fx.tenants.acme, 3),
      item(env.fx.tenants.acme, 0, { cols: ", status", vals: ", 'done'" }),
      item(env.fx.tenants.acme, 0, { cols: ", before", vals: `, '{"own": 999}'` }),
      item(env.fx.tenants.acme, 0, { cols: ", status", vals: ", 'skipped'" }),
      item(env.fx.tenants.acme, 0),
      item(env.fx.tenants.globex, 1, { cols: ", status, plan_skip", vals: ", 'skipped', true" }),
    ]);
    assert.equal((await snapshot(runId)).items.length, 0);
    // A dry run with no item the portal planned starts nothing.
    await assert.rejects(as("b", (tx) => startRun(tx, { runTenantId: MSSP(), runId, confirm: 0, canary: null })), /Nothing to change/);
    await as("a", (tx) => tx.client.query("update public.bulk_runs set status = 'discarded', finished_at = now() where tenant_id = $1 and id = $2", [MSSP(), runId]));
    // The portal's own dry run writes its items (positive control).
    const mine = await planAcme("a", "4");
    assert.deepEqual(await statuses(mine.id), ["pending", "pending", "pending"]);
  });

  type Result = { ok: boolean; error?: string };
  const action = async (file: string, name: string) => (await import(`@/lib/actions/bulk/${file}`))[name] as ServerAction;
  /** A run held by acme (as one planned before runs were kept to MSSPs), in `status`, with one pending item. */
  async function customerRun(status: string): Promise<string> {
    const { rows } = await owner.query<{ id: string }>(
      "insert into public.bulk_runs (tenant_id, operation, params, status, total, created_by, started_by, acting_by) values ($1, 'setting', $2, $3, 1, $4, $4, $4) returning id",
      [env.fx.tenants.acme, JSON.stringify({ operation: "setting", key: KEY, mode: "set", value: "3" }), status, env.fx.users.msspAdmin],
    );
    await owner.query("insert into public.bulk_run_items (tenant_id, run_id, target_tenant_id, position, target_name, planned) values ($1, $2, $3, 0, 'Acme EU', 'x')", [
      env.fx.tenants.acme,
      rows[0].id,
      env.fx.tenants["acme-eu"],
    ]);
    return rows[0].id;
  }

  test("the six bulk actions refuse a customer's tenant id with a message; nothing is planned or changed", async () => {
    const acme = env.fx.tenants.acme;
    const runsOnAcme = async () => (await owner.query<{ n: number }>("select count(*)::int as n from public.bulk_runs where tenant_id = $1", [acme])).rows[0].n;
    const cases: [string, string, () => Promise<Record<string, string>>][] = [
      ["plan-bulk-run", "planBulkRun", async () => ({ tenantId: acme, rootId: acme, kinds: "all", operation: "setting", key: KEY, mode: "set", value: "3" })],
      ["start-bulk-run", "startBulkRun", async () => ({ tenantId: acme, runId: await customerRun("planned"), confirm: "1", canary: "" })],
      ["control-bulk-run", "stopBulkRun", async () => ({ tenantId: acme, runId: await customerRun("running") })],
      ["control-bulk-run", "continueBulkRun", async () => ({ tenantId: acme, runId: await customerRun("paused") })],
      ["control-bulk-run", "undoBulkRun", async () => ({ tenantId: acme, runId: await customerRun("finished") })],
      ["control-bulk-run", "discardBulkRun", async () => ({ tenantId: acme, runId: await customerRun("planned") })],
    ];
    for (const [file, name, form] of cases) {
      const fields = await form();
      const before = { runs: await runsOnAcme(), run: fields.runId ? await snapshot(fields.runId) : null };
      const r = (await callAction(await action(file, name), { person: env.person("msspAdmin"), host: CONSOLE }, fields)) as Result;
      assert.deepEqual(r, { ok: false, error: NOT_AN_MSSP }, name);
      assert.deepEqual({ runs: await runsOnAcme(), run: fields.runId ? await snapshot(fields.runId) : null }, before, `${name}: nothing changed`);
      const { rows } = await owner.query<{ outcome: string; reason: string }>(
        "select outcome, details->>'reason' as reason from public.audit_log where action = $1 and actor_id = $2 order by occurred_at desc limit 1",
        [`bulk:${{ planBulkRun: "planned", startBulkRun: "started", stopBulkRun: "stopped", continueBulkRun: "continued", undoBulkRun: "undo-started", discardBulkRun: "discarded" }[name]}`, env.fx.users.msspAdmin],
      );
      assert.deepEqual(rows[0], { outcome: "denied", reason: "rule" }, `${name}: a denied audit row`);
    }
    // Positive control: the same admin plans on the MSSP.
    const ok = (await callAction(await action("plan-bulk-run", "planBulkRun"), { person: env.person("msspAdmin"), host: CONSOLE }, {
      tenantId: MSSP(), rootId: acme, kinds: "all", operation: "setting", key: KEY, mode: "set", value: "3",
    })) as Result;
    assert.equal(ok.ok, true, JSON.stringify(ok));
  });
});
