// A key service that fails is not evidence that does not open (lib/ingest/raw.ts
// RawEventKeyServiceError), on a real Postgres with the real PDP. The failure is
// made where it really happens: Vault cannot decrypt the MSSP's KEK (the compat
// Vault's root key is not the one its secrets were encrypted with, as when
// Supabase's root key or a KMS is unavailable), so keyring.unwrap_dek fails
// and lib/vault/keys.ts raises TenantKeyUnavailableError("the key service
// failed", gone = false). Then:
//   - the alert page says the key service is unavailable and to try again,
//     not that the raw event failed its integrity check; the page still loads,
//     and the raw event opens again once the key service is back;
//   - a DEK rotation that meets it mid-way does not count raw events (or a
//     webhook signing secret) as rows that do not open: it stops with the key
//     service's error, is retried, and finishes once the key service is back;
//   - `npm run keys -- raw-events` lists nothing and deletes nothing: it stops
//     with a clear error and exit code 1.
import "./helpers/actions";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, test } from "node:test";
import { randomUUID } from "node:crypto";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import pg from "pg";
import { RawEventSection } from "@/components/alerts/raw-event";
import { loadAlertDetail } from "@/lib/alerts/detail";
import { openStoredRawEvent, RawEventKeyServiceError, sealRawEvent } from "@/lib/ingest/raw";
import { findUnopenableRawEvents } from "@/lib/ingest/raw-unopenable";
import { sealChannelSecret } from "@/lib/notify/secret";
import { enqueueServiceJob, getJobAsService, runJobsUntilIdle } from "@/lib/jobs";
import { registerDefaultHandlers } from "@/lib/jobs/default-handlers";
import { TenantKeyUnavailableError } from "@/lib/vault/errors";
import { activeKeyFor, clearKeyCache, dekFor } from "@/lib/vault/keys";
import { createRotateDekHandler, ROTATE_DEK_KIND } from "@/lib/vault/rotation";
import { sealSecret } from "@/lib/vault/seal";
import { useFixtureEnv } from "./helpers/fixture-env";
import { keyServiceSwitch } from "./helpers/key-service";

let owner: pg.Client;
const env = useFixtureEnv({ beforeDrop: () => owner?.end() });
env.before(async () => {
  owner = new pg.Client({ connectionString: env.db.url });
  await owner.connect();
  registerDefaultHandlers();
});

/** The key service stops answering: Vault can no longer decrypt any KEK (tests/helpers/key-service.ts). */
const keyService = keyServiceSwitch(() => env.db.url);

const execFileP = promisify(execFile);
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

const payload = (n: string) => JSON.stringify({ vendor: "edr", event: { n, marker: `RAW-PAYLOAD-${n}` } });

