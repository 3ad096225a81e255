// The per-tenant collector end to end (lib/collector, scripts/collector.ts):
// the collector runs as its own process, asks the portal's API for acme's
// connector credentials with its API key (it has no database login), pulls from a local vendor stub
// (tests/helpers/vendor-stub.ts) and posts through the real API gateway over
// real HTTP with a real key. Real Postgres (RLS, the key's claims), real PDP.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { createApiKey, revokeApiKey } from "@/lib/api/keys/store";
import { tenantResource } from "@/lib/authz";
import { createCredential } from "@/lib/credentials";
import { createKeyAs } from "./helpers/api-keys";
import { startApiServer, startCollector, type ApiServer, type CollectorRun } from "./helpers/collector-env";
import { useFixtureEnv } from "./helpers/fixture-env";
import { genericAlerts, startVendorStub, threats, type VendorStub } from "./helpers/vendor-stub";

let api: ApiServer;
let stub: VendorStub;
const env = useFixtureEnv({
  beforeDrop: async () => {
    await api?.close();
    await stub?.close();
  },
});
let key: string;
let genericId: string;
let sentinelId: string;
// Planted markers: each secret is unmistakable, so a leak anywhere is found by a substring search.
const GENERIC_SECRET = `MARKERgeneric${randomBytes(12).toString("hex")}`;
const SENTINEL_TOKEN = `MARKERs1${randomBytes(24).toString("hex")}`;
const everyLine: string[] = [];

function collectorEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    // No database: a URL nothing listens at, so a collector that still reached for one would fail here
    // (it asks the API for its credentials; migration 20261201027600).
    DATABASE_URL: "postgres://nobody:nothing@127.0.0.1:9/none",
    // Nothing listens here: the collector needs no PDP of its own (the gateway asks it).
    CERBOS_URL: "http://127.0.0.1:9",
    NODE_ENV: "test",
    CONNECTOR_TEST_ENDPOINT: stub.url,
    COLLECTOR_API_URL: api.url,
    COLLECTOR_API_HOST: "acme.localhost",
    COLLECTOR_API_KEY: key,
    COLLECTOR_PAGE_SIZE: "3",
    COLLECTOR_BACKOFF_BASE_MS: "200",
    COLLECTOR_BACKOFF_MAX_MS: "2000",
    COLLECTOR_POLL_INTERVAL_MS: "60000",
    ...extra,
  };
}

async function run(args: string[], extra: Record<string, string> = {}): Promise<CollectorRun & { code: number | null }> {
  const r = startCollector(["--tenant", "acme", ...args], collectorEnv(extra));
  // A run that hangs fails its test with what it logged, instead of the whole file timing out.
  const timer = setTimeout(() => r.child.kill("SIGKILL"), 45_000);
  const { code } = await r.exited;
  clearTimeout(timer);
  if (code === null) throw new Error(`the collector hung:\n${r.lines.slice(-40).join("\n")}`);
  everyLine.push(...r.lines);
  return Object.assign(r, { code });
}

const count = async (source: string) =>
  Number((await env.owner<{ n: string }>("select count(*) as n from public.alerts where tenant_id = $1 and source = $2", [env.fx.tenants.acme, source]))[0].n);

