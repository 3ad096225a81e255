// The Postgres-backed job queue (lib/jobs) against a real database: enqueue
// joins an unfinished job, claims skip locked rows and never hand one job to
// two workers, failures retry with exponential backoff and then fail for
// good, a lapsed lease lets another worker take over (and locks the first one
// out), the loop stops on its signal, and under RLS a user sees only jobs of
// their tenants, cannot change one, and anon sees none.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import pg from "pg";
import { inTransaction } from "@/lib/db/with-tenant";
import { accessTokenHookEvent } from "@/lib/db/claims";
import {
  claimNextJob,
  completeJob,
  enqueueJob,
  enqueueServiceJob,
  failJob,
  getJob,
  getJobAsService,
  LeaseLostError,
  listJobs,
  PermanentJobError,
  progress,
  retryDelayMs,
  runJobsUntilIdle,
  runWorker,
  type JobHandler,
} from "@/lib/jobs";
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
  await owner.query("delete from public.jobs");
});

const KIND = "test.echo";
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
    const first = await as(fx, "acmeAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: KIND, payload: { n: 1 } }));
    assert.equal(first.created, true);
    assert.equal(first.job.status, "queued");
    assert.equal(first.job.createdBy, fx.users.acmeAdmin);
    const second = await as(fx, "msspAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: KIND, payload: { n: 2 } }));
    assert.equal(second.created, false);
    assert.equal(second.job.id, first.job.id);
    assert.deepEqual(second.job.payload, { n: 1 });
    // Another kind, or another tenant, is its own job.
    const other = await as(fx, "acmeAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants["acme-eu"], kind: KIND }));
    assert.equal(other.created, true);
    // Once finished, a new request makes a new job.
    const claimed = await claimNextJob("w1", { kinds: [KIND] });
    assert.ok(claimed);
    await completeJob(claimed, {});
    const claimed2 = await claimNextJob("w1", { kinds: [KIND] });
    assert.ok(claimed2);
    await completeJob(claimed2, {});
    const third = await as(fx, "acmeAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: KIND }));
    assert.equal(third.created, true);
    assert.notEqual(third.job.id, first.job.id);
  });

  test("a service job has no creator", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: KIND });
    assert.equal(job.createdBy, null);
  });

  test("RLS: non-admins, other tenants and forged creators cannot queue", async () => {
    await assert.rejects(
      as(fx, "acmeViewer", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind: KIND })),
      (e: { code?: string }) => e.code === "42501",
    );
    await assert.rejects(
      as(fx, "acmeAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.globex, kind: KIND })),
      (e: { code?: string }) => e.code === "42501",
    );
    await as(fx, "acmeAdmin", async (tx) => {
      assertRefused(
        await attempt(tx.client, `insert into public.jobs (tenant_id, kind, created_by) values ($1, $2, $3)`, [
          fx.tenants.acme,
          KIND,
          fx.users.msspAdmin,
        ]),
      );
      assertRefused(
        await attempt(tx.client, `insert into public.jobs (tenant_id, kind, status, created_by) values ($1, $2, 'running', auth.uid())`, [
          fx.tenants.acme,
          KIND,
        ]),
      );
    });
  });
});

describe("claiming", () => {
  test("SKIP LOCKED: a row another transaction holds is skipped, not waited for", async () => {
    const a = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const b = await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: KIND });
    await owner.query("update public.jobs set run_after = now() - interval '1 minute' where id = $1", [a.job.id]);
    await owner.query("begin");
    try {
      await owner.query("select 1 from public.jobs where id = $1 for update", [a.job.id]);
      const started = Date.now();
      const claimed = await claimNextJob("w1", { kinds: [KIND] });
      assert.ok(Date.now() - started < 2_000, "the claim waited for the lock");
      assert.equal(claimed?.id, b.job.id);
      assert.equal(await claimNextJob("w2", { kinds: [KIND] }), null);
    } finally {
      await owner.query("rollback");
    }
    const claimedA = await claimNextJob("w2", { kinds: [KIND] });
    assert.equal(claimedA?.id, a.job.id);
  });

  test("two workers claiming concurrently never get the same job", async () => {
    const slugs = ["mssp-a", "acme", "acme-eu", "acme-us", "globex", "mssp-b", "other-co"] as const;
    for (const s of slugs) await enqueueServiceJob({ tenantId: fx.tenants[s], kind: KIND });
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => claimNextJob(`w${i % 2}`, { kinds: [KIND] })),
    );
    const ids = claims.filter((c) => c !== null).map((c) => c!.id);
    assert.equal(ids.length, slugs.length);
    assert.equal(new Set(ids).size, slugs.length);
    const { rows } = await owner.query("select status, attempts, locked_by from public.jobs");
    for (const r of rows) {
      assert.equal(r.status, "running");
      assert.equal(r.attempts, 1);
      assert.match(r.locked_by, /^w[01]$/);
    }
  });

  test("only kinds the worker knows, and only when due", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: "test.other" });
    assert.equal(await claimNextJob("w1", { kinds: [KIND] }), null);
    await owner.query("update public.jobs set run_after = now() + interval '1 hour' where id = $1", [job.id]);
    assert.equal(await claimNextJob("w1", { kinds: ["test.other"] }), null);
    await owner.query("update public.jobs set run_after = now() where id = $1", [job.id]);
    assert.equal((await claimNextJob("w1", { kinds: ["test.other"] }))?.id, job.id);
  });
});

