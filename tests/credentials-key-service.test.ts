// A credential that cannot be opened because the key service fails is not a broken
// credential (lib/credentials/use.ts, lib/collector/open-credentials.ts), on a real
// Postgres, the real PDP, the real API gateway and the collector as its own process.
// The key service fails for real: the compat Vault's root key is swapped
// (tests/helpers/key-service.ts), so keyring.unwrap_dek (and api.unwrap_own_dek, the
// collector's) cannot unwrap the tenant's DEK this time. Then:
//   - the use path refuses with reason "key_service": the message says the key service
//     is failing and to try again, never "replace the secret"; credential.opened is
//     audited as a failure with reason key_service (a key gone for good: key_gone);
//   - saving a credential is refused saying the key service is failing, nothing saved;
//   - "Test connection" says "Not tested" and to try again (retry), not "Connection
//     failed", and its test-result audit row says key_service;
//   - the collector's credentials call lists it as skipped with retry: true (audited
//     key_service); the collector says so in its heartbeat and asks again on the next
//     cycle, so it pulls as soon as the key service answers instead of after its
//     10-minute refresh.
import "./helpers/actions";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { TestResult } from "@/components/credentials/credentials-panel";
import { testCredentialConnection } from "@/lib/actions/credentials/test-credential-connection";
import type { ActionResult } from "@/lib/actions/result";
import { apiHandler } from "@/lib/api/gateway";
import { API_ROUTES } from "@/lib/api/routes";
import { createCredential, CredentialError, CredentialUnusableError, useCredential } from "@/lib/credentials";
import { testConnection } from "@/lib/credentials/test-connection";
import { destroyTenantKeys } from "@/lib/vault/keys";
import { callAction } from "./helpers/actions";
import { createKeyAs } from "./helpers/api-keys";
import { startApiServer, startCollector, type ApiServer, type CollectorRun } from "./helpers/collector-env";
import { useFixtureEnv } from "./helpers/fixture-env";
import { keyServiceSwitch } from "./helpers/key-service";
import { genericAlerts, startVendorStub, type VendorStub } from "./helpers/vendor-stub";

let api: ApiServer | undefined;
let stub: VendorStub | undefined;
let collector: CollectorRun | undefined;
const env = useFixtureEnv({
  beforeDrop: async () => {
    collector?.child.kill("SIGKILL");
    await api?.close();
    await stub?.close();
  },
});
const keyService = keyServiceSwitch(() => env.db.url);

const SECRET = `MARKERks${randomBytes(12).toString("hex")}`;
const CONFIG = { baseUrl: "https://api.vendor.example/v2", headerName: "X-Api-Key", valuePrefix: "Token " };
let credentialId = "";

env.before(async () => {
  credentialId = (
    await env.as("acmeAdmin", (tx) => createCredential(tx, { tenantId: env.fx.tenants.acme, connector: "generic_api_key", name: "Vendor feed", config: CONFIG, secret: SECRET }))
  ).id;
});

const openedAudit = (id: string) =>
  env.owner<{ outcome: string; reason: string | null; purpose: string }>(
    `select outcome, details ->> 'reason' as reason, details ->> 'purpose' as purpose from public.audit_log
      where action = 'credential.opened' and target_id = $1 order by seq`,
    [id],
  );

