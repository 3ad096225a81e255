// A bulk run survives its worker: a real worker child process is SIGKILLed
// inside the third tenant's transaction (its change written, not committed).
// Afterwards every tenant is either done (committed with its item) or
// untouched; the next worker carries on from the first pending item, and at
// the end each tenant was changed exactly once (one audit row each).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import pg from "pg";
import { BULK_JOB_KIND, bulkHandlers, planRun, selectionSchema, startRun } from "@/lib/bulk";
import { withTenant } from "@/lib/db/with-tenant";
import { runJobsUntilIdle } from "@/lib/jobs";
import { useFixtureEnv } from "./helpers/fixture-env";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  // Eight customers under mssp-a besides acme and globex.
  await owner.query(
    "insert into public.tenants (parent_id, slug, name, kind) select $1, 'resume-' || g, 'Resume ' || g, 'customer' from generate_series(1, 8) g",
    [env.fx.tenants["mssp-a"]],
  );
});

test("a worker SIGKILLed mid-item leaves each tenant done or untouched, and the next one finishes exactly once each", async () => {
  const asAdmin = <T>(fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ userId: env.fx.users.msspAdmin, activeTenantId: null }, fn);
  const run = await asAdmin((tx) =>
    planRun(tx, {
      runTenantId: env.fx.tenants["mssp-a"],
      selection: selectionSchema.parse({ rootId: env.fx.tenants["mssp-a"], kinds: "customers" }),
      params: { operation: "setting", key: "session.lifetime_hours", mode: "set", value: "9" },
    }),
  );
  assert.equal(run.toChange, 10);
  await asAdmin((tx) => startRun(tx, { runTenantId: env.fx.tenants["mssp-a"], runId: run.id, confirm: 10, canary: null }));

  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/bulk-worker.ts"], {
    env: { ...process.env, DATABASE_URL: env.db.appUrl, KILL_AT_ITEM: "3", LOG_LEVEL: "silent", JOBS_WORKER_STALE_MS: "60000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exit = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, signal) => resolve(signal)));
  assert.equal(exit, "SIGKILL", output);

  const state = async () => {
    const { rows } = await owner.query<{ target: string; status: string; value: unknown; audits: number }>(
      `select i.target_tenant_id as target, i.status, s.value,
              (select count(*)::int from public.audit_log a where a.tenant_id = i.target_tenant_id and a.action = 'bulk:setting' and a.target_id = i.run_id::text) as audits
         from public.bulk_run_items i
         left join public.tenant_settings s on s.tenant_id = i.target_tenant_id and s.key = 'session.lifetime_hours'
        where i.run_id = $1 order by i.position`,
      [run.id],
    );
    return rows;
  };
  const dead = await state();
  assert.deepEqual(dead.map((r) => r.status), ["done", "done", ...Array(8).fill("pending")], "two committed, the third rolled back with its change");
  for (const r of dead) {
    if (r.status === "done") assert.deepEqual([r.value, r.audits], [9, 1]);
    else assert.deepEqual([r.value, r.audits], [null, 0], "untouched");
  }
  const job = (await owner.query("select status from public.jobs where tenant_id = $1 and kind = $2", [env.fx.tenants["mssp-a"], BULK_JOB_KIND])).rows[0];
  assert.equal(job.status, "running", "the job is still held by the dead worker");

  // Time passes: the dead worker's heartbeat goes stale, and the next worker takes the job over.
  await owner.query("update jobs_engine.workers set last_seen = now() - interval '1 hour'");
  await owner.query("update graphile_worker._private_jobs set locked_at = now() - interval '1 hour' where locked_by is not null");
  assert.deepEqual((await runJobsUntilIdle({ kinds: [BULK_JOB_KIND], handlers: bulkHandlers() })).outcomes, ["succeeded"]);
  const end = await state();
  assert.ok(end.every((r) => r.status === "done" && r.value === 9 && r.audits === 1), JSON.stringify(end));
  assert.equal((await owner.query("select status from public.bulk_runs where id = $1", [run.id])).rows[0].status, "finished");
});
