// Key rotation against a real database (lib/vault/rotation.ts, lib/jobs):
//   - a DEK rotation job re-seals every credential in batches, all on the new
//     version afterwards, the old version erased and no longer unwrappable;
//   - writes that race it (a replaced secret, a new credential) are not lost,
//     and a write under the retiring key is refused;
//   - a worker SIGKILLed half-way leaves every credential readable, and the
//     next worker finishes the job without creating a second key;
//   - a credential that fails its integrity check is never rewritten, and its
//     key is kept;
//   - KEK rotation re-wraps every DEK of one MSSP (and none of another), and
//     overwrites the old KEK's Vault secret;
//   - crypto-shredding makes every credential of the tenant unopenable.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import pg from "pg";
import { enqueueJob, enqueueServiceJob, enqueueServiceJobIn, getJobAsService, runJobsUntilIdle, type JobView } from "@/lib/jobs";
import { withServiceRole } from "@/lib/db/service-role";
import { registerDefaultHandlers } from "@/lib/jobs/default-handlers";
import { TenantKeyUnavailableError } from "@/lib/vault/errors";
import { activeKeyFor, clearKeyCache, dekFor, destroyTenantKeys } from "@/lib/vault/keys";
import {
  createRotateDekHandler,
  ROTATE_DEK_KIND,
  ROTATE_KEK_KIND,
  rotateTenantDek,
} from "@/lib/vault/rotation";
import { openSecret, sealSecret } from "@/lib/vault/seal";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug } from "./helpers/fixtures";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });

env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  registerDefaultHandlers();
});

interface Row {
  tenant_id: string;
  id: string;
  key_version: number;
  sealed: Buffer;
}

/** What each credential of a tenant should open to, by id. */
type Expected = Map<string, string>;

async function seal(tenantId: string, id: string, secret: string) {
  const key = await activeKeyFor(tenantId);
  return { sealed: sealSecret(key.dek, { tenantId, credentialId: id, keyVersion: key.version }, secret), version: key.version };
}

/** `n` credentials in `slug`, sealed under its active key and inserted as the owner in one statement. */
async function seedCredentials(slug: TenantSlug, n: number): Promise<Expected> {
  const tenantId = env.fx.tenants[slug];
  const expected: Expected = new Map();
  const ids: string[] = [];
  const names: string[] = [];
  const sealed: Buffer[] = [];
  const hints: string[] = [];
  let version = 0;
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const secret = `sk_${slug}_${i}_${randomBytes(12).toString("hex")}`;
    const s = await seal(tenantId, id, secret);
    version = s.version;
    expected.set(id, secret);
    ids.push(id);
    names.push(`${slug} connector ${i}`);
    sealed.push(s.sealed);
    hints.push(secret.slice(-4));
  }
  await owner.query(
    `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
     select $1, u.id, 'generic_api_key', u.name, u.sealed, $2, u.hint
       from unnest($3::uuid[], $4::text[], $5::bytea[], $6::text[]) as u(id, name, sealed, hint)`,
    [tenantId, version, ids, names, sealed, hints],
  );
  return expected;
}

async function rowsOf(slug: TenantSlug): Promise<Row[]> {
  const { rows } = await owner.query<Row>(
    "select tenant_id, id, key_version, sealed from public.credentials where tenant_id = $1 order by id",
    [env.fx.tenants[slug]],
  );
  return rows;
}

function openRow(row: Row, dek: Buffer): string {
  return openSecret(dek, { tenantId: row.tenant_id, credentialId: row.id, keyVersion: row.key_version }, row.sealed);
}

/** Opens every credential of `slug` the way the application does and compares with `expected`. Returns the versions seen. */
async function assertAllOpen(slug: TenantSlug, expected: Expected): Promise<Map<number, number>> {
  const rows = await rowsOf(slug);
  assert.equal(rows.length, expected.size, `${slug}: credential count`);
  const versions = new Map<number, number>();
  for (const row of rows) {
    const plaintext = openRow(row, await dekFor(row.tenant_id, row.key_version));
    assert.equal(plaintext, expected.get(row.id), `${slug}: credential ${row.id} opens to its secret`);
    versions.set(row.key_version, (versions.get(row.key_version) ?? 0) + 1);
  }
  return versions;
}

