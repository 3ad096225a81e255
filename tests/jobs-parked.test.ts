// Jobs parked through SQL before migration 20261201030800, and joining an unfinished job
// (migration 20261201031900, docs/jobs.md "Joining an unfinished job"):
//   - on a database that holds such rows, the migration cancels every queued job due later than the
//     engine ever schedules one (its graphile-worker job too), with the reason and an audit row,
//     and queues again an offboarding that joined a parked row, due at the tenant's
//     deprovision_after as its starter. An offboarding in its grace period, a rotation waiting out
//     its backoff and a job due now are left alone;
//   - a request that joins an unfinished job which never ran and is due later pulls it to the
//     request's own time (a person's rotation: now; the offboarding: its grace period's end); a
//     job waiting out its retry backoff is not pulled; a refused insert pulls nothing; a job already
//     due is joined as it is, its row not locked by the joining transaction (the worker's claim does
//     not wait for it); a finished row written for the same kind pulls nothing.
// Real Postgres (its RLS, grants and triggers, graphile-worker's schema), real Cerbos.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { listMigrations, migrate, rollback } from "@/lib/db/migrate";
import { enqueueJob, enqueueServiceJob } from "@/lib/jobs";
import { OFFBOARD_KIND } from "@/lib/lifecycle/offboard";
import { ISOLATION_REAPPLY_KIND } from "@/lib/lifecycle/isolation-reapply";
import { ROTATE_DEK_KIND, ROTATE_KEK_KIND } from "@/lib/vault/rotation";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug, UserName } from "./helpers/fixtures";
import { asRolledBack, assertRefused, attempt } from "./helpers/sql";

process.env.NEXTAUTH_SECRET ??= "jobs-parked-test-secret";
const env = useFixtureEnv();
const VERSION = "20261201031900";
const DAY_MS = 24 * 3600 * 1000;

type JobRow = { id: string; status: string; run_after: Date; last_error: string | null; created_by: string | null; payload: Record<string, unknown>; max_attempts: number };

/** A row as SQL wrote it before 20261201030800 (any column; as the owner, RLS aside). */
async function park(slug: TenantSlug, kind: string, runAfter: string, by: UserName | null, attempts = 0): Promise<string> {
  const [{ id }] = await env.owner<{ id: string }>(
    `insert into public.jobs (tenant_id, kind, run_after, created_by, attempts) values ($1, $2, ${runAfter}, $3, $4) returning id`,
    [env.fx.tenants[slug], kind, by ? env.fx.users[by] : null, attempts],
  );
  return id;
}

const job = async (id: string) => (await env.owner<JobRow>("select * from public.jobs where id = $1", [id]))[0];
const graphileRunAt = async (slug: TenantSlug, id: string) =>
  (await env.owner<{ run_at: Date }>("select run_at from graphile_worker._private_jobs where key = $1", [`portal-job:${env.fx.tenants[slug]}:${id}`]))[0]?.run_at ?? null;

async function clearJobs() {
  await env.owner("delete from graphile_worker._private_jobs where key like 'portal-job:%'");
  await env.owner("delete from public.jobs");
}

