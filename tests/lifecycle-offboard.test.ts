// Offboarding (issue 8, point 4) on the real Postgres: the grace period can
// be called off; without an archive key the export fails and nothing is
// removed; a worker SIGKILLed mid-purge leaves the next one to finish; then
// every tenant-scoped table (from the catalog, a table added by this test
// included) holds no row of the subtree but the audit trail and the
// offboarding's own record, every key version is gone, the tombstones stay,
// the MSSP still reads the audit trail, and no other tenant changed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { verifyAuditChains } from "@/lib/audit/verify";
import { withServiceRole } from "@/lib/db/service-role";
import { getJobAsService, registerJobHandler, retryJob, runJobsUntilIdle } from "@/lib/jobs";
import { loadTenantCatalog } from "@/lib/lifecycle/catalog";
import { cancelOffboarding, OFFBOARD_KIND, startOffboarding } from "@/lib/lifecycle/offboard";
import { offboardHandler, OFFBOARD_STEPS } from "@/lib/lifecycle/offboard-workflow";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { assertSubtreeRollupsExact, SUBTREE_BLOCKS_TABLE, SUBTREE_ROLLUPS_TABLE } from "./helpers/subtree-rollups";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let owner: pg.Client;
let dir: string;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  owner = new pg.Client({ connectionString: db.url });
  await owner.connect();
  registerJobHandler(OFFBOARD_KIND, offboardHandler());
  dir = await mkdtemp(path.join(os.tmpdir(), "offboard-"));
  process.env.TENANT_ARCHIVE_DIR = path.join(dir, "archives");
  process.env.TENANT_ARCHIVE_KEY_FILE = path.join(dir, "transfer.key");
  await writeFile(process.env.TENANT_ARCHIVE_KEY_FILE, randomBytes(32).toString("base64"));
});
after(async () => {
  await owner.end();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const lifecycle = <T>(fn: Parameters<typeof withServiceRole<T>>[1]) => withServiceRole("lifecycle.workflow", fn);

/** Per catalog table, a digest of the rows of `ids` (as the owner, who reads every schema). */
async function digests(ids: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of await loadTenantCatalog(owner)) {
    // An ancestor's subtree sums drop with its offboarded customer's data: checked against their definition instead.
    if (t.name === SUBTREE_ROLLUPS_TABLE || t.name === SUBTREE_BLOCKS_TABLE) continue;
    const { rows } = await owner.query(
      `select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${t.ident} x where x.${t.tenantColumn} = any($1::uuid[])`,
      [ids],
    );
    out[t.name] = `${rows[0].n}:${rows[0].h}`;
  }
  return out;
}

describe("offboarding", () => {
  test("called off during the grace period: back to the state it had, the scheduled workflow cancelled", async () => {
    await owner.query("update public.tenants set status = 'suspended' where id = $1", [fx.tenants.globex]);
    const started = await lifecycle((sdb) => startOffboarding(sdb, { tenantId: fx.tenants.globex, confirmName: "Tenant globex", graceDays: 30 }, fx.users.msspAdmin));
    assert.ok(started.purgeAfter.getTime() > Date.now() + 29 * 86_400_000);
    assert.equal((await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] })).ran, 0, "nothing runs during the grace period");
    const back = await lifecycle((sdb) => cancelOffboarding(sdb, fx.tenants.globex, fx.users.msspAdmin));
    assert.equal(back.status, "suspended");
    assert.equal((await getJobAsService(fx.tenants.globex, started.job.id))?.status, "cancelled");
    const { rows } = await owner.query("select count(*)::int as n from graphile_worker._private_jobs");
    assert.equal(rows[0].n, 0, "the scheduled run is gone from the engine too");
    await owner.query("update public.tenants set status = 'active' where id = $1", [fx.tenants.globex]);
  });

  test("past its grace period, an offboarding with a job to run cannot be called off; one with none left (restored from its archive) can", async () => {
    const started = await lifecycle((sdb) => startOffboarding(sdb, { tenantId: fx.tenants.globex, confirmName: "Tenant globex", graceDays: 30 }, fx.users.msspAdmin));
    await owner.query("update public.tenants set deprovision_after = now() - interval '1 day' where id = $1", [fx.tenants.globex]);
    await assert.rejects(lifecycle((sdb) => cancelOffboarding(sdb, fx.tenants.globex, fx.users.msspAdmin)), /grace period .* is over/);
    // As a restore of an archive taken during the offboarding leaves it: the job it carried cancelled.
    await owner.query("update public.jobs set status = 'cancelled', finished_at = now() where tenant_id = $1 and id = $2", [fx.tenants.globex, started.job.id]);
    await owner.query("delete from graphile_worker._private_jobs");
    const back = await lifecycle((sdb) => cancelOffboarding(sdb, fx.tenants.globex, fx.users.msspAdmin));
    assert.equal(back.status, "active");
  });

  test("a job due before the grace period ends (not queued by the portal) removes nothing and says why", async () => {
    const started = await lifecycle((sdb) => startOffboarding(sdb, { tenantId: fx.tenants.globex, confirmName: "Tenant globex", graceDays: 30 }, fx.users.msspAdmin));
    // As a row parked through SQL before 20261201030800 and joined by this offboarding would be: due now.
    await owner.query("update public.jobs set run_after = now() where tenant_id = $1 and id = $2", [fx.tenants.globex, started.job.id]);
    await owner.query("update graphile_worker._private_jobs set run_at = now() where key like 'portal-job:%'");
    // The job's own record and the audit row of its failure change; nothing else of the tenant may.
    const keep = Object.fromEntries(Object.entries(await digests([fx.tenants.globex])).filter(([table]) => !/jobs|job_steps|audit/.test(table)));
    assert.deepEqual((await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] })).outcomes, ["failed"]);
    assert.match((await getJobAsService(fx.tenants.globex, started.job.id))?.lastError ?? "", /grace period ends .*due before it.*Nothing was removed/);
    const now = Object.fromEntries(Object.entries(await digests([fx.tenants.globex])).filter(([table]) => table in keep));
    assert.deepEqual(now, keep, "no row of the tenant changed");
    const { rows: keys } = await owner.query("select count(*)::int as n from keyring.tenant_keys where tenant_id = $1", [fx.tenants.globex]);
    assert.ok(keys[0].n > 0, "its data keys are still there");
    await owner.query("update public.tenants set status = 'active', status_reason = null, deprovision_after = null where id = $1", [fx.tenants.globex]);
    await owner.query("delete from graphile_worker._private_jobs");
  });

  test("a legal hold: no offboarding starts under it (a site's below counts), none can be held midway, and a hold written behind the portal's back stops the workflow before it removes anything", async () => {
    const hold = (tenant: string) => owner.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.legal_hold', 'true')", [tenant]);
    const lift = () => owner.query("delete from public.tenant_settings where key = 'limits.legal_hold'");
    try {
      // On a site below acme: acme (and so the site) cannot be offboarded.
      await hold(fx.tenants["acme-eu"]);
      await assert.rejects(
        lifecycle((sdb) => startOffboarding(sdb, { tenantId: fx.tenants.acme, confirmName: "Tenant acme", graceDays: 30 }, fx.users.msspAdmin)),
        /^LifecycleRefusal: Tenant acme-eu is on legal hold: its data must be kept, so Tenant acme cannot be offboarded/,
      );
      assert.equal((await owner.query("select status from public.tenants where id = $1", [fx.tenants.acme])).rows[0].status, "active");
      await lift();

      // An offboarding in its grace period cannot be put on hold through the settings.
      const started = await lifecycle((sdb) => startOffboarding(sdb, { tenantId: fx.tenants.globex, confirmName: "Tenant globex", graceDays: 30 }, fx.users.msspAdmin));
      const { setSettingValue } = await import("@/lib/settings");
      await assert.rejects(
        as(fx, "msspAdmin", (tx) => setSettingValue(tx, { tenantId: fx.tenants.globex, key: "limits.legal_hold", raw: "true" })),
        /Tenant globex is being offboarded: call its offboarding off first, then place the legal hold\./,
      );
      // Written straight into the table instead, with the job due now: the first step refuses, nothing removed.
      await hold(fx.tenants.globex);
      await owner.query("update public.jobs set run_after = now() where tenant_id = $1 and id = $2", [fx.tenants.globex, started.job.id]);
      await owner.query("update public.tenants set deprovision_after = now() - interval '1 minute' where id = $1", [fx.tenants.globex]);
      await owner.query("update graphile_worker._private_jobs set run_at = now() where key like 'portal-job:%'");
      const keep = Object.fromEntries(Object.entries(await digests([fx.tenants.globex])).filter(([table]) => !/jobs|job_steps|audit/.test(table)));
      assert.deepEqual((await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] })).outcomes, ["failed"]);
      assert.match((await getJobAsService(fx.tenants.globex, started.job.id))?.lastError ?? "", /Tenant globex is on legal hold: nothing was removed/);
      const now = Object.fromEntries(Object.entries(await digests([fx.tenants.globex])).filter(([table]) => table in keep));
      assert.deepEqual(now, keep, "no row of the tenant changed");
    } finally {
      await lift();
      await owner.query("update public.tenants set status = 'active', status_reason = null, deprovision_after = null where id = $1", [fx.tenants.globex]);
      await owner.query("delete from graphile_worker._private_jobs");
    }
  });

  test("refusals change nothing: the MSSP, a wrong name, twice", async () => {
    await assert.rejects(lifecycle((sdb) => startOffboarding(sdb, { tenantId: fx.tenants["mssp-a"], confirmName: "Tenant mssp-a", graceDays: 0 }, null)), /MSSP itself/);
    await assert.rejects(lifecycle((sdb) => startOffboarding(sdb, { tenantId: fx.tenants.acme, confirmName: "tenant acme", graceDays: 0 }, null)), /exactly/);
    assert.equal((await owner.query("select status from public.tenants where id = $1", [fx.tenants.acme])).rows[0].status, "active");
  });

  test("export → crypto-shred → purge (a worker killed mid-purge) → tombstone; nothing else touched", async () => {
    // A table a later migration might add: the catalog finds it, the purge empties it.
    await owner.query(`create table public.later_added (tenant_id uuid not null references public.tenants (id), note text);
                       grant select, insert, update, delete on public.later_added to service_role;
                       insert into public.later_added select id, 'x' from public.tenants`);
    const subtree = [fx.tenants.acme, fx.tenants["acme-eu"], fx.tenants["acme-us"]];
    const others = Object.values(fx.tenants).filter((id) => !subtree.includes(id));
    const othersBefore = await digests(others);

    const started = await lifecycle((sdb) => startOffboarding(sdb, { tenantId: fx.tenants.acme, confirmName: "Tenant acme", graceDays: 0 }, fx.users.msspAdmin));
    // No archive key: the export step fails for good, and nothing is removed.
    delete process.env.TENANT_ARCHIVE_KEY_FILE;
    assert.deepEqual((await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] })).outcomes, ["failed"]);
    assert.match((await getJobAsService(fx.tenants.acme, started.job.id))?.lastError ?? "", /No archive key is configured/);
    assert.equal((await owner.query("select count(*)::int as n from public.alerts where tenant_id = any($1)", [subtree])).rows[0].n, 6, "nothing was removed");
    // Past its grace period, with the freeze done, the offboarding cannot be called off: the failed step is
    // retried, the tenant is not brought back (it was, while no job was queued: then a retry shredded it active).
    await assert.rejects(lifecycle((sdb) => cancelOffboarding(sdb, fx.tenants.acme, fx.users.msspAdmin)), /can no longer be called off/);
    assert.equal((await owner.query("select status from public.tenants where id = $1", [fx.tenants.acme])).rows[0].status, "deprovisioning");

    // With a key, retried, and its worker SIGKILLed after the purge's second batch.
    process.env.TENANT_ARCHIVE_KEY_FILE = path.join(dir, "transfer.key");
    await lifecycle((sdb) => retryJob(sdb, fx.tenants.acme, started.job.id));
    const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/lifecycle-worker.ts"], {
      env: { ...process.env, DATABASE_URL: db.appUrl, KILL_AT_PROGRESS: "3", LIFECYCLE_PURGE_BATCH: "2", LOG_LEVEL: "silent", JOBS_WORKER_STALE_MS: "60000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    assert.equal(await new Promise((r) => child.on("exit", (_c, s) => r(s))), "SIGKILL", output);
    const midway = await owner.query("select name, status from public.job_steps where job_id = $1 order by position", [started.job.id]);
    assert.deepEqual(midway.rows.map((r) => r.status), ["succeeded", "succeeded", "succeeded", "running", "pending", "pending"], "killed during the purge");
    const partly = (await owner.query("select count(*)::int as n from public.alerts where tenant_id = any($1)", [subtree])).rows[0].n;
    assert.ok(partly < 6 || (await owner.query("select count(*)::int as n from public.later_added where tenant_id = any($1)", [subtree])).rows[0].n < 3, "some rows were already gone");

    await owner.query("update jobs_engine.workers set last_seen = now() - interval '1 hour'");
    await owner.query("update graphile_worker._private_jobs set locked_at = now() - interval '1 hour' where locked_by is not null");
    const finishing = await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] });
    const why = await owner.query("select name, status, last_error from public.job_steps where job_id = $1 order by position", [started.job.id]);
    assert.deepEqual(finishing.outcomes, ["succeeded"], JSON.stringify(why.rows));

    // Every tenant-scoped table: nothing of the subtree but the audit trail and this job's own record.
    const left = await digests(subtree);
    for (const [table, d] of Object.entries(left)) {
      const n = Number(d.split(":")[0]);
      if (table === "public.audit_log") assert.ok(n > 0, "the audit trail stays");
      else if (table === "audit.chain_heads") assert.ok(n > 0);
      else if (table === "public.tenants") assert.equal(n, 3, "the tombstones stay");
      else if (table === "public.jobs") assert.equal(n, 1, "only the offboarding job stays");
      else if (table === "public.job_steps") assert.equal(n, 6, "with its steps");
      else assert.equal(n, 0, `${table} still holds rows of the offboarded subtree`);
    }
    assert.deepEqual(await digests(others), othersBefore, "another tenant's rows changed");
    await assertSubtreeRollupsExact(owner, "after offboarding");
    const statuses = await owner.query("select status from public.tenants where id = any($1)", [subtree]);
    assert.deepEqual(statuses.rows.map((r) => r.status), ["deprovisioned", "deprovisioned", "deprovisioned"]);
    const archives = await readdir(process.env.TENANT_ARCHIVE_DIR!);
    assert.equal(archives.filter((f) => f.endsWith(".tenant-archive")).length, 1, `archives: ${archives}`);
    const job = await getJobAsService(fx.tenants.acme, started.job.id);
    assert.ok(Number(job?.result?.rowsDeleted) > 0);

    // The MSSP still reads the trail; it still verifies; the tenant's own people are gone.
    const trail = await as(fx, "msspAdmin", (tx) => tx.client.query("select action from public.audit_log where tenant_id = $1 order by seq", [fx.tenants.acme]));
    assert.ok(trail.rows.some((r) => r.action === "tenant.offboarded"), JSON.stringify(trail.rows));
    const verified = await verifyAuditChains();
    assert.ok(verified.ok, JSON.stringify(verified.breaks));
  });
});