async function keyRows(slug: TenantSlug) {
  const { rows } = await owner.query<{ version: number; status: string; wrapped: boolean; kek_version: number | null }>(
    `select version, status, wrapped_dek is not null as wrapped, kek_version from keyring.tenant_keys
      where tenant_id = $1 order by version`,
    [env.fx.tenants[slug]],
  );
  return rows;
}

async function jobRow(tenantId: string, id: string): Promise<JobView> {
  const job = await getJobAsService(tenantId, id);
  assert.ok(job);
  return job;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("DEK rotation job", () => {
  test("re-seals 300 credentials in batches; every one opens before and after; the old key is erased", async () => {
    const expected = await seedCredentials("acme", 300);
    assert.deepEqual([...(await assertAllOpen("acme", expected))], [[1, 300]]);

    const { job } = await enqueueServiceJob({ tenantId: env.fx.tenants.acme, kind: ROTATE_DEK_KIND, payload: { batchSize: 40 } });
    const progressSeen: number[] = [];
    let raced = false;
    let pendingCommit: Promise<unknown> | undefined;
    const replace = async (client: pg.Client, row: Row) => {
      const secret = `sk_replaced_${randomBytes(8).toString("hex")}`;
      const s = await seal(env.fx.tenants.acme, row.id, secret);
      assert.equal(s.version, 2, "writers seal under the new active key");
      await client.query("update public.credentials set sealed = $3, key_version = $4 where tenant_id = $1 and id = $2", [
        env.fx.tenants.acme,
        row.id,
        s.sealed,
        s.version,
      ]);
      expected.set(row.id, secret);
    };
    const handler = createRotateDekHandler({
      afterBatch: async () => {
        progressSeen.push((await jobRow(env.fx.tenants.acme, job.id)).progressDone);
        // Mid-rotation, every credential still opens (a mix of versions).
        await assertAllOpen("acme", expected);
        if (raced) return;
        raced = true;
        // Writes racing the rotation, between two batches:
        const behind = (await rowsOf("acme")).filter((r) => r.key_version === 1);
        // 1. a credential the rotation has not read yet gets a new secret;
        await replace(owner, behind.at(-1)!);
        // 2. one the next batch will read is replaced by a transaction that
        //    commits only while the rotation's UPDATE waits for that row: the
        //    re-check finds other bytes, and the rotation skips it;
        const racer = new pg.Client({ connectionString: env.db.url });
        await racer.connect();
        await racer.query("begin");
        await replace(racer, behind[0]);
        pendingCommit = sleep(300).then(() => racer.query("commit")).finally(() => racer.end());
        // 3. a new credential is created;
        const fresh = randomUUID();
        const freshSecret = `sk_new_${randomBytes(8).toString("hex")}`;
        const f = await seal(env.fx.tenants.acme, fresh, freshSecret);
        await owner.query(
          `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
           values ($1, $2, 'splunk_hec', 'added during rotation', $3, $4, 'abcd')`,
          [env.fx.tenants.acme, fresh, f.sealed, f.version],
        );
        expected.set(fresh, freshSecret);
        // 4. a writer still holding the old key is refused (it must re-seal with the active one).
        const stale = randomUUID();
        const old = sealSecret(await dekFor(env.fx.tenants.acme, 1), { tenantId: env.fx.tenants.acme, credentialId: stale, keyVersion: 1 }, "x".repeat(20));
        await assert.rejects(
          owner.query(
            `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
             values ($1, $2, 'splunk_hec', 'stale writer', $3, 1, 'xxxx')`,
            [env.fx.tenants.acme, stale, old],
          ),
          (e: { code?: string }) => e.code === "40001",
        );
      },
    });
    const { outcomes } = await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND], handlers: { [ROTATE_DEK_KIND]: handler } });
    assert.deepEqual(outcomes, ["succeeded"]);
    await pendingCommit;

    const done = await jobRow(env.fx.tenants.acme, job.id);
    assert.equal(done.status, "succeeded");
    assert.equal(done.progressTotal, 300);
    assert.equal(done.progressDone, 300);
    assert.equal(done.payload.targetVersion, 2);
    // 300 seeded: one replaced before it was read (never read), one replaced
    // between read and write (skipped), 298 re-sealed.
    assert.deepEqual(done.result, { targetVersion: 2, resealed: 298, skipped: 1, retiredVersions: [1] });
    assert.ok(progressSeen.length >= 8, `progress was recorded per batch (${progressSeen.join(",")})`);
    assert.deepEqual(progressSeen, [...progressSeen].sort((a, b) => a - b));

    clearKeyCache();
    assert.deepEqual([...(await assertAllOpen("acme", expected))], [[2, 301]]);
    assert.deepEqual(
      (await keyRows("acme")).map((k) => [k.version, k.status, k.wrapped]),
      [
        [1, "retired", false],
        [2, "active", true],
      ],
    );
    await assert.rejects(dekFor(env.fx.tenants.acme, 1), TenantKeyUnavailableError);

    const audit = await owner.query("select action, outcome, details from public.audit_log where tenant_id = $1 and action like 'keys.%'", [
      env.fx.tenants.acme,
    ]);
    assert.equal(audit.rows.length, 1);
    assert.equal(audit.rows[0].action, "keys.dek-rotated");
    assert.equal(audit.rows[0].details.resealed, 298);
    assert.deepEqual(audit.rows[0].details.retired_versions, [1]);
  });

  test("a worker SIGKILLed half-way leaves every credential readable; the next one finishes without a second new key", async () => {
    const expected = await seedCredentials("globex", 300);
    const { job } = await enqueueServiceJob({ tenantId: env.fx.tenants.globex, kind: ROTATE_DEK_KIND, payload: { batchSize: 20 } });

    const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/rotation-worker.ts"], {
      env: { ...process.env, DATABASE_URL: env.db.appUrl, ROTATION_BATCH_DELAY_MS: "150", JOBS_WORKER_STALE_MS: "3000", LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );

    // Wait until it is part-way through, checking readability while it runs.
    let seen: JobView | undefined;
    for (let i = 0; i < 600; i++) {
      seen = await jobRow(env.fx.tenants.globex, job.id);
      if (seen.progressDone >= 100 && seen.progressTotal && seen.progressDone < seen.progressTotal) break;
      if (i % 10 === 0) await assertAllOpen("globex", expected);
      if (child.exitCode !== null) break;
      await sleep(25);
    }
    assert.ok(seen && seen.progressDone > 0 && seen.progressDone < 300, `the worker was part-way (${seen?.progressDone}); output: ${output}`);
    child.kill("SIGKILL");
    assert.equal((await exited).signal, "SIGKILL");

    // Killed: a mix of versions, every one readable, the job still "running" for a worker that no longer beats.
    clearKeyCache();
    const mixed = await assertAllOpen("globex", expected);
    assert.ok((mixed.get(1) ?? 0) > 0 && (mixed.get(2) ?? 0) > 0, `mixed versions after the kill: ${[...mixed]}`);
    const dead = await jobRow(env.fx.tenants.globex, job.id);
    assert.equal(dead.status, "running");
    assert.equal(dead.attempts, 1);
    assert.deepEqual(
      (await keyRows("globex")).map((k) => [k.version, k.status]),
      [
        [1, "retiring"],
        [2, "active"],
      ],
    );
    // Its last heartbeat is recent: nobody takes the job yet.
    assert.equal((await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] })).ran, 0);

    // Time passes: the dead worker's heartbeat goes stale, and another worker carries on.
    await owner.query("update jobs_engine.workers set last_seen = now() - interval '1 hour'");
    await owner.query("update graphile_worker._private_jobs set locked_at = now() - interval '1 hour' where locked_by is not null");
    const { outcomes } = await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] });
    assert.deepEqual(outcomes, ["succeeded"]);
    const finished = await jobRow(env.fx.tenants.globex, job.id);
    assert.equal(finished.attempts, 2);
    assert.equal(finished.progressDone, finished.progressTotal);
    assert.equal(finished.progressTotal, 300, "the bar resumes where the killed worker's last committed batch left it");
    assert.equal(finished.result?.targetVersion, 2);

    clearKeyCache();
    assert.deepEqual([...(await assertAllOpen("globex", expected))], [[2, 300]]);
    assert.deepEqual(
      (await keyRows("globex")).map((k) => [k.version, k.status, k.wrapped]),
      [
        [1, "retired", false],
        [2, "active", true],
      ],
      "exactly one new key version, the old one erased",
    );
  });

  test("a credential that fails its integrity check is never rewritten, and the key it needs is kept", async () => {
    const expected = await seedCredentials("acme-eu", 30);
    const [victim] = await rowsOf("acme-eu");
    const tampered = Buffer.from(victim.sealed);
    tampered[tampered.length - 1] ^= 0x01;
    await owner.query("alter table public.credentials disable trigger credentials_check_seal_key");
    await owner.query("update public.credentials set sealed = $2 where id = $1", [victim.id, tampered]);
    await owner.query("alter table public.credentials enable trigger credentials_check_seal_key");

    const { job } = await enqueueServiceJob({ tenantId: env.fx.tenants["acme-eu"], kind: ROTATE_DEK_KIND, payload: { batchSize: 7 } });
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] })).outcomes, ["failed"]);
    const failed = await jobRow(env.fx.tenants["acme-eu"], job.id);
    assert.equal(failed.attempts, 1, "not retried: retrying cannot fix it");
    assert.match(failed.lastError ?? "", /did not open .* could not be re-sealed: 1 credential \(public\.credentials\); key version 1 was kept/);
    assert.doesNotMatch(failed.lastError ?? "", /raw event|notification_channels/, "only what failed is named");

    const after = await rowsOf("acme-eu");
    const stillThere = after.find((r) => r.id === victim.id)!;
    assert.equal(stillThere.key_version, 1);
    assert.ok(stillThere.sealed.equals(tampered), "the unopenable row is untouched");
    expected.delete(victim.id);
    for (const row of after.filter((r) => r.id !== victim.id)) {
      assert.equal(row.key_version, 2);
      assert.equal(openRow(row, await dekFor(row.tenant_id, 2)), expected.get(row.id));
    }
    assert.deepEqual(
      (await keyRows("acme-eu")).map((k) => [k.version, k.status, k.wrapped]),
      [
        [1, "retiring", true],
        [2, "active", true],
      ],
    );
    const audit = await owner.query("select outcome from public.audit_log where tenant_id = $1 and action = 'keys.dek-rotation-failed'", [
      env.fx.tenants["acme-eu"],
    ]);
    assert.deepEqual(audit.rows, [{ outcome: "failure" }]);
  });

  test("rotateTenantDek (commands, bench) runs the same steps without the queue; old retiring versions go too", async () => {
    const expected = await seedCredentials("acme-us", 120);
    const first = await rotateTenantDek(env.fx.tenants["acme-us"], { batchSize: 50 });
    assert.deepEqual(first, { targetVersion: 2, resealed: 120, skipped: 0, retiredVersions: [1] });
    // A key made active outside a rotation leaves v2 retiring with rows under it; the next rotation sweeps both.
    await owner.query("select keyring.create_tenant_key($1)", [env.fx.tenants["acme-us"]]);
    const second = await rotateTenantDek(env.fx.tenants["acme-us"], { batchSize: 1000 });
    assert.deepEqual(second, { targetVersion: 4, resealed: 120, skipped: 0, retiredVersions: [2, 3] });
    clearKeyCache();
    assert.deepEqual([...(await assertAllOpen("acme-us", expected))], [[4, 120]]);
  });

  test("a second request while one is unfinished joins it", async () => {
    const a = await enqueueServiceJob({ tenantId: env.fx.tenants["mssp-b"], kind: ROTATE_DEK_KIND });
    const b = await enqueueServiceJob({ tenantId: env.fx.tenants["mssp-b"], kind: ROTATE_DEK_KIND });
    assert.equal(b.created, false);
    assert.equal(b.job.id, a.job.id);
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] })).outcomes, ["succeeded"]);
    assert.deepEqual((await keyRows("mssp-b")).map((k) => k.status), ["retired", "active"]);
  });
});

