// The job engine (lib/jobs on graphile-worker) against a real database:
// enqueue joins an unfinished job and hands the row to graphile-worker in the
// same transaction; a job runs once even with two workers; failures retry with
// graphile-worker's backoff and then fail for good with a scrubbed error; a
// worker that stops beating (killed) has its job freed and finished by
// another, which locks the first one out; workflows resume at the step they
// reached; the loop picks a job up at once (LISTEN/NOTIFY) and stops on its
// signal; under RLS a user sees only jobs of their tenants and anon none.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import pg from "pg";
import { withServiceRole } from "@/lib/db/service-role";
import { inTransaction } from "@/lib/db/with-tenant";
import { accessTokenHookEvent } from "@/lib/db/claims";
import {
  completeJob,
  enqueueJob,
  enqueueServiceJob,
  enqueueServiceJobIn,
  failJob,
  getJob,
  getJobAsService,
  graphileRetryDelayMs,
  jobSteps,
  LeaseLostError,
  listJobs,
  PermanentJobError,
  progress,
  retryJob,
  runJobsUntilIdle,
  runWorker,
  startAttempt,
  sweepDeadWorkers,
  type JobHandler,
} from "@/lib/jobs";
import { defineWorkflow } from "@/lib/jobs/workflow";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as, assertRefused, attempt } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
});
after(async () => {
  await owner.end();
  await db.drop();
});
beforeEach(async () => {
  await owner.query("delete from public.jobs; delete from graphile_worker._private_jobs; delete from jobs_engine.workers");
});

/** graphile-worker's copy of a job row (null once it completed). */
async function queued(id: string) {
  const { rows } = await owner.query(
    `select g.attempts, g.max_attempts, g.locked_by, g.run_at, t.identifier
       from graphile_worker._private_jobs g join graphile_worker._private_tasks t on t.id = g.task_id
      where g.key like '%' || $1`,
    [id],
  );
  return rows[0] ?? null;
}
/** Time passes: every scheduled retry is due. */
const makeDue = () => owner.query("update graphile_worker._private_jobs set run_at = now()");

const KIND = "test.echo";
/**
 * A kind a person may queue (migration 20261201030800: MSSP admins, key rotations and bulk runs only;
 * everything else is queued by the service path). The tests run it with their own handlers.
 */
const PERSON_KIND = "bulk.run";
const ok: JobHandler = { requires: "settings:manage", run: async (ctx) => ({ result: { echoed: ctx.job.payload } }) };

async function row(tenantId: string, id: string) {
  const { rows } = await owner.query(
    `select *, extract(epoch from run_after - now()) * 1000 as due_in_ms from public.jobs where tenant_id = $1 and id = $2`,
    [tenantId, id],
  );
  return rows[0];
}