describe("a worker killed after each offboarding step", () => {
  for (const step of OFFBOARD_STEPS) {
    test(`after "${step}": the next worker finishes, the subtree empty, nothing else touched`, async () => {
      // A fresh customer with a site, alerts and a member, under mssp-b.
      const slug = `gone-${step}`;
      const { rows } = await owner.query<{ id: string }>(
        `with c as (insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, 'customer') returning id),
              s as (insert into public.tenants (parent_id, slug, name, kind) select id, $2 || '-site', 'Site', 'site' from c returning id)
         select id from c union all select id from s`,
        [fx.tenants["mssp-b"], slug, `Gone ${step}`],
      );
      const ids = rows.map((r) => r.id);
      await owner.query("insert into public.alerts (tenant_id, title, severity, source) select t, 'a' || g, 'high', 'test' from unnest($1::uuid[]) t, generate_series(1, 5) g", [ids]);
      await owner.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_admin')", [ids[0], fx.users.otherCoAdmin]);
      const others = Object.values(fx.tenants);
      const othersBefore = await digests(others);
      const started = await lifecycle((sdb) => startOffboarding(sdb, { tenantId: ids[0], confirmName: `Gone ${step}`, graceDays: 0 }, null));
      const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/lifecycle-worker.ts"], {
        env: { ...process.env, DATABASE_URL: db.appUrl, KILL_AFTER_STEP: step, LOG_LEVEL: "silent", JOBS_WORKER_STALE_MS: "60000" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      assert.equal(await new Promise((r) => child.on("exit", (_c, s) => r(s))), "SIGKILL", output);
      await owner.query("update jobs_engine.workers set last_seen = now() - interval '1 hour'");
      await owner.query("update graphile_worker._private_jobs set locked_at = now() - interval '1 hour' where locked_by is not null");
      const finishing = await runJobsUntilIdle({ kinds: [OFFBOARD_KIND] });
      const why = await owner.query("select name, status, attempts, last_error from public.job_steps where job_id = $1 order by position", [started.job.id]);
      assert.deepEqual(finishing.outcomes, ["succeeded"], JSON.stringify(why.rows));
      for (const r of why.rows) assert.equal(r.attempts, r.name === step ? 2 : 1, `${r.name} ran ${r.attempts} times`);
      const left = await digests(ids);
      for (const [table, d] of Object.entries(left)) {
        const n = Number(d.split(":")[0]);
        if (!["public.audit_log", "audit.chain_heads", "public.tenants", "public.jobs", "public.job_steps"].includes(table)) assert.equal(n, 0, `${table} after a kill after ${step}`);
      }
      assert.deepEqual(await digests(others), othersBefore, "another tenant's rows changed");
      await assertSubtreeRollupsExact(owner, `after a kill after ${step}`);
    });
  }
});