describe("who may have a rotation run", () => {
  test("the worker asks the PDP again for the user who queued it: an MSSP admin's job runs, a tenant admin's is refused", async () => {
    // A tenant admin cannot queue a rotation at all (RLS, migration 20261201030800) ...
    for (const kind of [ROTATE_DEK_KIND, ROTATE_KEK_KIND]) {
      await assert.rejects(
        env.as("otherCoAdmin", (tx) => enqueueJob(tx, { tenantId: env.fx.tenants["other-co"], kind })),
        (e: { code?: string }) => e.code === "42501",
      );
    }
    // ... and the worker still asks the PDP about whoever a job names (one queued in a tenant admin's
    // name by the service path, or by someone who has since lost the right): it must not run.
    const inTheirName = (kind: string) =>
      withServiceRole("jobs.worker", (db) => enqueueServiceJobIn(db, { tenantId: env.fx.tenants["other-co"], kind }, env.fx.users.otherCoAdmin));
    const forged = await inTheirName(ROTATE_DEK_KIND);
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] })).outcomes, ["failed"]);
    const refused = await jobRow(env.fx.tenants["other-co"], forged.job.id);
    assert.match(refused.lastError ?? "", /may not do it on this tenant \(keys:rotate\)/);
    assert.equal(refused.attempts, 1);
    assert.deepEqual((await keyRows("other-co")).map((k) => [k.version, k.status]), [[1, "active"]], "nothing changed");
    const forgedKek = await inTheirName(ROTATE_KEK_KIND);
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_KEK_KIND] })).outcomes, ["failed"]);
    assert.match((await jobRow(env.fx.tenants["other-co"], forgedKek.job.id)).lastError ?? "", /may not do it on this tenant \(keys:rotate\)/);

    const allowed = await env.as("msspBAdmin", (tx) => enqueueJob(tx, { tenantId: env.fx.tenants["other-co"], kind: ROTATE_DEK_KIND }));
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] })).outcomes, ["succeeded"]);
    assert.equal((await jobRow(env.fx.tenants["other-co"], allowed.job.id)).createdBy, env.fx.users.msspBAdmin);
    assert.deepEqual((await keyRows("other-co")).map((k) => [k.version, k.status]), [
      [1, "retired"],
      [2, "active"],
    ]);
  });

  test("with the PDP down, the attempt fails and is retried, changing nothing", async () => {
    const queued = await env.as("msspBAdmin", (tx) => enqueueJob(tx, { tenantId: env.fx.tenants["mssp-b"], kind: ROTATE_KEK_KIND }));
    const saved = process.env.CERBOS_URL;
    process.env.CERBOS_URL = "http://127.0.0.1:9";
    try {
      assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_KEK_KIND] })).outcomes, ["retrying"]);
    } finally {
      process.env.CERBOS_URL = saved;
    }
    const job = await jobRow(env.fx.tenants["mssp-b"], queued.job.id);
    assert.equal(job.status, "queued");
    assert.match(job.lastError ?? "", /Authorization service unavailable/);
    const keks = await owner.query("select version from keyring.keks where root_tenant_id = $1", [env.fx.tenants["mssp-b"]]);
    assert.deepEqual(keks.rows, [{ version: 1 }]);
    await owner.query("update graphile_worker._private_jobs set run_at = now()");
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_KEK_KIND] })).outcomes, ["succeeded"]);
  });
});