describe("parked jobs", () => {
  test("the migration cancels what the engine never schedules, with its reason and audit row, and queues the offboarding that joined one again", async () => {
    const t = env.fx.tenants;
    const u = env.fx.users;
    const previous = (await listMigrations()).filter((m) => m.version < VERSION).at(-1)!.version;
    assert.ok((await rollback(env.db.url, { toVersion: previous })).includes(`${VERSION}_parked_jobs_cancelled`));

    // Two offboardings an MSSP admin started (as lib/lifecycle/offboard.ts writes the tenant row).
    const offboarding = (slug: TenantSlug, was: string) =>
      env.owner(
        `update public.tenants set status = 'deprovisioning', status_reason = $2, status_changed_at = now(), status_changed_by = $3,
                deprovision_after = date_trunc('milliseconds', now() + interval '30 days') where id = $1`,
        [t[slug], `offboarding (was ${was})`, u.msspAdmin],
      );
    await offboarding("globex", "active");
    await offboarding("acme-us", "suspended");
    await offboarding("other-co", "active");

    const rotationIn9999 = await park("acme", ROTATE_DEK_KIND, "'9999-01-01'", "acmeAdmin");
    const offboardWithinNinetyDays = await park("acme-eu", OFFBOARD_KIND, "now() + interval '60 days'", "acmeEuAdmin");
    const reapplyBySystem = await park("mssp-b", ISOLATION_REAPPLY_KIND, "now() + interval '2 days'", null);
    // The offboarding of acme-us joined a row its admin had parked.
    const joinedOffboard = await park("acme-us", OFFBOARD_KIND, "'9999-01-01'", "acmeUsAdmin");
    // The offboarding of other-co joined a row parked due in ten minutes: it would purge before the grace period ends.
    const earlyOffboard = await park("other-co", OFFBOARD_KIND, "now() + interval '10 minutes'", null);
    // Left alone: an offboarding in its grace period, a rotation waiting out its backoff, a job due now.
    const grace = await park("globex", OFFBOARD_KIND, `(select deprovision_after from public.tenants where id = '${t.globex}')`, "msspAdmin");
    const backoff = await park("other-co", ROTATE_DEK_KIND, "now() + interval '2 hours'", "msspBAdmin", 1);
    const dueNow = await park("mssp-a", ROTATE_KEK_KIND, "now()", "msspAdmin");
    assert.ok(await graphileRunAt("acme", rotationIn9999), "the parked row has its graphile-worker job");

    assert.ok((await migrate(env.db.url)).includes(`${VERSION}_parked_jobs_cancelled`));

    const cancelled = [
      ["acme", rotationIn9999, "acmeAdmin"],
      ["acme-eu", offboardWithinNinetyDays, "acmeEuAdmin"],
      ["mssp-b", reapplyBySystem, null],
      ["acme-us", joinedOffboard, "acmeUsAdmin"],
    ] as const;
    for (const [slug, id, by] of cancelled) {
      const row = await job(id);
      assert.equal(row.status, "cancelled", `${slug}: ${row.status}`);
      assert.match(row.last_error ?? "", /later than the portal ever schedules it/);
      assert.equal(await graphileRunAt(slug, id), null, `${slug}: its graphile-worker job is gone`);
      const audit = await env.owner<{ actor_id: string | null; details: Record<string, unknown> }>(
        "select actor_id, details from public.audit_log where tenant_id = $1 and action = 'jobs.parked-cancelled' and target_id = $2",
        [t[slug], id],
      );
      assert.equal(audit.length, 1, `${slug}: one audit row`);
      assert.equal(audit[0].actor_id, null);
      assert.equal(audit[0].details.queued_by, by ? u[by] : null);
    }
    for (const id of [grace, backoff, dueNow]) assert.equal((await job(id)).status, "queued");
    const others = await env.owner("select 1 from public.audit_log where action = 'jobs.parked-cancelled' and target_id = any($1::text[])", [[grace, backoff, dueNow]]);
    assert.equal(others.length, 0);

    const early = await job(earlyOffboard);
    assert.equal(early.status, "cancelled");
    assert.match(early.last_error ?? "", /before the grace period of the offboarding ends/);
    assert.equal(await graphileRunAt("other-co", earlyOffboard), null);
    const [{ deprovision_after: otherGraceEnd }] = await env.owner<{ deprovision_after: Date }>("select deprovision_after from public.tenants where id = $1", [t["other-co"]]);
    const [earlyRequeued] = await env.owner<JobRow>("select * from public.jobs where tenant_id = $1 and kind = $2 and status = 'queued'", [t["other-co"], OFFBOARD_KIND]);
    assert.ok(earlyRequeued, "that offboarding is queued again, at the end of its grace period");
    assert.equal(earlyRequeued.run_after.getTime(), otherGraceEnd.getTime());
    const earlyAudit = await env.owner<{ details: Record<string, unknown> }>(
      "select details from public.audit_log where tenant_id = $1 and action = 'jobs.parked-cancelled' and target_id = $2",
      [t["other-co"], earlyOffboard],
    );
    assert.equal(earlyAudit.length, 1);
    assert.match(String(earlyAudit[0].details.reason), /before the grace period ends/);

    // The offboarding of acme-us, as it was asked for: due at deprovision_after, as its starter.
    const [{ deprovision_after }] = await env.owner<{ deprovision_after: Date }>("select deprovision_after from public.tenants where id = $1", [t["acme-us"]]);
    const [requeued] = await env.owner<JobRow>("select * from public.jobs where tenant_id = $1 and kind = $2 and status = 'queued'", [t["acme-us"], OFFBOARD_KIND]);
    assert.ok(requeued, "the offboarding is queued again");
    assert.equal(requeued.run_after.getTime(), deprovision_after.getTime());
    assert.equal(requeued.created_by, u.msspAdmin);
    assert.deepEqual(requeued.payload, { previousStatus: "suspended", graceDays: 30 });
    assert.equal(requeued.max_attempts, 10);
    assert.equal((await graphileRunAt("acme-us", requeued.id))?.getTime(), deprovision_after.getTime());
    assert.match((await job(joinedOffboard)).last_error ?? "", new RegExp(`queued again as job ${requeued.id}`));

    await env.owner("update public.tenants set status = 'active', status_reason = null, status_changed_by = null, deprovision_after = null where id = any($1::uuid[])", [[t.globex, t["acme-us"], t["other-co"]]]);
    await clearJobs();
  });

  test("a request joining an unfinished job that never ran pulls it to its own time; a backoff stays; a refused insert pulls nothing", async () => {
    const t = env.fx.tenants;
    await clearJobs();
    // Rows that got there somehow (before 20261201030800, or any path): a rotation and an offboarding due in 9999.
    const parkedRotation = await park("acme", ROTATE_DEK_KIND, "'9999-01-01'", "acmeAdmin");
    const parkedOffboard = await park("acme-eu", OFFBOARD_KIND, "'9999-01-01'", "acmeEuAdmin");
    const retrying = await park("other-co", ROTATE_DEK_KIND, "date_trunc('milliseconds', now() + interval '2 hours')", "msspBAdmin", 1);
    const retryingAt = (await job(retrying)).run_after.getTime();

    // A customer's admin may not queue it: the refused insert's pull is rolled back with it.
    const [refused] = await asRolledBack(env.fx, "acmeAdmin", async (tx) => [
      await attempt(tx.client, "insert into public.jobs (tenant_id, kind, created_by) values ($1, 'vault.rotate-dek', auth.uid()) on conflict do nothing", [t.acme]),
    ]);
    assertRefused(refused);
    assert.equal((await job(parkedRotation)).run_after.getUTCFullYear(), 9999);

    // The MSSP's rotation joins it and makes it due now, for graphile-worker too.
    const rotation = await env.as("msspAdmin", (tx) => enqueueJob(tx, { tenantId: t.acme, kind: ROTATE_DEK_KIND }));
    assert.equal(rotation.created, false);
    assert.equal(rotation.job.id, parkedRotation);
    assert.ok(rotation.job.runAfter.getTime() <= Date.now() + 5_000, `due at once, not ${rotation.job.runAfter.toISOString()}`);
    assert.ok((await graphileRunAt("acme", parkedRotation))!.getTime() <= Date.now() + 5_000);

    // The offboarding joins it and makes it due at the end of its grace period.
    const purgeAfter = new Date(Date.now() + 30 * DAY_MS);
    const offboard = await enqueueServiceJob({ tenantId: t["acme-eu"], kind: OFFBOARD_KIND, runAfter: purgeAfter });
    assert.equal(offboard.created, false);
    assert.equal(offboard.job.runAfter.getTime(), purgeAfter.getTime());
    assert.equal((await graphileRunAt("acme-eu", parkedOffboard))?.getTime(), purgeAfter.getTime());
    // A later request never pushes it later.
    await enqueueServiceJob({ tenantId: t["acme-eu"], kind: OFFBOARD_KIND, runAfter: new Date(Date.now() + 60 * DAY_MS) });
    assert.equal((await job(parkedOffboard)).run_after.getTime(), purgeAfter.getTime());

    // A rotation that ran and waits out graphile-worker's backoff keeps its time.
    const again = await env.as("msspBAdmin", (tx) => enqueueJob(tx, { tenantId: t["other-co"], kind: ROTATE_DEK_KIND }));
    assert.equal(again.created, false);
    assert.equal(again.job.runAfter.getTime(), retryingAt);

    await clearJobs();
  });

  test("a job already due is joined as it is, not locked by the joining transaction; a finished row pulls nothing", async () => {
    const t = env.fx.tenants;
    await clearJobs();
    // The joining transaction begins first: its now() is earlier than the run_after of a job queued after.
    const seen = await env.as("msspAdmin", async (tx) => {
      const dueNow = await park("acme", ROTATE_DEK_KIND, "now()", "msspAdmin");
      const queuedAt = (await job(dueNow)).run_after.getTime();
      const joined = await enqueueJob(tx, { tenantId: t.acme, kind: ROTATE_DEK_KIND });
      assert.equal(joined.created, false);
      assert.equal(joined.job.id, dueNow);
      // The worker's claim (lib/jobs/attempt.ts startAttempt) must not wait for this transaction.
      const free = await env.owner("select id from public.jobs where id = $1 for no key update skip locked", [dueNow]);
      return { dueNow, queuedAt, free: free.length === 1 };
    });
    assert.ok(seen.free, "the joined job's row is locked by the transaction that joined it");
    assert.equal((await job(seen.dueNow)).run_after.getTime(), seen.queuedAt, "a due job keeps its time");

    // A finished row written for the same (tenant, kind) (a restore, a fixture) joins nothing and pulls nothing.
    const parked = await park("acme-eu", ROTATE_DEK_KIND, "'9999-01-01'", "acmeEuAdmin");
    await env.owner("insert into public.jobs (tenant_id, kind, status, finished_at, run_after) values ($1, $2, 'succeeded', now(), now())", [
      t["acme-eu"],
      ROTATE_DEK_KIND,
    ]);
    assert.equal((await job(parked)).run_after.getUTCFullYear(), 9999);

    await clearJobs();
  });
});
