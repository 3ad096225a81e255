// A bulk run started while the MSSP's bulk job is finishing is not left "running" with no worker.
// startRun's enqueue joins the unfinished job (one bulk job per MSSP); if that job had already
// found no run to work on, its completion must see the joined run and queue a fresh job
// (lib/jobs/queue.ts enqueueWith's join lock, lib/jobs/attempt.ts completeJob's workLeft).
// The interleaving is forced: the worker's handler has returned from its last look for runs and
// waits; the second run is started in a transaction held open across the job's completion.
import assert from "node:assert/strict";
import { test } from "node:test";
import pg from "pg";
import { BULK_JOB_KIND, createBulkRunHandler, planRun, selectionSchema, startRun } from "@/lib/bulk";
import { withTenant } from "@/lib/db/with-tenant";
import { runJobsUntilIdle, type JobHandler } from "@/lib/jobs";
import { useFixtureEnv } from "./helpers/fixture-env";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

test("a run started while the bulk job completes is picked up by a fresh job", async () => {
  const mssp = env.fx.tenants["mssp-a"];
  const asAdmin = <T>(fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ userId: env.fx.users.msspAdmin, activeTenantId: null }, fn);
  const planOne = (value: string) =>
    asAdmin((tx) =>
      planRun(tx, {
        runTenantId: mssp,
        selection: selectionSchema.parse({ rootId: env.fx.tenants.acme, kinds: "customers" }),
        params: { operation: "setting", key: "session.lifetime_hours", mode: "set", value },
      }),
    );
  const first = await planOne("7");
  const second = await planOne("8");
  await asAdmin((tx) => startRun(tx, { runTenantId: mssp, runId: first.id, confirm: 1, canary: null }));

  // The real bulk handler, held after its loop found no more runs (the first is finished by then).
  const looked = gate();
  const finish = gate();
  const real = createBulkRunHandler();
  let attempts = 0;
  const held: JobHandler = {
    ...real,
    async run(ctx) {
      const outcome = await real.run(ctx);
      if (attempts++ === 0) {
        looked.open();
        await finish.opened;
      }
      return outcome;
    },
  };
  const working = runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: { [BULK_JOB_KIND]: held } });
  await looked.opened;
  const status = async (id: string) => (await owner.query<{ status: string }>("select status from public.bulk_runs where id = $1", [id])).rows[0].status;
  assert.equal(await status(first.id), "finished");

  // The second run starts now: its enqueue joins the job that is about to complete. The job is let
  // go while this transaction is still open, so its completion races the commit.
  const joined = await asAdmin(async (tx) => {
    const started = await startRun(tx, { runTenantId: mssp, runId: second.id, confirm: 1, canary: null });
    finish.open();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return started;
  });
  assert.ok(joined, "the second run started");
  await working;
  // Whatever the interleaving, a job is there for it (queued by the completion, or by the enqueue
  // after the old job finished), and a worker finishes it.
  await runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: { [BULK_JOB_KIND]: real } });
  assert.equal(await status(second.id), "finished", "the second run did not stay running with no job");
  const { rows } = await owner.query<{ value: unknown }>("select value from public.tenant_settings where tenant_id = $1 and key = 'session.lifetime_hours'", [env.fx.tenants.acme]);
  assert.equal(rows[0]?.value, 8);
  const open = await owner.query("select 1 from public.jobs where tenant_id = $1 and kind = $2 and status in ('queued', 'running')", [mssp, BULK_JOB_KIND]);
  assert.equal(open.rowCount, 0, "no job left behind");
});