describe("the use path and Test connection while the key service fails", () => {
  test("refused with reason key_service, saying to try again (not to replace the secret), audited as key_service", async () => {
    const tenantId = env.fx.tenants.acme;
    await keyService.down();
    try {
      await assert.rejects(
        env.as("acmeAdmin", (tx) => useCredential(tx, { tenantId, credentialId, purpose: "connector-sync" }, async (s) => s)),
        (e: unknown) => {
          assert.ok(e instanceof CredentialUnusableError, String(e));
          assert.equal(e.reason, "key_service");
          assert.match(e.message, /key service .* is unavailable or failing/);
          assert.match(e.message, /Try again in a few minutes/);
          assert.doesNotMatch(e.message, /Replace the secret|no longer available|integrity/);
          return true;
        },
      );
      // Test connection reports it as a result (its audit row commits): not tested, try again.
      const result = await env.as("acmeAdmin", (tx) => testConnection(tx, { tenantId, credentialId }));
      assert.equal(result.ok, false);
      assert.equal(result.retry, true);
      assert.match(result.message, /key service/);
    } finally {
      await keyService.up();
    }
    assert.deepEqual(
      (await openedAudit(credentialId)).map((a) => [a.outcome, a.reason, a.purpose]),
      [["failure", "key_service", "connection-test"]],
      "the refused use rolled back with its transaction; the connection test's failure is kept, reason key_service",
    );
    // Back: it opens.
    assert.equal(await env.as("acmeAdmin", (tx) => useCredential(tx, { tenantId, credentialId, purpose: "connector-sync" }, async (s) => s === SECRET)), true);
  });

  test("the Test connection action: 'Not tested' and to try again on the page, test-result audited as key_service", async () => {
    const tenantId = env.fx.tenants.acme;
    const since = (await env.owner<{ seq: string }>("select coalesce(max(seq), 0) as seq from public.audit_log where tenant_id = $1", [tenantId]))[0].seq;
    await keyService.down();
    let state: ActionResult<{ ok: boolean; message: string; retry?: boolean }>;
    try {
      state = (await callAction(testCredentialConnection, { person: env.person("acmeAdmin"), host: "acme.localhost:3000" }, { tenantId, credentialId })) as typeof state;
    } finally {
      await keyService.up();
    }
    assert.ok(state.ok, JSON.stringify(state));
    assert.equal(state.data.ok, false);
    assert.equal(state.data.retry, true);
    const html = renderToStaticMarkup(createElement(TestResult, { state }));
    assert.match(html, /Not tested\./);
    assert.match(html, /data-retry="true"/);
    assert.match(html, /key service/);
    assert.doesNotMatch(html, /Connection failed|Replace the secret/);
    const rows = await env.owner<{ action: string; outcome: string; reason: string | null }>(
      "select action, outcome, details ->> 'reason' as reason from public.audit_log where tenant_id = $1 and seq > $2 and target_id = $3 order by seq",
      [tenantId, since, credentialId],
    );
    assert.deepEqual(
      rows.map((r) => [r.action, r.outcome, r.reason]),
      [
        ["credential.opened", "failure", "key_service"],
        ["credential.tested", "success", null],
        ["credential.test-result", "failure", "key_service"],
      ],
    );
  });

  test("saving a credential while it fails: nothing saved, and the refusal says the key service is failing and to try again", async () => {
    const tenantId = env.fx.tenants.acme;
    await keyService.down();
    try {
      await assert.rejects(
        env.as("acmeAdmin", (tx) => createCredential(tx, { tenantId, connector: "generic_api_key", name: "While down", config: CONFIG, secret: SECRET })),
        (e: unknown) => e instanceof CredentialError && /key service .* unavailable or failing just now; nothing was saved\. Try again/.test(e.message) && !/rotated out or destroyed/.test(e.message),
      );
    } finally {
      await keyService.up();
    }
    assert.equal((await env.owner("select 1 from public.credentials where tenant_id = $1 and name = 'While down'", [tenantId])).length, 0);
  });

  test("control: a key gone for good is still key_gone, and says to replace the secret", async () => {
    const tenantId = env.fx.tenants["acme-us"];
    const made = await env.as("acmeAdmin", (tx) => createCredential(tx, { tenantId, connector: "generic_api_key", name: "Shredded", config: CONFIG, secret: SECRET }));
    await destroyTenantKeys(tenantId);
    await assert.rejects(
      env.as("acmeAdmin", (tx) => useCredential(tx, { tenantId, credentialId: made.id, purpose: "connector-sync" }, async (s) => s)),
      (e: unknown) => e instanceof CredentialUnusableError && e.reason === "key_gone" && /no longer available\. Replace the secret/.test(e.message),
    );
    const result = await env.as("acmeAdmin", (tx) => testConnection(tx, { tenantId, credentialId: made.id }));
    assert.equal(result.ok, false);
    assert.equal(result.retry, undefined);
    assert.match(result.message, /Replace the secret/);
    assert.deepEqual((await openedAudit(made.id)).map((a) => [a.outcome, a.reason]), [["failure", "key_gone"]]);
  });
});

