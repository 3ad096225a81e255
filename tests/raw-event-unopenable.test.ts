// Raw events that do not open (lib/ingest/raw-unopenable.ts, `npm run keys -- raw-events`),
// on a real Postgres: such a row (a member's copy of another alert's sealed bytes, possible before
// migration 20261201031500; or a row naming an erased key version) keeps the tenant's DEK rotation
// from finishing. The rotation fails naming the table and the count (not "credentials", no id, no
// byte of a secret) and the way out; the operator lists them, and deletes exactly those (never a
// row that opens), only with the confirmed count, with one audit row on a valid chain; the next
// rotation finishes and every other raw event still opens.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, test } from "node:test";
import pg from "pg";
import { verifyAuditChains } from "@/lib/audit/verify";
import { openStoredRawEvent, sealRawEvent } from "@/lib/ingest/raw";
import { deleteUnopenableRawEvents, findUnopenableRawEvents, RawEventCleanupError } from "@/lib/ingest/raw-unopenable";
import { enqueueServiceJob, getJobAsService, runJobsUntilIdle } from "@/lib/jobs";
import { registerDefaultHandlers } from "@/lib/jobs/default-handlers";
import { activeKeyFor, clearKeyCache } from "@/lib/vault/keys";
import { ROTATE_DEK_KIND } from "@/lib/vault/rotation";
import { useFixtureEnv } from "./helpers/fixture-env";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });
env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  registerDefaultHandlers();
});

const execFileP = promisify(execFile);
/** `npm run keys -- …` against the test database, as the operator runs it. */
async function keysCommand(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, ["--import", "tsx", "scripts/keys.ts", ...args], {
      env: { ...process.env, DATABASE_URL: env.db.url, LOG_LEVEL: "silent" },
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const SLUG = "globex";
const tenant = () => env.fx.tenants[SLUG];
const payload = (n: number) => JSON.stringify({ vendor: "edr", event: { n, marker: `RAW-PAYLOAD-${n}` } });

/** `n` alerts of the tenant, each with a raw event sealed under the active key (as ingestion stores them). */
async function alertsWithRawEvents(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { rows } = await owner.query<{ id: string }>(
      `insert into public.alerts (tenant_id, title, severity, source, status, detected_at) values ($1, $2, 'high', 'edr', 'new', now()) returning id`,
      [tenant(), `raw ${i}`],
    );
    const key = await activeKeyFor(tenant());
    const sealed = sealRawEvent(key.dek, { tenantId: tenant(), alertId: rows[0].id, keyVersion: key.version }, payload(i));
    await owner.query(`insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version) values ($1, $2, $3, $4)`, [
      tenant(),
      rows[0].id,
      sealed,
      key.version,
    ]);
    ids.push(rows[0].id);
  }
  return ids;
}

async function rawRows() {
  const { rows } = await owner.query<{ alert_id: string; key_version: number; sealed: Buffer }>(
    `select alert_id, key_version, sealed from public.alert_raw_events where tenant_id = $1 order by alert_id`,
    [tenant()],
  );
  return rows;
}

const keyStatus = async () =>
  (await owner.query(`select version, status from keyring.tenant_keys where tenant_id = $1 order by version`, [tenant()])).rows.map(
    (k) => `v${k.version} ${k.status}`,
  );

async function rotateJob() {
  const { job } = await enqueueServiceJob({ tenantId: tenant(), kind: ROTATE_DEK_KIND, payload: {} });
  const { outcomes } = await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] });
  return { outcomes, job: (await getJobAsService(tenant(), job.id))! };
}