/** An alert of the tenant with a raw event sealed under the active key, as ingestion stores it. */
async function alertWithRawEvent(tenantId: string, n: string): Promise<string> {
  const { rows } = await owner.query<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, status, detected_at) values ($1, $2, 'high', 'edr', 'new', now()) returning id`,
    [tenantId, `raw ${n}`],
  );
  const key = await activeKeyFor(tenantId);
  const sealed = sealRawEvent(key.dek, { tenantId, alertId: rows[0].id, keyVersion: key.version }, payload(n));
  await owner.query(`insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version) values ($1, $2, $3, $4)`, [tenantId, rows[0].id, sealed, key.version]);
  return rows[0].id;
}

async function rawRows(tenantId: string) {
  const { rows } = await owner.query<{ alert_id: string; key_version: number; sealed: Buffer }>(
    `select alert_id, key_version, sealed from public.alert_raw_events where tenant_id = $1 order by alert_id`,
    [tenantId],
  );
  return rows;
}

const keyStatus = async (tenantId: string) =>
  (await owner.query(`select version, status from keyring.tenant_keys where tenant_id = $1 order by version`, [tenantId])).rows.map((k) => `v${k.version} ${k.status}`);

/** A credential under the active key: the rotation's first step has a batch, so afterBatch runs. */
async function credential(tenantId: string) {
  const key = await activeKeyFor(tenantId);
  const id = randomUUID();
  await owner.query(
    `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint) values ($1, $2, 'splunk_hec', 'probe', $3, $4, 'abcd')`,
    [tenantId, id, sealSecret(key.dek, { tenantId, credentialId: id, keyVersion: key.version }, "sk_probe_0123456789"), key.version],
  );
}

/**
 * A DEK rotation job during which the key service goes down after the first credential batch,
 * with the new version's DEK already in this process's cache (as a worker has it mid-rotation).
 */
async function rotateWhileKeyServiceFails(tenantId: string) {
  const { job } = await enqueueServiceJob({ tenantId, kind: ROTATE_DEK_KIND, payload: {} });
  let broke = false;
  const handler = createRotateDekHandler({
    afterBatch: async ({ targetVersion }) => {
      if (broke) return;
      broke = true;
      clearKeyCache();
      await dekFor(tenantId, targetVersion);
      await keyService.down({ keepCache: true });
    },
  });
  const { outcomes } = await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND], handlers: { [ROTATE_DEK_KIND]: handler } });
  assert.ok(broke, "the key service went down mid-rotation");
  return { outcomes, job: (await getJobAsService(tenantId, job.id))! };
}

describe("the key service failing is not a raw event that does not open", () => {
  test("the simulation is the key service's real failure: TenantKeyUnavailableError, not gone", async () => {
    const globex = env.fx.tenants.globex;
    await keyService.down();
    clearKeyCache();
    try {
      await assert.rejects(dekFor(globex, 1), (e: unknown) => {
        assert.ok(e instanceof TenantKeyUnavailableError, String(e));
        assert.equal(e.gone, false);
        assert.equal(e.reason, "the key service failed");
        return true;
      });
    } finally {
      await keyService.up();
    }
  });

  test("the alert page says the key service is unavailable and to try again, not that the evidence failed its check", async () => {
    const globex = env.fx.tenants.globex;
    const id = await alertWithRawEvent(globex, "page");
    const page = () => env.as("globexAdmin", (tx) => loadAlertDetail(tx, id, new Date()), "globex");
    assert.equal((await page())?.rawEvent?.state, "open", "control: it opens");

    await keyService.down();
    clearKeyCache();
    try {
      const down = await page();
      assert.ok(down, "the page still loads");
      assert.ok(down.timeZone, "the page's transaction is still usable after the key service failed");
      const raw = down.rawEvent!;
      assert.equal(raw.state, "key_service");
      assert.match((raw as { reason: string }).reason, /key service/);
      assert.match((raw as { reason: string }).reason, /Reload the page in a few minutes/);
      assert.doesNotMatch((raw as { reason: string }).reason, /failed its integrity check|destroyed/);
      const html = renderToStaticMarkup(createElement(RawEventSection, { raw }));
      assert.match(html, /data-testid="raw-event-key-service"/);
      assert.match(html, /role="status"/);
      assert.match(html, /is unavailable or failing/);
      assert.doesNotMatch(html, /raw-event-unavailable|failed its integrity check/);
      // The opening itself says which kind of failure it is.
      const row = (await rawRows(globex)).find((r) => r.alert_id === id)!;
      await assert.rejects(openStoredRawEvent({ tenantId: globex, alertId: id, keyVersion: row.key_version }, row.sealed), RawEventKeyServiceError);
    } finally {
      await keyService.up();
    }
    assert.equal((await page())?.rawEvent?.state, "open", "back: it opens again");
  });

  test("`npm run keys -- raw-events` lists nothing and deletes nothing while the key service fails", async () => {
    const globex = env.fx.tenants.globex;
    const before = await rawRows(globex);
    assert.ok(before.length > 0);
    await keyService.down();
    clearKeyCache();
    try {
      await assert.rejects(findUnopenableRawEvents(globex), RawEventKeyServiceError);
      const listed = await keysCommand("raw-events", "--tenant", "globex");
      assert.equal(listed.code, 1, listed.out);
      assert.match(listed.out, /The key service could not give key version 1 of tenant .*\(the key service failed\)/);
      assert.match(listed.out, /not a sign that they are damaged/);
      assert.match(listed.out, /Nothing was listed and nothing was deleted/);
      assert.doesNotMatch(listed.out, /--delete --confirm|do(es)? not open and keep/);
      const deleting = await keysCommand("raw-events", "--tenant", "globex", "--delete", "--confirm", String(before.length));
      assert.equal(deleting.code, 1, deleting.out);
      assert.match(deleting.out, /Nothing was listed and nothing was deleted/);
      assert.doesNotMatch(deleting.out, /Deleted/);
    } finally {
      await keyService.up();
    }
    assert.deepEqual(await rawRows(globex), before, "every raw event is still there");
    const audited = await owner.query(`select count(*)::int as n from public.audit_log where tenant_id = $1 and action = 'alerts.raw-events-deleted'`, [globex]);
    assert.equal(audited.rows[0].n, 0);
    const ok = await keysCommand("raw-events", "--tenant", "globex");
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /Every raw event of .* opens: nothing to do/);
  });

  test("a DEK rotation that meets it stops with the key service's error, counts no raw event, is retried and finishes", async () => {
    const globex = env.fx.tenants.globex;
    await alertWithRawEvent(globex, "rotation");
    await credential(globex);
    let outcome;
    try {
      outcome = await rotateWhileKeyServiceFails(globex);
    } finally {
      await keyService.up();
    }
    const { outcomes, job } = outcome;
    assert.deepEqual(outcomes, ["retrying"], "a transient failure: the job is retried, not failed for good");
    const error = job.lastError ?? "";
    assert.match(error, /The key service could not give key version 1 of tenant .*\(the key service failed\)/);
    assert.match(error, /none was counted as not opening/);
    assert.doesNotMatch(error, /did not open|npm run keys -- raw-events/, "not sent to delete rows");
    assert.ok((await rawRows(globex)).every((r) => r.key_version === 1), "no raw event was touched");
    assert.deepEqual(await keyStatus(globex), ["v1 retiring", "v2 active"]);

    await owner.query("update graphile_worker._private_jobs set run_at = now()");
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] })).outcomes, ["succeeded"]);
    assert.deepEqual(await keyStatus(globex), ["v1 retired", "v2 active"]);
    clearKeyCache();
    for (const r of await rawRows(globex)) {
      assert.equal(r.key_version, 2);
      assert.match(await openStoredRawEvent({ tenantId: globex, alertId: r.alert_id, keyVersion: 2 }, r.sealed), /RAW-PAYLOAD-/);
    }
  });

  test("nor does it count a webhook signing secret as one that does not open", async () => {
    const acme = env.fx.tenants.acme;
    await credential(acme);
    const key = await activeKeyFor(acme);
    const channelId = randomUUID();
    await owner.query(
      `insert into public.notification_channels (tenant_id, id, name, kind, url, secret_sealed, key_version, secret_hint)
       values ($1, $2, 'SOC chat', 'webhook', 'https://hooks.example.com/soc', $3, $4, 'abcd')`,
      [acme, channelId, sealChannelSecret(key.dek, { tenantId: acme, channelId, keyVersion: key.version }, "whsec_probe"), key.version],
    );
    let outcome;
    try {
      outcome = await rotateWhileKeyServiceFails(acme);
    } finally {
      await keyService.up();
    }
    assert.deepEqual(outcome.outcomes, ["retrying"]);
    assert.match(outcome.job.lastError ?? "", /the key service failed/);
    assert.doesNotMatch(outcome.job.lastError ?? "", /did not open|webhook signing secret/);
    await owner.query("update graphile_worker._private_jobs set run_at = now()");
    assert.deepEqual((await runJobsUntilIdle({ kinds: [ROTATE_DEK_KIND] })).outcomes, ["succeeded"], "the retry finishes");
    assert.deepEqual(await keyStatus(acme), ["v1 retired", "v2 active"]);
  });
});