describe("enqueue", () => {
  test("an admin queues a job in their transaction; a second request joins the unfinished one", async () => {
    const first = await as(fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: PERSON_KIND, payload: { n: 1 } }));
    assert.equal(first.created, true);
    assert.equal(first.job.status, "queued");
    assert.equal(first.job.createdBy, fx.users.msspAdmin);
    const second = await as(fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: PERSON_KIND, payload: { n: 2 } }));
    assert.equal(second.created, false);
    assert.equal(second.job.id, first.job.id);
    assert.deepEqual(second.job.payload, { n: 1 });
    // Another kind, or another tenant, is its own job.
    const other = await as(fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants["acme-eu"], kind: PERSON_KIND }));
    assert.equal(other.created, true);
    // Once finished, a new request makes a new job.
    assert.deepEqual((await runJobsUntilIdle({ kinds: [PERSON_KIND], handlers: { [PERSON_KIND]: ok } })).outcomes, ["succeeded", "succeeded"]);
    const third = await as(fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: PERSON_KIND }));
    assert.equal(third.created, true);
    assert.notEqual(third.job.id, first.job.id);
  });

  test("a service job has no creator", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: KIND });
    assert.equal(job.createdBy, null);
  });

  test("RLS: non-admins, customers' admins, other kinds, other tenants and forged creators cannot queue", async () => {
    await assert.rejects(
      as(fx, "acmeViewer", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: KIND })),
      (e: { code?: string }) => e.code === "42501",
    );
    // Migration 20261201030800: a customer's admin queues nothing; an MSSP admin only the kinds people start.
    await assert.rejects(
      as(fx, "acmeAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: PERSON_KIND })),
      (e: { code?: string }) => e.code === "42501",
    );
    await assert.rejects(
      as(fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: KIND })),
      (e: { code?: string }) => e.code === "42501",
    );
    await assert.rejects(
      as(fx, "acmeAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.globex, kind: KIND })),
      (e: { code?: string }) => e.code === "42501",
    );
    await as(fx, "msspAdmin", async (tx) => {
      assertRefused(
        await attempt(tx.client, `insert into public.jobs (tenant_id, kind, created_by) values ($1, $2, $3)`, [
          fx.tenants.acme,
          PERSON_KIND,
          fx.users.acmeAdmin,
        ]),
      );
      assertRefused(
        await attempt(tx.client, `insert into public.jobs (tenant_id, kind, status, created_by) values ($1, $2, 'running', auth.uid())`, [
          fx.tenants.acme,
          PERSON_KIND,
        ]),
      );
    });
  });
});

describe("handing jobs to graphile-worker", () => {
  test("a job row is scheduled in the same transaction; a rolled-back one leaves nothing", async () => {
    const { job } = await as(fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: PERSON_KIND }));
    const g = await queued(job.id);
    assert.equal(g?.identifier, PERSON_KIND, "the task is the job's kind");
    await assert.rejects(
      as(fx, "msspAdmin", async (tx) => {
        await enqueueJob(tx, { tenantId: fx.tenants["acme-eu"], kind: PERSON_KIND });
        throw new Error("the action failed after queuing");
      }),
      /the action failed after queuing/,
    );
    const { rows } = await owner.query("select count(*)::int as n from graphile_worker._private_jobs");
    assert.equal(rows[0].n, 1, "the rolled-back job was not scheduled");
    // A user cannot reach graphile-worker's queue directly.
    await as(fx, "msspAdmin", async (tx) => {
      assertRefused(await attempt(tx.client, "select graphile_worker.add_job('vault.rotate-kek', '{}'::json)"));
      assertRefused(await attempt(tx.client, "select * from graphile_worker._private_jobs"));
    });
  });

  test("a scheduled job waits for its time; only kinds the worker knows run", async () => {
    const later = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND, runAfter: new Date(Date.now() + 3_600_000) });
    await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: "test.other" });
    assert.equal((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: ok } })).ran, 0);
    await makeDue();
    assert.deepEqual((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: ok } })).outcomes, ["succeeded"]);
    assert.equal((await row(fx.tenants.acme, later.job.id)).status, "succeeded");
    assert.ok(await queued((await owner.query("select id from public.jobs where kind = 'test.other'")).rows[0].id), "the other kind waits");
  });

  test("two workers draining at once run each job exactly once", async () => {
    const slugs = ["mssp-a", "acme", "acme-eu", "acme-us", "globex", "mssp-b", "other-co"] as const;
    for (const s of slugs) await enqueueServiceJob({ tenantId: fx.tenants[s], kind: KIND });
    const runs = new Map<string, number>();
    const counting: JobHandler = {
      requires: "settings:manage",
      run: async (ctx) => {
        runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 30));
        return { result: {} };
      },
    };
    const [a, b] = await Promise.all([
      runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: counting } }),
      runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: counting } }),
    ]);
    assert.equal(a.ran + b.ran, slugs.length);
    assert.equal(runs.size, slugs.length);
    assert.ok([...runs.values()].every((n) => n === 1));
    const { rows } = await owner.query("select status, attempts from public.jobs");
    assert.ok(rows.every((r) => r.status === "succeeded" && r.attempts === 1));
  });
});