describe("the collector while the key service fails", () => {
  const handler = apiHandler(API_ROUTES);
  const open = (key: string) =>
    handler(
      new Request("http://acme.localhost:3000/api/v1/collectors/ks-probe/credentials", {
        method: "POST",
        headers: { host: "acme.localhost:3000", authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: "{}",
      }),
    );
  type Body = { credentials: { id: string; secret: string }[]; skipped: { id: string; reason: string; retry?: boolean }[] };

  test("the credentials call lists it as skipped with retry (audited key_service), and opens it again once the key service answers", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:write", "collectors:write"]);
    await keyService.down();
    let res: Response;
    try {
      res = await open(key.key);
    } finally {
      await keyService.up();
    }
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes(SECRET));
    const body = JSON.parse(text) as Body;
    assert.deepEqual(body.credentials, []);
    const skipped = body.skipped.find((s) => s.id === credentialId);
    assert.equal(skipped?.retry, true);
    assert.match(skipped?.reason ?? "", /key service .* unavailable or failing/);
    assert.doesNotMatch(skipped?.reason ?? "", /replace the secret|gone/);
    const audited = await env.owner<{ outcome: string; reason: string | null; collector: string }>(
      `select outcome, details ->> 'reason' as reason, details ->> 'collector' as collector from public.audit_log
        where action = 'credential.opened' and target_id = $1 and details ->> 'purpose' = 'collector.pull' order by seq`,
      [credentialId],
    );
    assert.deepEqual(audited.map((a) => [a.outcome, a.reason, a.collector]), [["failure", "key_service", "ks-probe"]]);

    const back = (await (await open(key.key)).json()) as Body;
    assert.equal(back.credentials.find((c) => c.id === credentialId)?.secret, SECRET);
    assert.ok(!back.skipped.some((s) => s.id === credentialId));
  });

  test("the collector says so in its heartbeat and retries on the next cycle, pulling as soon as the key service answers", async () => {
    api = await startApiServer();
    stub = await startVendorStub({ genericHeader: "X-Api-Key", genericValue: `Token ${SECRET}`, sentinelToken: "unused" });
    stub.generic.alerts.push(...genericAlerts(3));
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:write", "collectors:write"]);
    const alerts = async () =>
      Number((await env.owner<{ n: string }>("select count(*) as n from public.alerts where tenant_id = $1 and source = 'generic_api_key'", [env.fx.tenants.acme]))[0].n);
    const heartbeatError = async () =>
      (await env.owner<{ last_error: string | null }>("select last_error from public.collectors where tenant_id = $1 and name = 'ks-collector'", [env.fx.tenants.acme]))[0]?.last_error ?? null;

    await keyService.down();
    try {
      collector = startCollector(["--tenant", "acme", "--name", "ks-collector"], {
        DATABASE_URL: "postgres://nobody:nothing@127.0.0.1:9/none",
        CERBOS_URL: "http://127.0.0.1:9",
        NODE_ENV: "test",
        CONNECTOR_TEST_ENDPOINT: stub.url,
        COLLECTOR_API_URL: api.url,
        COLLECTOR_API_HOST: "acme.localhost",
        COLLECTOR_API_KEY: key.key,
        COLLECTOR_POLL_INTERVAL_MS: "200",
        COLLECTOR_BACKOFF_BASE_MS: "100",
        COLLECTOR_BACKOFF_MAX_MS: "500",
        // The default: without the retry it would not ask again for 10 minutes.
        COLLECTOR_CREDENTIAL_REFRESH_MS: "600000",
      });
      await collector.waitFor((e) => e.event === "collector.cycle");
      const creds = collector.events().find((e) => e.event === "collector.credentials")!;
      assert.deepEqual(creds.open, []);
      assert.deepEqual(
        creds.skipped.map((s: { id: string; retry?: boolean }) => [s.id, s.retry]),
        [[credentialId, true]],
      );
      const error = await heartbeatError();
      assert.match(error ?? "", /Vendor feed \(generic_api_key\): not opened this time: the key service .* unavailable or failing/, "the status card says what is wrong");
      assert.doesNotMatch(error ?? "", /replace the secret/);
      assert.equal(await alerts(), 0);
    } finally {
      await keyService.up();
    }
    // The next cycle asks again and pulls.
    const deadline = Date.now() + 20_000;
    while ((await alerts()) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await alerts(), 3, `pulled once the key service answered:\n${collector.lines.slice(-15).join("\n")}`);
    await collector.waitFor((e) => e.event === "collector.cycle" && e.errors === 0);
    assert.equal(await heartbeatError(), null, "the recovery cleared the error");
    collector.child.kill("SIGTERM");
    await collector.exited;
    collector = undefined;
  });
});