describe("KEK rotation job", () => {
  test("re-wraps every DEK of the MSSP, overwrites the old KEK in Vault, and leaves the other MSSP alone", async () => {
    const kekOf = async (slug: TenantSlug) =>
      (
        await owner.query<{ version: number; status: string; secret: string }>(
          `select k.version, k.status, ds.decrypted_secret as secret from keyring.keks k
             join vault.decrypted_secrets ds on ds.id = k.vault_secret_id
            where k.root_tenant_id = $1 order by k.version`,
          [env.fx.tenants[slug]],
        )
      ).rows;
    const wrappedUnder = async (slug: TenantSlug) =>
      (
        await owner.query<{ tenant_id: string; version: number; wrapped_dek: Buffer; kek_version: number }>(
          `select k.tenant_id, k.version, k.wrapped_dek, k.kek_version from keyring.tenant_keys k
            where k.kek_root_id = $1 and k.wrapped_dek is not null order by k.tenant_id, k.version`,
          [env.fx.tenants[slug]],
        )
      ).rows;

    const before = await kekOf("mssp-a");
    assert.deepEqual(before.map((k) => [k.version, k.status]), [[1, "active"]]);
    const otherBefore = await wrappedUnder("mssp-b");
    const otherKekBefore = await kekOf("mssp-b");
    const dekCount = (await wrappedUnder("mssp-a")).length;

    const { job } = await enqueueServiceJob({ tenantId: env.fx.tenants["mssp-a"], kind: ROTATE_KEK_KIND });
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_KEK_KIND] })).outcomes, ["succeeded"]);
    const done = await jobRow(env.fx.tenants["mssp-a"], job.id);
    assert.deepEqual(done.result, { newVersion: 2, rewrapped: dekCount });
    assert.equal(done.progressDone, 1);

    const afterKeks = await kekOf("mssp-a");
    assert.deepEqual(afterKeks.map((k) => [k.version, k.status]), [
      [1, "retired"],
      [2, "active"],
    ]);
    assert.notEqual(afterKeks[0].secret, before[0].secret, "the old KEK's Vault secret was overwritten");
    assert.ok((await wrappedUnder("mssp-a")).every((k) => k.kek_version === 2));

    // Every DEK still unwraps (cold cache), so every credential still opens.
    clearKeyCache();
    for (const slug of ["acme", "globex", "acme-us"] as const) {
      for (const row of await rowsOf(slug)) openRow(row, await dekFor(row.tenant_id, row.key_version));
    }
    for (const k of await wrappedUnder("mssp-a")) assert.equal((await dekFor(k.tenant_id, k.version)).length, 32);

    // The other MSSP: same KEK, same wrapped bytes.
    assert.deepEqual(await kekOf("mssp-b"), otherKekBefore);
    const otherAfter = await wrappedUnder("mssp-b");
    assert.equal(otherAfter.length, otherBefore.length);
    otherAfter.forEach((k, i) => assert.ok(k.wrapped_dek.equals(otherBefore[i].wrapped_dek)));

    const audit = await owner.query("select details from public.audit_log where tenant_id = $1 and action = 'keys.kek-rotated'", [
      env.fx.tenants["mssp-a"],
    ]);
    assert.equal(audit.rows.length, 1);
    assert.equal(audit.rows[0].details.rewrapped, dekCount);
  });

  test("on a tenant that is not an MSSP it fails at once and changes nothing", async () => {
    const { job } = await enqueueServiceJob({ tenantId: env.fx.tenants.globex, kind: ROTATE_KEK_KIND });
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_KEK_KIND] })).outcomes, ["failed"]);
    assert.match((await jobRow(env.fx.tenants.globex, job.id)).lastError ?? "", /belong to an MSSP/);
  });
});

describe("crypto-shredding", () => {
  test("destroyed keys: no acme credential opens, globex still does, and acme can never get a new key", async () => {
    const acmeRows = await rowsOf("acme");
    assert.ok(acmeRows.length > 0);
    await destroyTenantKeys(env.fx.tenants.acme);
    clearKeyCache();
    for (const row of acmeRows) {
      await assert.rejects(
        dekFor(row.tenant_id, row.key_version).then((dek) => openRow(row, dek)),
        TenantKeyUnavailableError,
      );
    }
    for (const row of await rowsOf("globex")) openRow(row, await dekFor(row.tenant_id, row.key_version));
    await assert.rejects(activeKeyFor(env.fx.tenants.acme), TenantKeyUnavailableError);

    const { job } = await enqueueServiceJob({ tenantId: env.fx.tenants.acme, kind: ROTATE_DEK_KIND });
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] })).outcomes, ["failed"]);
    assert.match((await jobRow(env.fx.tenants.acme, job.id)).lastError ?? "", /destroyed/);
    assert.deepEqual(
      (await keyRows("acme")).map((k) => [k.version, k.status, k.wrapped]),
      [
        [1, "destroyed", false],
        [2, "destroyed", false],
      ],
    );
  });
});