describe("failures", () => {
  test("retries with graphile-worker's backoff, then fails for good with a scrubbed error", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND, maxAttempts: 3 });
    // A driver error whose detail echoes row values: only its message is kept.
    const failing: JobHandler = {
      requires: "settings:manage",
      run: async () => {
        await owner.query("create temporary table if not exists dup (v text primary key)");
        await owner.query("insert into dup values ('hunter2-detail-value') on conflict do nothing");
        await owner.query("insert into dup values ('hunter2-detail-value')");
        return { result: {} };
      },
    };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { outcomes } = await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: failing } });
      assert.deepEqual(outcomes, [attempt < 3 ? "retrying" : "failed"]);
      const r = await row(fx.tenants.acme, job.id);
      assert.equal(r.attempts, attempt);
      assert.match(r.last_error, /duplicate key value violates unique constraint/);
      assert.match(r.last_error, /SQLSTATE 23505/);
      assert.doesNotMatch(r.last_error, /hunter2/);
      if (attempt < 3) {
        assert.equal(r.status, "queued");
        assert.equal(r.locked_by, null);
        const g = await queued(job.id);
        const dueIn = new Date(g.run_at).getTime() - Date.now();
        const expected = graphileRetryDelayMs(attempt);
        assert.ok(Math.abs(dueIn - expected) < 1_500, `graphile-worker retries in ${dueIn} ms, expected ~${expected}`);
        assert.ok(Math.abs(Number(r.due_in_ms) - expected) < 1_500, "the row shows when");
        // Not due yet: nothing runs.
        assert.equal((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: failing } })).ran, 0);
        await makeDue();
      } else {
        assert.equal(r.status, "failed");
        assert.ok(r.finished_at);
        assert.equal(await queued(job.id), null, "nothing left to retry");
      }
    }
  });

  test("a job of a system-only kind queued in a person's name fails without running", async () => {
    const kind = "test.system-only";
    // The database refuses a person's own queuing of it (migration 20261201030800); the worker
    // refuses one the service path queued in their name.
    await assert.rejects(
      as(fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind })),
      (e: { code?: string }) => e.code === "42501",
    );
    const { job } = await withServiceRole("jobs.worker", (sdb) => enqueueServiceJobIn(sdb, { tenantId: fx.tenants.acme, kind }, fx.users.acmeAdmin));
    let ran = false;
    const systemOnly: JobHandler = {
      requires: "system-only",
      run: async () => {
        ran = true;
        return { result: {} };
      },
    };
    assert.deepEqual((await runJobsUntilIdle({ kinds: [kind], handlers: { [kind]: systemOnly } })).outcomes, ["failed"]);
    assert.equal(ran, false);
    assert.match((await row(fx.tenants.acme, job.id)).last_error, /queued by the system only/);
    const sys = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind });
    assert.deepEqual((await runJobsUntilIdle({ kinds: [kind], handlers: { [kind]: systemOnly } })).outcomes, ["succeeded"]);
    assert.equal(ran, true);
    assert.equal((await row(fx.tenants.acme, sys.job.id)).status, "succeeded");
  });

  test("a permanent error fails at once; a failed job can be retried", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const bad: JobHandler = { requires: "settings:manage", run: async () => Promise.reject(new PermanentJobError("The settings are wrong.")) };
    assert.deepEqual((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: bad } })).outcomes, ["failed"]);
    const r = await row(fx.tenants.acme, job.id);
    assert.equal(r.status, "failed");
    assert.equal(r.attempts, 1);
    assert.equal(r.last_error, "The settings are wrong.");
    const again = await withServiceRole("jobs.worker", (sdb) => retryJob(sdb, fx.tenants.acme, job.id));
    assert.equal(again?.status, "queued");
    assert.deepEqual((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: ok } })).outcomes, ["succeeded"]);
  });

  test("a job whose creator lost the right fails; retried by someone who may, it runs as them", async () => {
    const { job } = await withServiceRole("jobs.worker", (sdb) => enqueueServiceJobIn(sdb, { tenantId: fx.tenants.acme, kind: KIND }, fx.users.acmeAdmin));
    // As if its creator had since become an analyst (acme's last admin cannot be demoted here): the PDP
    // no longer lets them manage settings.
    await owner.query("update public.jobs set created_by = $1 where id = $2", [fx.users.acmeAnalyst, job.id]);
    {
      assert.deepEqual((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: ok } })).outcomes, ["failed"]);
      assert.match((await row(fx.tenants.acme, job.id)).last_error, /may not do it on this tenant/);
      // A retry without a new creator fails the same way; the MSSP admin's retry carries it on.
      await withServiceRole("jobs.worker", (sdb) => retryJob(sdb, fx.tenants.acme, job.id));
      assert.deepEqual((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: ok } })).outcomes, ["failed"]);
      const again = await withServiceRole("jobs.worker", (sdb) => retryJob(sdb, fx.tenants.acme, job.id, { userId: fx.users.msspAdmin }));
      assert.equal(again?.createdBy, fx.users.msspAdmin);
      assert.deepEqual((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: ok } })).outcomes, ["succeeded"]);
    }
  });

  test("a failure's audit row is written when the job fails for good", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: KIND, maxAttempts: 1 });
    const bad: JobHandler = {
      requires: "settings:manage",
      run: async () => Promise.reject(new Error("boom")),
      auditFailure: (_job, error) => ({ action: "test.failed", details: { error: error.message } }),
    };
    await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: bad } });
    const { rows } = await owner.query(
      "select actor_id, outcome, target_id, details from public.audit_log where tenant_id = $1 and action = 'test.failed'",
      [fx.tenants.globex],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].outcome, "failure");
    assert.equal(rows[0].actor_id, null);
    assert.equal(rows[0].target_id, job.id);
    assert.equal(rows[0].details.error, "boom");
  });
});