describe("failures", () => {
  test("retries with exponential backoff, then fails for good with a scrubbed error", async () => {
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
    const backoff = 4_000;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { outcomes } = await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: failing }, retryBackoffMs: backoff });
      assert.deepEqual(outcomes, [attempt < 3 ? "retrying" : "failed"]);
      const r = await row(fx.tenants.acme, job.id);
      assert.equal(r.attempts, attempt);
      assert.match(r.last_error, /duplicate key value violates unique constraint/);
      assert.match(r.last_error, /SQLSTATE 23505/);
      assert.doesNotMatch(r.last_error, /hunter2/);
      if (attempt < 3) {
        assert.equal(r.status, "queued");
        assert.equal(r.locked_by, null);
        const expected = retryDelayMs(attempt, backoff);
        assert.equal(expected, backoff * 2 ** (attempt - 1));
        assert.ok(Math.abs(Number(r.due_in_ms) - expected) < 1_500, `due in ${r.due_in_ms} ms, expected ~${expected}`);
        // Not due yet: nothing runs.
        assert.equal((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: failing } })).ran, 0);
        // Time passes.
        await owner.query("update public.jobs set run_after = now() where id = $1", [job.id]);
      } else {
        assert.equal(r.status, "failed");
        assert.ok(r.finished_at);
      }
    }
  });

  test("a user-queued job of a system-only kind fails without running", async () => {
    const kind = "test.system-only";
    const { job } = await as(fx, "acmeAdmin", (tx) => enqueueJob(tx, { tenantId: fx.tenants.acme, kind }));
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
    // The same kind queued by the system runs.
    const sys = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind });
    assert.deepEqual((await runJobsUntilIdle({ kinds: [kind], handlers: { [kind]: systemOnly } })).outcomes, ["succeeded"]);
    assert.equal(ran, true);
    assert.equal((await row(fx.tenants.acme, sys.job.id)).status, "succeeded");
  });

  test("a permanent error fails at once; a job with no handler fails at once", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const bad: JobHandler = { requires: "settings:manage", run: async () => Promise.reject(new PermanentJobError("The settings are wrong.")) };
    assert.deepEqual((await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: bad } })).outcomes, ["failed"]);
    const r = await row(fx.tenants.acme, job.id);
    assert.equal(r.status, "failed");
    assert.equal(r.attempts, 1);
    assert.equal(r.last_error, "The settings are wrong.");

    const orphan = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: "test.nobody" });
    assert.deepEqual((await runJobsUntilIdle({ kinds: ["test.nobody"], handlers: {} })).outcomes, ["failed"]);
    assert.match((await row(fx.tenants.acme, orphan.job.id)).last_error, /no worker here knows/);
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