env.before(async () => {
  api = await startApiServer();
  stub = await startVendorStub({ genericHeader: "X-Api-Key", genericValue: `Token ${GENERIC_SECRET}`, sentinelToken: SENTINEL_TOKEN });
  stub.generic.alerts.push(...genericAlerts(7));
  stub.sentinelone.threats.push(...threats(5));
  const made = await env.as("acmeAdmin", async (tx) => {
    const g = await createCredential(tx, {
      tenantId: env.fx.tenants.acme,
      connector: "generic_api_key",
      name: "Vendor feed",
      config: { baseUrl: "https://api.vendor.example/v2", headerName: "X-Api-Key", valuePrefix: "Token " },
      secret: GENERIC_SECRET,
    });
    const s = await createCredential(tx, {
      tenantId: env.fx.tenants.acme,
      connector: "sentinelone",
      name: "S1 EU",
      config: { consoleUrl: "https://acme-eu.sentinelone.net" },
      secret: SENTINEL_TOKEN,
    });
    // A kind the collector does not pull from: listed as skipped, never opened.
    await createCredential(tx, {
      tenantId: env.fx.tenants.acme,
      connector: "splunk_hec",
      name: "Forwarder",
      config: { hecUrl: "https://splunk.example.com:8088" },
      secret: "00000000-0000-4000-8000-000000000001",
    });
    return { g: g.id, s: s.id };
  });
  genericId = made.g;
  sentinelId = made.s;
  key = (await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:write", "collectors:write"])).key;
});

describe("pulling", () => {
  test("--once pulls every page of both connectors, the alerts land once with their raw payload, and the checkpoints are stored", async () => {
    const r = await run(["--once"]);
    assert.equal(r.code, 0, r.lines.slice(-20).join("\n"));
    assert.equal(await count("generic_api_key"), 7);
    assert.equal(await count("sentinelone"), 5);
    // 7 alerts at 3 a page: 3 pages, the first without a cursor, then c3 and c6.
    const pages = stub.requests.filter((q) => q.kind === "generic_api_key" && q.status === 200);
    assert.deepEqual(pages.map((q) => q.query.cursor ?? null), [null, "c3", "c6"]);
    assert.ok(stub.requests.every((q) => q.authorized), "every vendor request carried the right credential");
    // Usage metering: each applied checkpoint advance is one connector pull (lib/usage, connector_pulls).
    const [pulls] = await env.owner<{ n: number }>(
      "select coalesce(sum(quantity), 0)::int as n from public.usage_events where tenant_id = $1 and metric = 'connector_pulls'",
      [env.fx.tenants.acme],
    );
    assert.ok(pulls.n >= 2, `connector pulls metered: ${pulls.n}`);
    // Mapped fields and the sealed raw payload.
    const [g] = await env.owner<{ title: string; severity: string; hostname: string; external_id: string; raw: number }>(
      `select a.title, a.severity, a.hostname, a.external_id, (select count(*) from public.alert_raw_events r where r.tenant_id = a.tenant_id and r.alert_id = a.id)::int as raw
         from public.alerts a where a.tenant_id = $1 and a.source = 'generic_api_key' and a.external_id = 'g-1'`,
      [env.fx.tenants.acme],
    );
    assert.deepEqual(g, { title: "Generic alert 1", severity: "critical", hostname: "host-1", external_id: "g-1", raw: 1 });
    const [s] = await env.owner<{ title: string; severity: string; hostname: string }>(
      "select title, severity, hostname from public.alerts where tenant_id = $1 and source = 'sentinelone' and external_id = $2",
      [env.fx.tenants.acme, threats(1, 2)[0].id],
    );
    assert.deepEqual(s, { title: "evil-2.exe (Ransomware)", severity: "critical", hostname: "ws-2" });
    const cps = await env.owner<{ credential_id: string; cursor: string; alerts_sent: string }>(
      "select credential_id, cursor, alerts_sent from public.collector_checkpoints where tenant_id = $1 order by cursor",
      [env.fx.tenants.acme],
    );
    const byId = new Map(cps.map((c) => [c.credential_id, c]));
    assert.equal(byId.get(genericId)?.cursor, "c7");
    assert.equal(Number(byId.get(genericId)?.alerts_sent), 7);
    assert.equal(JSON.parse(byId.get(sentinelId)!.cursor).since, threats(1, 5)[0].threatInfo.createdAt);
    // The heartbeat: registered by name, a last pull, no error.
    const [c] = await env.owner<{ name: string; version: string; last_pull_at: Date | null; last_error: string | null }>(
      "select name, version, last_pull_at, last_error from public.collectors where tenant_id = $1",
      [env.fx.tenants.acme],
    );
    assert.equal(c.name, "collector-acme");
    assert.ok(c.last_pull_at, "last pull recorded");
    assert.equal(c.last_error, null);
    // The Splunk forwarder was skipped, and said so.
    const creds = r.events().find((e) => e.event === "collector.credentials")!;
    assert.equal(creds.open.length, 2);
    assert.deepEqual(creds.skipped.map((x: { connector: string }) => x.connector), ["splunk_hec"]);
    // Each opening is audited as the key, purpose collector.pull.
    const audits = await env.owner<{ n: string }>(
      "select count(*) as n from public.audit_log where tenant_id = $1 and action = 'credential.opened' and details ->> 'purpose' = 'collector.pull' and outcome = 'success'",
      [env.fx.tenants.acme],
    );
    assert.equal(Number(audits[0].n), 2);
  });

  test("a restart resumes from the stored checkpoint: nothing is sent twice, and only new alerts arrive", async () => {
    const before = stub.requests.length;
    const again = await run(["--once"]);
    assert.equal(again.code, 0);
    assert.equal(await count("generic_api_key"), 7, "no duplicates");
    assert.equal(await count("sentinelone"), 5, "no duplicates");
    const resumed = stub.requests.slice(before).filter((q) => q.kind === "generic_api_key");
    assert.deepEqual(resumed.map((q) => q.query.cursor), ["c7"], "resumed at the checkpoint, not from the start");
    const s1 = stub.requests.slice(before).filter((q) => q.kind === "sentinelone");
    assert.equal(s1[0].query.createdAt__gte, threats(1, 5)[0].threatInfo.createdAt);

    stub.generic.alerts.push(...genericAlerts(2, 8));
    stub.sentinelone.threats.push(...threats(1, 6));
    const third = await run(["--once"]);
    assert.equal(third.code, 0);
    assert.equal(await count("generic_api_key"), 9);
    assert.equal(await count("sentinelone"), 6);
    const [cp] = await env.owner<{ cursor: string; alerts_sent: string }>(
      "select cursor, alerts_sent from public.collector_checkpoints where tenant_id = $1 and credential_id = $2",
      [env.fx.tenants.acme, genericId],
    );
    assert.deepEqual([cp.cursor, Number(cp.alerts_sent)], ["c9", 9]);
  });

  test("a vendor 500 twice: exponential backoff with jitter, then it recovers and the alerts land", async () => {
    stub.generic.alerts.push(...genericAlerts(1, 10));
    stub.failNext("generic_api_key", 500, 500);
    const since = stub.requests.length;
    const r = await run(["--once"]);
    assert.equal(r.code, 0);
    assert.equal(await count("generic_api_key"), 10);
    const retries = r.events().filter((e) => e.event === "collector.vendor-retry");
    assert.deepEqual(retries.map((e) => [e.status, e.attempt]), [[500, 1], [500, 2]]);
    // base 200 ms: the first wait is 100-200 ms, the second 200-400 ms.
    assert.ok(retries[0].delay_ms >= 100 && retries[0].delay_ms <= 200, `first delay ${retries[0].delay_ms}`);
    assert.ok(retries[1].delay_ms >= 200 && retries[1].delay_ms <= 400, `second delay ${retries[1].delay_ms}`);
    const g = stub.requests.slice(since).filter((q) => q.kind === "generic_api_key");
    assert.deepEqual(g.map((q) => q.status), [500, 500, 200]);
    assert.ok(g[1].at - g[0].at >= 100 && g[2].at - g[1].at >= 200, "the stub saw the waits");
    // The heartbeat carried the error while it lasted, and the recovery cleared it.
    const [c] = await env.owner<{ last_error: string | null }>("select last_error from public.collectors where tenant_id = $1", [env.fx.tenants.acme]);
    assert.equal(c.last_error, null);
  });

  test("a vendor that keeps failing: the connector gives up for this cycle, the other carries on, the heartbeat says why", async () => {
    stub.sentinelone.threats.push(...threats(1, 7));
    stub.failNext("generic_api_key", 503, 503, 503);
    const r = await run(["--once"], { COLLECTOR_VENDOR_RETRIES: "3" });
    assert.equal(r.code, 0);
    assert.equal(await count("sentinelone"), 7, "the other connector was pulled");
    assert.ok(r.events().some((e) => e.event === "collector.vendor-failed" && e.attempts === 3));
    const [c] = await env.owner<{ last_error: string | null }>("select last_error from public.collectors where tenant_id = $1", [env.fx.tenants.acme]);
    assert.match(c.last_error ?? "", /Vendor feed \(generic_api_key\): api\.vendor\.example answered 503/);
  });
});

describe("the boundary instant", () => {
  test("threats at the checkpoint's createdAt are not sent again, and alerts_sent counts each threat once", async () => {
    // Two threats share one instant, then four share the next: more than a page (3), so the
    // vendor's cursor is kept across them.
    const [t8, t9] = [Date.UTC(2026, 10, 2, 9, 0, 0), Date.UTC(2026, 10, 2, 9, 0, 1)].map((ms) => new Date(ms).toISOString());
    const batch = threats(6, 8).map((t, i) => ({ ...t, threatInfo: { ...t.threatInfo, createdAt: i < 2 ? t8 : t9 } }));
    stub.sentinelone.threats.push(...batch);
    const first = await run(["--once"]);
    assert.equal(first.code, 0, first.lines.slice(-10).join("\n"));
    assert.equal(await count("sentinelone"), 13, "each new threat arrives once");

    const posts = api.seen.filter((q) => q.method === "POST" && q.path === "/api/v1/alerts").length;
    const again = await run(["--once"]);
    assert.equal(again.code, 0);
    const pages = again.events().filter((e) => e.event === "collector.page" && e.credential_id === sentinelId);
    assert.ok(pages.length > 0, "sentinelone was pulled");
    assert.deepEqual(pages.map((e) => e.pulled), pages.map(() => 0), "nothing at the boundary instant was sent again");
    assert.equal(api.seen.filter((q) => q.method === "POST" && q.path === "/api/v1/alerts").length, posts, "no ingest call (no quota spent)");

    // "Alerts sent" (the checkpoints' alerts_sent, summed by the status card) is what was created, not re-sends.
    const [cp] = await env.owner<{ alerts_sent: string }>("select alerts_sent from public.collector_checkpoints where tenant_id = $1 and credential_id = $2", [
      env.fx.tenants.acme,
      sentinelId,
    ]);
    assert.equal(Number(cp.alerts_sent), await count("sentinelone"));
  });

  test("a page re-sent after a crash (checkpoint behind the alerts) is answered duplicate and not counted in alerts_sent again", async () => {
    const sentOf = async () =>
      Number((await env.owner<{ n: string }>("select alerts_sent as n from public.collector_checkpoints where tenant_id = $1 and credential_id = $2", [env.fx.tenants.acme, genericId]))[0].n);
    const before = await sentOf();
    assert.equal(before, await count("generic_api_key"));
    // As if the collector died after its batch and before its checkpoint: the cursor is three pages back.
    await env.owner("update public.collector_checkpoints set cursor = 'c1' where tenant_id = $1 and credential_id = $2", [env.fx.tenants.acme, genericId]);
    const r = await run(["--once"]);
    assert.equal(r.code, 0);
    const pages = r.events().filter((e) => e.event === "collector.page" && e.credential_id === genericId);
    assert.ok(pages.reduce((n, e) => n + e.duplicates, 0) > 0, "the vendor's items came again, as duplicates");
    assert.equal(await sentOf(), before, "nothing counted twice");
  });
});

describe("the portal's limits", () => {
  test("an API 429 is waited out for at least its Retry-After, and nothing is lost", async () => {
    // 30 requests a minute for acme's keys: a token every 2 s once the bucket is empty.
    await env.owner(
      `insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.api_key_requests_per_minute', '30')
       on conflict (tenant_id, key) do update set value = excluded.value`,
      [env.fx.tenants.acme],
    );
    try {
      stub.generic.alerts.push(...genericAlerts(30, 11));
      const r = await run(["--once"], { COLLECTOR_BATCH_SIZE: "1", COLLECTOR_PAGE_SIZE: "10" });
      assert.equal(r.code, 0, r.lines.slice(-10).join("\n"));
      assert.equal(await count("generic_api_key"), 40);
      const limited = r.events().filter((e) => e.event === "collector.api-retry" && e.status === 429);
      assert.ok(limited.length > 0, "the collector met the rate limit");
      for (const e of limited) {
        assert.ok(e.retry_after_ms >= 1000, `Retry-After read (${e.retry_after_ms} ms)`);
        assert.ok(e.delay_ms >= e.retry_after_ms, `waited ${e.delay_ms} ms, at least the Retry-After`);
      }
      assert.ok(api.seen.some((s) => s.status === 429));
    } finally {
      await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'limits.api_key_requests_per_minute'", [env.fx.tenants.acme]);
    }
  });
});

describe("secrets and keys", () => {
  test("a vendor that quotes the secret back in its 401: the error reaches the logs and the heartbeat without it", async () => {
    stub.generic.value = "Token something-else-entirely";
    try {
      const r = await run(["--once"]);
      assert.equal(r.code, 0);
      assert.ok(r.events().some((e) => e.event === "collector.vendor-refused" && e.status === 401));
      const [c] = await env.owner<{ last_error: string }>("select last_error from public.collectors where tenant_id = $1", [env.fx.tenants.acme]);
      assert.match(c.last_error, /answered 401; the credential was refused/);
      assert.ok(!c.last_error.includes(GENERIC_SECRET));
    } finally {
      stub.generic.value = `Token ${GENERIC_SECRET}`;
    }
  });

  test("the planted secrets and the API key appear in no log line, heartbeat, audit row or checkpoint", async () => {
    // A floor, not a count: proves the runs above logged (their number varies with retries and timing).
    assert.ok(everyLine.length > 20, `the runs logged (${everyLine.length} lines)`);
    for (const line of everyLine) {
      for (const secret of [GENERIC_SECRET, SENTINEL_TOKEN, key, key.split("_").pop()!]) {
        assert.ok(!line.includes(secret), `a log line holds a secret: ${line.slice(0, 200)}`);
      }
    }
    const dump = JSON.stringify([
      await env.owner("select * from public.collectors"),
      await env.owner("select * from public.collector_checkpoints"),
      await env.owner("select details from public.audit_log where tenant_id = $1", [env.fx.tenants.acme]),
    ]);
    for (const secret of [GENERIC_SECRET, SENTINEL_TOKEN, key]) assert.ok(!dump.includes(secret), "a stored row holds a secret");
    assert.ok(!dump.includes("MARKER"));
  });

  test("a disabled connector kind is not opened; a revoked key stops the collector with exit code 3", async () => {
    await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'integrations.sentinelone', 'false')", [env.fx.tenants.acme]);
    const before = stub.requests.filter((q) => q.kind === "sentinelone").length;
    const r = await run(["--once"]);
    assert.equal(r.code, 0);
    const creds = r.events().find((e) => e.event === "collector.credentials")!;
    assert.deepEqual(creds.open.map((c: { connector: string }) => c.connector), ["generic_api_key"]);
    assert.ok(creds.skipped.some((s: { connector: string; reason: string }) => s.connector === "sentinelone" && /disabled by configuration/.test(s.reason)));
    assert.equal(stub.requests.filter((q) => q.kind === "sentinelone").length, before);

    const k = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:write", "collectors:write"]);
    await env.as("acmeAdmin", (tx) => revokeApiKey(tx, { tenantId: env.fx.tenants.acme, keyId: k.id }));
    const refused = await run(["--once"], { COLLECTOR_API_KEY: k.key });
    assert.equal(refused.code, 3, refused.lines.slice(-5).join("\n"));
    assert.ok(refused.events().some((e) => e.event === "collector.refused"));

    // A key without collectors:write is refused (by the gateway's scope and PDP check) before any credential is opened.
    const weak = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:write"]);
    const audits = async () => Number((await env.owner<{ n: string }>("select count(*) as n from public.audit_log where action = 'credential.opened'"))[0].n);
    const opened = await audits();
    const noScope = await run(["--once"], { COLLECTOR_API_KEY: weak.key });
    assert.equal(noScope.code, 3);
    assert.equal(await audits(), opened, "nothing opened");
  });

  test("another tenant's key cannot open acme's credentials", async () => {
    const globexKey = await env.as("globexAdmin", async (tx) => {
      const tenant = (await tenantResource(tx.db, env.fx.tenants.globex))!;
      return createApiKey(tx, { tenant, name: "globex collector", scopes: ["alerts:write", "collectors:write"], expiresInDays: 30 });
    });
    const r = await run(["--once"], { COLLECTOR_API_KEY: globexKey.key });
    assert.equal(r.code, 3);
    assert.ok(r.events().some((e) => e.event === "collector.refused" && /another tenant/.test(e.reason)));
  });
});

describe("stopping", () => {
  test("SIGTERM while it waits for the next poll: it stops at once with exit code 0", async () => {
    const r = startCollector(["--tenant", "acme"], collectorEnv());
    await r.waitFor((e) => e.event === "collector.cycle", 60_000);
    const sent = Date.now();
    r.child.kill("SIGTERM");
    const { code } = await r.exited;
    everyLine.push(...r.lines);
    assert.equal(code, 0, r.lines.slice(-10).join("\n"));
    assert.ok(Date.now() - sent < 5_000, "stopped without waiting out the 60 s poll interval");
    assert.ok(r.events().some((e) => e.event === "collector.stopped"));
  });
});