/** A worker that took the job and died: graphile-worker's lock and the row say "ghost" holds it, with no heartbeat. */
async function ghostTakes(jobId: string, tenantId: string, lockedSecondsAgo = 120) {
  await owner.query(
    `update graphile_worker._private_jobs set locked_by = 'ghost', locked_at = now() - make_interval(secs => $2), attempts = attempts + 1
      where key like '%' || $1`,
    [jobId, lockedSecondsAgo],
  );
  return startAttempt(tenantId, jobId, "ghost");
}

describe("dead workers", () => {
  test("a worker that stops beating loses its job to the next worker, which locks it out", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const ghost = await ghostTakes(job.id, fx.tenants.acme);
    await progress(ghost!, 1, 10);
    assert.equal((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: ok } })).ran, 1, "the sweep freed it at once");
    const r = await row(fx.tenants.acme, job.id);
    assert.equal(r.status, "succeeded");
    assert.equal(r.attempts, 2);
    assert.equal(r.progress_done, 10, "a finished job shows its whole bar");
    await assert.rejects(progress(ghost!, 2, 10), LeaseLostError);
    await assert.rejects(completeJob(ghost!, {}), LeaseLostError);
    await assert.rejects(failJob(ghost!, new Error("x")), LeaseLostError);
  });

  test("a worker with a fresh heartbeat keeps its job; a job locked a moment ago is left alone", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    await ghostTakes(job.id, fx.tenants.acme);
    await owner.query("insert into jobs_engine.workers (worker_id, process) values ('ghost', 'elsewhere')");
    assert.deepEqual((await sweepDeadWorkers()).deadWorkers, []);
    await owner.query("delete from jobs_engine.workers");
    await owner.query("update graphile_worker._private_jobs set locked_at = now()");
    assert.deepEqual((await sweepDeadWorkers()).deadWorkers, [], "just locked: it has not had time to beat");
    assert.deepEqual((await sweepDeadWorkers(0)).deadWorkers, ["ghost"]);
  });

  test("a worker that died during the last attempt leaves a failed job, not a running one", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND, maxAttempts: 1 });
    await ghostTakes(job.id, fx.tenants.acme);
    assert.equal((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: ok } })).ran, 0);
    const r = await row(fx.tenants.acme, job.id);
    assert.equal(r.status, "failed");
    assert.match(r.last_error, /stopped before finishing/);
    assert.equal(await queued(job.id), null);
  });
});