describe("raw events that do not open", () => {
  let good: string[];
  let planted: string;

  test("the rotation fails naming the raw events, their table and count, and the way out; nothing else", async () => {
    good = await alertsWithRawEvents(3);
    // What a member could do before 20261201031500: another alert's sealed bytes on an alert that had none.
    [planted] = await alertsWithRawEvents(1);
    const source = (await rawRows()).find((r) => r.alert_id === good[0])!;
    await owner.query(`update public.alert_raw_events set sealed = $3 where tenant_id = $1 and alert_id = $2`, [tenant(), planted, source.sealed]);

    const { outcomes, job } = await rotateJob();
    assert.deepEqual(outcomes, ["failed"]);
    assert.equal(job.attempts, 1, "not retried: retrying cannot fix it");
    const error = job.lastError ?? "";
    assert.match(error, /1 raw event of alerts \(public\.alert_raw_events\)/);
    assert.doesNotMatch(error, /credential/i, "the credentials opened: the message does not send the operator there");
    assert.match(error, /key version 1 was kept/);
    assert.match(error, new RegExp(`npm run keys -- raw-events --tenant ${SLUG}`));
    assert.ok(!error.includes(planted) && !error.includes("RAW-PAYLOAD"), "no id, nothing of the payload");
    const audit = await owner.query(`select details ->> 'error' as error from public.audit_log where tenant_id = $1 and action = 'keys.dek-rotation-failed'`, [
      tenant(),
    ]);
    assert.deepEqual(audit.rows, [{ error }], "the failure's audit row says the same");
    assert.deepEqual(await keyStatus(), ["v1 retiring", "v2 active"]);
    const rows = await rawRows();
    for (const id of good) assert.equal(rows.find((r) => r.alert_id === id)!.key_version, 2, "the others were re-sealed");
    assert.equal(rows.find((r) => r.alert_id === planted)!.key_version, 1, "the unopenable one is left as it was");
  });

  test("listed by the command, with why; nothing changes", async () => {
    const before = await rawRows();
    const found = await findUnopenableRawEvents(tenant());
    assert.deepEqual(
      found.map((f) => [f.alertId, f.keyVersion, f.reason]),
      [[planted, 1, "integrity"]],
    );
    const listed = await keysCommand("raw-events", "--tenant", SLUG);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, new RegExp(`${planted}\\s+v1\\s+\\d+\\s+\\S+\\s+failed its integrity check`));
    assert.match(listed.out, new RegExp(`--delete --confirm 1`));
    assert.deepEqual(await rawRows(), before);
  });

  test("deleting needs the count confirmed: a wrong one, or none, deletes nothing", async () => {
    const before = await rawRows();
    await assert.rejects(deleteUnopenableRawEvents(tenant(), { confirm: 2, via: "test" }), (e: unknown) => {
      assert.ok(e instanceof RawEventCleanupError);
      assert.match(e.message, /1 raw event of this tenant does not open now, not 2 as confirmed.*Nothing was deleted/);
      return true;
    });
    const cli = await keysCommand("raw-events", "--tenant", SLUG, "--delete");
    assert.equal(cli.code, 2, cli.out);
    assert.match(cli.out, /--delete needs --confirm <count>/);
    const wrong = await keysCommand("raw-events", "--tenant", SLUG, "--delete", "--confirm", "0");
    assert.equal(wrong.code, 1, wrong.out);
    assert.match(wrong.out, /not 0 as confirmed/);
    assert.deepEqual(await rawRows(), before);
    const audited = await owner.query(`select count(*)::int as n from public.audit_log where tenant_id = $1 and action = 'alerts.raw-events-deleted'`, [tenant()]);
    assert.equal(audited.rows[0].n, 0);
  });

  test("confirmed, exactly the unopenable ones go, with one audit row on a valid chain; the next rotation finishes", async () => {
    good.push((await alertsWithRawEvents(1))[0]);
    const cli = await keysCommand("raw-events", "--tenant", SLUG, "--delete", "--confirm", "1");
    assert.equal(cli.code, 0, cli.out);
    assert.match(cli.out, /Deleted 1 raw event /);
    const left = await rawRows();
    assert.deepEqual(left.map((r) => r.alert_id).sort(), [...good].sort(), "every row that opens is still there");
    const alerts = await owner.query(`select count(*)::int as n from public.alerts where tenant_id = $1 and id = $2`, [tenant(), planted]);
    assert.equal(alerts.rows[0].n, 1, "the alert itself stays");

    const audit = await owner.query(
      `select actor_id, target_type, target_id, outcome, details from public.audit_log where tenant_id = $1 and action = 'alerts.raw-events-deleted'`,
      [tenant()],
    );
    assert.deepEqual(audit.rows, [
      {
        actor_id: null, target_type: "tenant", target_id: tenant(), outcome: "success",
        details: { via: "npm run keys", reason: "unopenable", count: 1, integrity_failed: 1, version_erased: 0, alerts: [planted] },
      },
    ]);
    assert.deepEqual((await verifyAuditChains({ tenantSlug: SLUG })).breaks, [], "the chain holds");

    const { outcomes } = await rotateJob();
    assert.deepEqual(outcomes, ["succeeded"]);
    assert.deepEqual(await keyStatus(), ["v1 retired", "v2 retired", "v3 active"]);
    clearKeyCache();
    for (const r of await rawRows()) {
      assert.equal(r.key_version, 3);
      assert.match(await openStoredRawEvent({ tenantId: tenant(), alertId: r.alert_id, keyVersion: 3 }, r.sealed), /RAW-PAYLOAD-/);
    }
    assert.deepEqual(await findUnopenableRawEvents(tenant()), []);
    const again = await keysCommand("raw-events", "--tenant", SLUG);
    assert.match(again.out, /Every raw event of .* opens: nothing to do/);
  });

  test("a row naming an erased key version (the table restored alone) is found and removed the same way", async () => {
    const [orphan] = await alertsWithRawEvents(1);
    await owner.query("alter table public.alert_raw_events disable trigger alert_raw_events_check_seal_key");
    await owner.query(`update public.alert_raw_events set key_version = 1 where tenant_id = $1 and alert_id = $2`, [tenant(), orphan]);
    await owner.query("alter table public.alert_raw_events enable trigger alert_raw_events_check_seal_key");
    assert.deepEqual(
      (await findUnopenableRawEvents(tenant())).map((f) => [f.alertId, f.keyVersion, f.reason]),
      [[orphan, 1, "version_erased"]],
    );
    const { outcomes, job } = await rotateJob();
    assert.deepEqual(outcomes, ["failed"]);
    assert.match(job.lastError ?? "", /1 raw event of alerts \(public\.alert_raw_events\); no key version is kept for them/);
    const { deleted } = await deleteUnopenableRawEvents(tenant(), { confirm: 1, via: "test" });
    assert.deepEqual(deleted.map((d) => d.alertId), [orphan]);
    const audit = await owner.query(
      `select details from public.audit_log where tenant_id = $1 and action = 'alerts.raw-events-deleted' order by seq desc limit 1`,
      [tenant()],
    );
    assert.deepEqual(audit.rows[0].details, { via: "test", reason: "unopenable", count: 1, integrity_failed: 0, version_erased: 1, alerts: [orphan] });
    assert.deepEqual((await verifyAuditChains({ tenantSlug: SLUG })).breaks, []);
    assert.deepEqual((await rotateJob()).outcomes, ["succeeded"]);
  });

  test("a crypto-shredded tenant's raw events are listed but not deleted (offboarding purges them)", async () => {
    const { destroyTenantKeys } = await import("@/lib/vault/keys");
    await destroyTenantKeys(tenant());
    const found = await findUnopenableRawEvents(tenant());
    assert.ok(found.length > 0 && found.every((f) => f.reason === "version_erased"));
    await assert.rejects(deleteUnopenableRawEvents(tenant(), { confirm: found.length, via: "test" }), /no active key.*Nothing was deleted/);
    assert.equal((await rawRows()).length, found.length);
  });
});
