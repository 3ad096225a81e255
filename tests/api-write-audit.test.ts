// The API's successful writes in the audit trail (lib/api/endpoints/audit.ts),
// called the way Next calls the route handler, on a real Postgres (RLS, the
// key's claims, audit.record) and the real PDP: one row per request that
// changed something (never one per item), the key as its actor, the gateway's
// request id, counts and at most 50 ids; nothing for a request that changed
// nothing (a resent batch, a routine heartbeat, a replayed checkpoint).
// And POST /assets under concurrency: the same new external id sent by
// several requests at once is created once, and every request succeeds.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiHandler } from "@/lib/api/gateway";
import { parseKey } from "@/lib/api/keys/format";
import { API_ROUTES } from "@/lib/api/routes";
import { insertKey } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";

const env = useFixtureEnv();
const handler = apiHandler(API_ROUTES);

function post(key: string, path: string, body: unknown) {
  const host = "acme.localhost:3000";
  return handler(
    new Request(`http://${host}/api/v1${path}`, {
      method: "POST",
      headers: { host, authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
}

type Row = { action: string; actor_id: string | null; outcome: string; target_type: string | null; target_id: string | null; request_id: string | null; details: Record<string, unknown> };
async function rowsOf(action: string): Promise<Row[]> {
  return env.owner<Row>(
    "select action, actor_id, outcome, target_type, target_id, request_id, details from public.audit_log where tenant_id = $1 and action = $2 order by seq",
    [env.fx.tenants.acme, action],
  );
}

async function ok(res: Response) {
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return { body: JSON.parse(text) as Record<string, unknown>, requestId: res.headers.get("x-request-id") };
}

describe("successful API writes are audited, one row per request", () => {
  test("POST /alerts: one api.alerts.ingested row with counts and the first 50 ids; a resent batch writes none", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme", ["alerts:write"]);
    const keyId = parseKey(key)!.id;
    const alerts = Array.from({ length: 60 }, (_, i) => ({ external_id: `audit-${i}`, source: "edr", title: `alert ${i}`, severity: "high" }));
    const { body, requestId } = await ok(await post(key, "/alerts", { alerts }));
    const created = (body.results as { status: string; id: string }[]).map((r) => r.id);
    let rows = await rowsOf("api.alerts.ingested");
    assert.equal(rows.length, 1, "one row for 60 alerts");
    const [row] = rows;
    assert.equal(row.actor_id, keyId, "the key is the actor");
    assert.equal(row.outcome, "success");
    assert.equal(row.request_id, requestId, "the answer's x-request-id");
    assert.equal(row.target_type, "alerts");
    assert.equal(row.target_id, "60");
    assert.equal(row.details.created, 60);
    assert.equal(row.details.duplicates, 0);
    assert.equal(row.details.via, "api");
    assert.deepEqual(row.details.alert_ids, created.slice(0, 50));
    assert.equal(row.details.alert_ids_omitted, 10);

    await ok(await post(key, "/alerts", { alerts }));
    rows = await rowsOf("api.alerts.ingested");
    assert.equal(rows.length, 1, "all duplicates: nothing written, no row");
  });

  test("POST /assets: one api.assets.upserted row naming created, updated and adopted assets", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme", ["assets:write"]);
    const keyId = parseKey(key)!.id;
    // A portal-made asset (no external id) that a batch adopts by its host name.
    const [{ id: portalMade }] = await env.owner<{ id: string }>(
      "insert into public.assets (tenant_id, hostname, os, kind, criticality) values ($1, 'audit-adopted', 'linux', 'server', 'low') returning id::text",
      [env.fx.tenants.acme],
    );
    const first = await ok(await post(key, "/assets", { assets: [{ external_id: "aud-a1", hostname: "audit-new-1" }] }));
    const newId = (first.body.results as { id: string }[])[0].id;
    const second = await ok(
      await post(key, "/assets", {
        assets: [
          { external_id: "aud-a1", hostname: "audit-new-1", criticality: "critical", owner_email: "someone@acme.test" },
          { external_id: "aud-a2", hostname: "audit-adopted", criticality: "critical" },
          { external_id: "aud-a3", hostname: "audit-new-3" },
        ],
      }),
    );
    const rows = await rowsOf("api.assets.upserted");
    assert.equal(rows.length, 2, "one row per request");
    const row = rows[1];
    assert.equal(row.actor_id, keyId);
    assert.equal(row.request_id, second.requestId);
    assert.equal(row.target_type, "assets");
    assert.equal(row.target_id, "3");
    assert.equal(row.details.created, 1);
    assert.equal(row.details.updated, 2);
    assert.equal(row.details.adopted, 1);
    assert.deepEqual(row.details.adopted_ids, [portalMade]);
    assert.deepEqual(new Set(row.details.updated_ids as string[]), new Set([newId, portalMade]));
    assert.equal((row.details.created_ids as string[]).length, 1);
  });

  test("POST /collectors/heartbeat: audited when it creates the collector or changes its version or last error, not otherwise", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme", ["collectors:write"]);
    const keyId = parseKey(key)!.id;
    const beat = (b: Record<string, unknown>) => post(key, "/collectors/heartbeat", { name: "audit-collector", ...b });
    await ok(await beat({ version: "1.0.0" }));
    await ok(await beat({ version: "1.0.0" }));
    await ok(await beat({}));
    assert.equal((await rowsOf("collector.heartbeat")).length, 1, "created once; routine heartbeats are not audited");
    await ok(await beat({ last_error: "vendor said 500" }));
    await ok(await beat({ last_error: "vendor said 500" }));
    const cleared = await ok(await beat({ last_error: null }));
    await ok(await beat({ version: "1.1.0" }));
    const rows = await rowsOf("collector.heartbeat");
    assert.equal(rows.length, 4, rows.map((r) => JSON.stringify(r.details)).join("\n"));
    assert.ok(rows.every((r) => r.actor_id === keyId && r.target_type === "collector" && r.target_id === cleared.body.id));
    assert.deepEqual(rows[0].details.version, { from: null, to: "1.0.0" });
    assert.deepEqual(rows[1].details.last_error, { from: null, to: "vendor said 500" });
    assert.deepEqual(rows[2].details.last_error, { from: "vendor said 500", to: null });
    assert.equal(rows[2].details.error_cleared, true);
    assert.equal(rows[2].request_id, cleared.requestId);
    assert.deepEqual(rows[3].details.version, { from: "1.0.0", to: "1.1.0" });
  });

  test("POST /collectors/{name}/checkpoints: an applied advance is audited on its credential; a replay is not", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme", ["collectors:write"]);
    const [{ id: credentialId }] = await env.owner<{ id: string }>(
      `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
       values ($1, gen_random_uuid(), 'generic_api_key', 'audit feed', decode(repeat('cd', 40), 'hex'), 1, 'wxyz') returning id::text`,
      [env.fx.tenants.acme],
    );
    await ok(await post(key, "/collectors/heartbeat", { name: "audit-puller" }));
    const step = { credential_id: credentialId, previous_cursor: null, cursor: "p1", sent: 7 };
    const applied = await ok(await post(key, "/collectors/audit-puller/checkpoints", step));
    const replay = await ok(await post(key, "/collectors/audit-puller/checkpoints", step));
    assert.equal(replay.body.replayed, true);
    await ok(await post(key, "/collectors/audit-puller/checkpoints", { ...step, previous_cursor: "p1", cursor: "p2", sent: 3 }));
    const rows = await rowsOf("collector.checkpoint.advanced");
    assert.equal(rows.length, 2, "two applied advances, the replay not audited");
    assert.equal(rows[0].target_type, "credential");
    assert.equal(rows[0].target_id, credentialId);
    assert.equal(rows[0].request_id, applied.requestId);
    assert.equal(rows[0].details.collector, "audit-puller");
    assert.equal(rows[0].details.sent, 7);
    assert.equal(rows[1].details.alerts_sent, 10);
    assert.ok(!JSON.stringify(rows).includes('"p1"'), "the vendor's cursors are not copied into the trail");
  });
});

describe("POST /assets under concurrency", () => {
  test("the same new external id from several requests at once: every request 200, one asset", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme", ["assets:write"]);
    for (let round = 0; round < 3; round++) {
      const asset = { external_id: `race-${round}`, hostname: `race-host-${round}`, criticality: "high" };
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(key, "/assets", { assets: [asset] })));
      const statuses = await Promise.all(answers.map(async (r) => `${r.status} ${r.status === 200 ? "" : await r.text()}`));
      assert.deepEqual(statuses.map((s) => s.slice(0, 3)), Array(6).fill("200"), statuses.join("\n"));
      const [{ n }] = await env.owner<{ n: number }>("select count(*)::int as n from public.assets where tenant_id = $1 and external_id = $2", [
        env.fx.tenants.acme,
        asset.external_id,
      ]);
      assert.equal(n, 1);
    }
  });
});