describe("workflows", () => {
  test("steps run in order, each once; a failed step resumes there after a retry", async () => {
    const ran: string[] = [];
    let failTwice = 2;
    const flow = defineWorkflow({
      requires: "settings:manage",
      steps: [
        { name: "one", run: async () => (ran.push("one"), { a: 1 }) },
        {
          name: "two",
          run: async (ctx) => {
            ran.push("two");
            assert.deepEqual(ctx.outputs.one, { a: 1 }, "earlier outputs reach later steps");
            if (failTwice-- > 0) throw new Error("vendor down");
            return { b: 2 };
          },
        },
        { name: "three", run: async (ctx) => (ran.push("three"), await ctx.stepProgress(5, 5), {}) },
      ],
      finish: (_job, outputs) => ({ result: { b: outputs.two.b } }),
    });
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: "test.flow", maxAttempts: 1 });
    assert.deepEqual((await runJobsUntilIdle({ kinds: ["test.flow"], handlers: { "test.flow": flow } })).outcomes, ["failed"]);
    let steps = await as(fx, "msspAnalyst", (tx) => jobSteps(tx, fx.tenants.acme, job.id));
    assert.deepEqual(steps.map((s) => s.status), ["succeeded", "failed", "pending"]);
    assert.equal(steps[1].lastError, "vendor down");
    await withServiceRole("jobs.worker", (sdb) => retryJob(sdb, fx.tenants.acme, job.id));
    assert.deepEqual((await runJobsUntilIdle({ kinds: ["test.flow"], handlers: { "test.flow": flow } })).outcomes, ["failed"]);
    await withServiceRole("jobs.worker", (sdb) => retryJob(sdb, fx.tenants.acme, job.id));
    assert.deepEqual((await runJobsUntilIdle({ kinds: ["test.flow"], handlers: { "test.flow": flow } })).outcomes, ["succeeded"]);
    assert.deepEqual(ran, ["one", "two", "two", "two", "three"], "step one never ran again");
    steps = await as(fx, "msspAnalyst", (tx) => jobSteps(tx, fx.tenants.acme, job.id));
    assert.deepEqual(steps.map((s) => [s.status, s.attempts]), [["succeeded", 1], ["succeeded", 3], ["succeeded", 1]]);
    assert.deepEqual(steps[2].output, { done: 5, total: 5 });
    const r = await row(fx.tenants.acme, job.id);
    assert.deepEqual(r.result, { b: 2 });
    assert.equal(r.progress_done, 3);
    assert.equal(r.progress_total, 3);
    // Other tenants do not see the steps, nor the customer's own members (the MSSP's staff read jobs, migration 20261201032400).
    assert.deepEqual(await as(fx, "globexAdmin", (tx) => jobSteps(tx, fx.tenants.acme, job.id)), []);
    assert.deepEqual(await as(fx, "acmeAdmin", (tx) => jobSteps(tx, fx.tenants.acme, job.id)), []);
  });
});

describe("the worker loop", () => {
  test("picks a new job up at once (LISTEN/NOTIFY, not the poll) and stops on its signal", async () => {
    const controller = new AbortController();
    const loop = runWorker({ signal: controller.signal, pollMs: 60_000, kinds: [KIND], handlers: { [KIND]: ok } });
    await new Promise((r) => setTimeout(r, 1_500));
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND, payload: { hello: "world" } });
    const queuedAt = Date.now();
    for (let i = 0; i < 100 && (await getJobAsService(fx.tenants.acme, job.id))?.status !== "succeeded"; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = await getJobAsService(fx.tenants.acme, job.id);
    assert.equal(done?.status, "succeeded");
    assert.ok(Date.now() - queuedAt < 5_000, "well before the 60 s poll");
    assert.deepEqual(done?.result, { echoed: { hello: "world" } });
    controller.abort();
    await loop;
  });

  test("a stopping worker gives its job back to the queue", async () => {
    const controller = new AbortController();
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const waiting: JobHandler = {
      requires: "settings:manage",
      run: async (ctx) => {
        controller.abort();
        await new Promise((r) => setTimeout(r, 20));
        if (ctx.signal.aborted) throw new (await import("@/lib/jobs")).JobInterruptedError(ctx.job.id);
        return { result: {} };
      },
    };
    await runWorker({ signal: controller.signal, pollMs: 20, kinds: [KIND], handlers: { [KIND]: waiting } });
    const r = await row(fx.tenants.acme, job.id);
    assert.equal(r.status, "queued");
    assert.equal(r.attempts, 0);
    assert.equal(r.locked_by, null);
    assert.ok(await queued(job.id), "graphile-worker still has it");
  });
});