describe("leases", () => {
  test("a lapsed lease lets another worker take over; the first is locked out", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const first = await claimNextJob("w1", { kinds: [KIND], leaseMs: 60_000 });
    assert.equal(first?.id, job.id);
    await progress(first!, 1, 10);
    assert.equal(await claimNextJob("w2", { kinds: [KIND] }), null, "a live lease is respected");
    // Time passes: the lease lapses (w1 died, or stalled).
    await owner.query("update public.jobs set locked_until = now() - interval '1 second' where id = $1", [job.id]);
    const second = await claimNextJob("w2", { kinds: [KIND], leaseMs: 60_000 });
    assert.equal(second?.id, job.id);
    assert.equal(second?.attempts, 2);
    assert.equal(second?.progressDone, 1, "the new worker sees the committed progress");
    await assert.rejects(progress(first!, 2, 10), LeaseLostError);
    await assert.rejects(completeJob(first!, {}), LeaseLostError);
    await assert.rejects(failJob(first!, new Error("x")), LeaseLostError);
    await completeJob(second!, { by: "w2" });
    const r = await row(fx.tenants.acme, job.id);
    assert.equal(r.status, "succeeded");
    assert.deepEqual(r.result, { by: "w2" });
    assert.equal(r.progress_done, 10, "a finished job shows its whole bar");
  });

  test("a short lease lapses by itself; progress extends it", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const first = await claimNextJob("w1", { kinds: [KIND], leaseMs: 300 });
    await new Promise((r) => setTimeout(r, 200));
    await progress(first!, 1, 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await claimNextJob("w2", { kinds: [KIND] }), null, "progress extended the lease");
    await new Promise((r) => setTimeout(r, 250));
    assert.equal((await claimNextJob("w2", { kinds: [KIND] }))?.id, job.id);
  });

  test("a worker that died during the last attempt leaves a failed job, not a running one", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND, maxAttempts: 1 });
    await claimNextJob("w1", { kinds: [KIND] });
    await owner.query("update public.jobs set locked_until = now() - interval '1 second' where id = $1", [job.id]);
    assert.equal(await claimNextJob("w2", { kinds: [KIND] }), null);
    const r = await row(fx.tenants.acme, job.id);
    assert.equal(r.status, "failed");
    assert.match(r.last_error, /stopped before finishing/);
  });

  test("the heartbeat keeps a slow handler's lease", async () => {
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    let stolen: unknown = "not tried";
    const slow: JobHandler = {
      requires: "settings:manage",
      run: async () => {
        await new Promise((r) => setTimeout(r, 900));
        stolen = await claimNextJob("thief", { kinds: [KIND] });
        return { result: {} };
      },
    };
    await runJobsUntilIdle({ kinds: [KIND], handlers: { [KIND]: slow }, leaseMs: 400 });
    assert.equal(stolen, null);
    assert.equal((await row(fx.tenants.acme, job.id)).status, "succeeded");
  });
});

describe("the worker loop", () => {
  test("runs queued jobs and stops on its signal", async () => {
    const controller = new AbortController();
    const loop = runWorker({ signal: controller.signal, pollMs: 50, kinds: [KIND], handlers: { [KIND]: ok } });
    const { job } = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND, payload: { hello: "world" } });
    for (let i = 0; i < 100 && (await getJobAsService(fx.tenants.acme, job.id))?.status !== "succeeded"; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = await getJobAsService(fx.tenants.acme, job.id);
    assert.equal(done?.status, "succeeded");
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
  });
});

describe("reading under RLS", () => {
  test("members see their tenants' jobs (and below), nothing else; nobody but the worker changes them", async () => {
    const acme = await enqueueServiceJob({ tenantId: fx.tenants.acme, kind: KIND });
    const acmeEu = await enqueueServiceJob({ tenantId: fx.tenants["acme-eu"], kind: KIND });
    const globex = await enqueueServiceJob({ tenantId: fx.tenants.globex, kind: KIND });
    const otherCo = await enqueueServiceJob({ tenantId: fx.tenants["other-co"], kind: KIND });

    const seen = async (user: Parameters<typeof as>[1]) =>
      new Set((await as(fx, user, (tx) => listJobs(tx, { limit: 50 }))).map((j) => j.id));
    assert.deepEqual(await seen("acmeViewer"), new Set([acme.job.id, acmeEu.job.id]));
    assert.deepEqual(await seen("acmeEuAdmin"), new Set([acmeEu.job.id]));
    assert.deepEqual(await seen("msspAdmin"), new Set([acme.job.id, acmeEu.job.id, globex.job.id]));
    assert.deepEqual(await seen("msspBAdmin"), new Set([otherCo.job.id]));
    assert.deepEqual(await seen("noMemberships"), new Set());

    assert.equal((await as(fx, "acmeAdmin", (tx) => getJob(tx, fx.tenants.globex, globex.job.id))), null);
    assert.equal((await as(fx, "acmeAdmin", (tx) => getJob(tx, fx.tenants.acme, acme.job.id)))?.id, acme.job.id);
    // A forged tenant filter does not widen anything.
    assert.deepEqual(
      (await as(fx, "acmeAdmin", (tx) => listJobs(tx, { tenantIds: [fx.tenants.globex, fx.tenants["other-co"]] }))).length,
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