describe("reading under RLS", () => {
  test("the MSSP's staff see its tenants' jobs, a customer's own members none (migration 20261201032400); nobody but the worker changes them", async () => {
    const acme = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const acmeEu = await enqueueServiceJob({ tenantId: fx.tenants["acme-eu"], kind: KIND });
    const globex = await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: KIND });
    const otherCo = await enqueueServiceJob({ tenantId: fx.tenants["other-co"], kind: KIND });

    const seen = async (user: Parameters<typeof as>[1]) =>
      new Set((await as(fx, user, (tx) => listJobs(tx, { limit: 50 }))).map((j) => j.id));
    // A customer's members (its admins too) read no job: only the MSSP's console shows jobs.
    assert.deepEqual(await seen("acmeViewer"), new Set());
    assert.deepEqual(await seen("acmeAdmin"), new Set());
    assert.deepEqual(await seen("acmeEuAdmin"), new Set());
    assert.deepEqual(await seen("msspAdmin"), new Set([acme.job.id, acmeEu.job.id, globex.job.id]));
    assert.deepEqual(await seen("msspAnalyst"), new Set([acme.job.id, acmeEu.job.id, globex.job.id]));
    assert.deepEqual(await seen("msspBAdmin"), new Set([otherCo.job.id]));
    assert.deepEqual(await seen("noMemberships"), new Set());

    assert.equal((await as(fx, "msspBAdmin", (tx) => getJob(tx, fx.tenants.globex, globex.job.id))), null);
    assert.equal((await as(fx, "acmeAdmin", (tx) => getJob(tx, fx.tenants.acme, acme.job.id))), null);
    assert.equal((await as(fx, "msspAdmin", (tx) => getJob(tx, fx.tenants.acme, acme.job.id)))?.id, acme.job.id);
    // A forged tenant filter does not widen anything.
    assert.deepEqual(
      (await as(fx, "msspBAdmin", (tx) => listJobs(tx, { tenantIds: [fx.tenants.globex, fx.tenants.acme] }))).length,
      0,
    );

    await as(fx, "acmeAdmin", async (tx) => {
      assertRefused(await attempt(tx.client, "update public.jobs set status = 'succeeded' where id = $1", [acme.job.id]));
      assertRefused(await attempt(tx.client, "delete from public.jobs where id = $1", [acme.job.id]));
    });
    await as(fx, "msspAdmin", async (tx) => {
      assertRefused(await attempt(tx.client, "update public.jobs set last_error = 'x' where id = $1", [acme.job.id]));
    });
    assert.equal((await row(fx.tenants.acme, acme.job.id)).status, "queued");
  });

  test("anon sees no job, even with an MSSP admin's claims", async () => {
    await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const outcome = await inTransaction(async (client) => {
      await client.query(
        "select set_config('request.jwt.claims', (public.custom_access_token_hook($1::jsonb) -> 'claims')::text, true)",
        [JSON.stringify(accessTokenHookEvent({ userId: fx.users.msspAdmin }))],
      );
      await client.query("set local role anon");
      return attempt(client, "select * from public.jobs");
    });
    if (outcome.ok) assert.equal(outcome.rowCount, 0);
    else assert.equal(outcome.code, "42501");
  });
});
