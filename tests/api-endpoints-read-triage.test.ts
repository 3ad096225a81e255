// GET /alerts, PATCH /alerts/{id}, POST+GET /assets and POST
// /collectors/heartbeat (lib/api/endpoints) on a real Postgres under RLS:
//   - the list's filters; keyset paging that is stable while alerts are
//     ingested between pages (no row repeated, none of the rows that existed
//     skipped), including rows whose detected_at differ by microseconds;
//   - triage through the API follows the page's rules: the workflow's steps
//     (409 otherwise), a reason to close (422 without), the assignee rule,
//     features.alert_triage, 404 for another tenant's alert; and leaves the
//     same timeline and audit rows;
//   - assets upsert by external id (create, update keeping unsent fields,
//     adopt a portal-made asset by host name, reject a host name owned by
//     another external id) and page by host name;
//   - collector heartbeats upsert by name and clear the error on null.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  getAlertEndpoint,
  heartbeatEndpoint,
  ingestAlertsEndpoint,
  listAlertsEndpoint,
  listAssetsEndpoint,
  patchAlertEndpoint,
  upsertAssetsEndpoint,
} from "@/lib/api/endpoints";
import { call, refused } from "./helpers/api-endpoint-call";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const ingest = async (slug: "acme" | "globex", items: Record<string, unknown>[]) => {
  const r = await call(fx, slug === "acme" ? "acmeAnalyst" : "globexAdmin", slug, ingestAlertsEndpoint, { body: { alerts: items } });
  return r.body.results.map((x: { id: string }) => x.id) as string[];
};

describe("GET /alerts", () => {
  test("filters by status, severity, source, time and text", async () => {
    await ingest("globex", [
      { external_id: "f-1", source: "suricata", title: "ET exploit kit landing", severity: "critical", detected_at: "2026-11-20T10:00:00Z" },
      { external_id: "f-2", source: "suricata", title: "Port scan", severity: "low", detected_at: "2026-11-21T10:00:00Z" },
      { external_id: "f-3", source: "defender", title: "Mimikatz credential dumping", severity: "critical", detected_at: "2026-11-22T10:00:00Z" },
    ]);
    const titles = async (query: Record<string, string>) =>
      (await call(fx, "globexAdmin", "globex", listAlertsEndpoint, { query })).body.data.map((a: { title: string }) => a.title);
    assert.deepEqual(await titles({ source: "suricata" }), ["Port scan", "ET exploit kit landing"]);
    assert.deepEqual(await titles({ severity: "critical", since: "2026-11-01T00:00:00Z", until: "2026-11-30T00:00:00Z" }), [
      "Mimikatz credential dumping",
      "ET exploit kit landing",
    ]);
    assert.deepEqual(await titles({ q: "mimikatz", status: "new,acknowledged" }), ["Mimikatz credential dumping"]);
    assert.deepEqual(await titles({ status: "resolved" }), []);
    for (const query of [{ status: "bogus" }, { limit: "201" }, { limit: "0" }, { tenant_id: fx.tenants.acme }, { cursor: "not*a*cursor" }]) {
      const p = await refused(fx, "globexAdmin", "globex", listAlertsEndpoint, { query });
      assert.equal(p.status, 422, JSON.stringify(query));
    }
    const forged = Buffer.from(JSON.stringify(["yesterday", "x"])).toString("base64url");
    assert.equal((await refused(fx, "globexAdmin", "globex", listAlertsEndpoint, { query: { cursor: forged } })).status, 422);
    // A cursor whose zone Postgres cannot hold: the same 422, not a 500.
    const farZone = Buffer.from(JSON.stringify(["2026-01-01 00:00:00+99", "00000000-0000-4000-8000-000000000000"])).toString("base64url");
    assert.equal((await refused(fx, "globexAdmin", "globex", listAlertsEndpoint, { query: { cursor: farZone } })).status, 422);
  });

  test("paging is stable while alerts arrive between pages, down to microseconds", async () => {
    // 25 alerts in acme-us, five of them detected within the same millisecond.
    const base = Date.parse("2026-11-25T12:00:00Z");
    await withClient(db.url, (c) =>
      c.query(
        `insert into public.alerts (tenant_id, title, severity, source, detected_at)
         select $1, 'page ' || g, 'low', 'paging', $2::timestamptz - (g * interval '1 second') + (case when g <= 5 then g * interval '100 microseconds' else interval '0' end)
           from generate_series(1, 25) g`,
        [fx.tenants["acme-us"], new Date(base).toISOString()],
      ),
    );
    const existing = await withClient(db.url, async (c) =>
      (await c.query<{ id: string }>(`select id from public.alerts where tenant_id = $1 order by detected_at desc, id`, [fx.tenants["acme-us"]])).rows.map((r) => r.id),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const r = await call(fx, "acmeUsAdmin", "acme-us", listAlertsEndpoint, { query: { limit: "4", ...(cursor ? { cursor } : {}) } });
      seen.push(...r.body.data.map((a: { id: string }) => a.id));
      cursor = r.body.next_cursor ?? undefined;
      // Between pages: a newer alert, an older one and one in the middle of the range arrive.
      await call(fx, "acmeUsAdmin", "acme-us", ingestAlertsEndpoint, {
        body: {
          alerts: [
            { external_id: `new-${page}`, source: "paging", title: "arrived", severity: "low" },
            { external_id: `mid-${page}`, source: "paging", title: "arrived", severity: "low", detected_at: new Date(base - 12_500).toISOString() },
          ],
        },
      });
      page++;
    } while (cursor && page < 50);
    assert.equal(new Set(seen).size, seen.length, "no alert is returned twice");
    for (const id of existing) assert.ok(seen.includes(id), `alert ${id} that existed before paging began was returned`);
    const inOrder = existing.filter((id) => seen.includes(id));
    assert.deepEqual(seen.filter((id) => existing.includes(id)), inOrder, "pre-existing alerts come in the list's order");
  });
});

describe("PATCH /alerts/{id}", () => {
  test("follows the workflow: 409 for a step it does not allow, 422 without a reason to close, then the same timeline and audit rows as the page", async () => {
    const [id] = await ingest("acme", [{ external_id: "triage-1", source: "edr", title: "triage me", severity: "high" }]);
    const patch = (body: unknown) => call(fx, "acmeAnalyst", "acme", patchAlertEndpoint, { params: { id }, body });
    const problem = (body: unknown) => refused(fx, "acmeAnalyst", "acme", patchAlertEndpoint, { params: { id }, body });

    assert.equal((await problem({ status: "in_progress" })).status, 409, "new → in_progress is not a step");
    assert.equal((await problem({ status: "resolved" })).status, 422, "closing needs a reason");
    assert.equal((await problem({ status: "acknowledged", reason: "why not" })).status, 422, "a reason only goes with closing");
    assert.equal((await problem({})).status, 422);
    assert.equal((await problem({ status: "acknowledged", tenant_id: fx.tenants.globex })).status, 422);

    const ack = await patch({ status: "acknowledged", assignee_id: fx.users.acmeAnalyst });
    assert.equal(ack.body.status, "acknowledged");
    assert.equal(ack.body.assigned_to, fx.users.acmeAnalyst);
    assert.ok(ack.body.acknowledged_at);
    const closed = await patch({ status: "resolved", reason: "Benign admin script" });
    assert.equal(closed.body.status, "resolved");
    assert.equal(closed.body.close_reason, "Benign admin script");
    assert.equal((await problem({ status: "acknowledged" })).status, 409, "resolved → acknowledged is not a step");

    const { events, audit } = await withClient(db.url, async (c) => ({
      events: (await c.query(`select kind, from_status, to_status, body, actor_id from public.alert_events where tenant_id = $1 and alert_id = $2 order by created_at, id`, [fx.tenants.acme, id])).rows,
      audit: (await c.query(`select action, outcome, details from public.audit_log where tenant_id = $1 and target_id = $2 order by seq`, [fx.tenants.acme, id])).rows,
    }));
    // One PATCH is one transaction: its two events share a timestamp, so compare them unordered.
    const rowsOf = (list: typeof events) => list.map((e) => JSON.stringify([e.kind, e.from_status, e.to_status, e.body])).sort();
    assert.deepEqual(rowsOf(events.slice(0, 2)), rowsOf([
      { kind: "status", from_status: "new", to_status: "acknowledged", body: null },
      { kind: "assignment", from_status: null, to_status: null, body: null },
    ] as typeof events));
    assert.deepEqual(rowsOf(events.slice(2)), rowsOf([{ kind: "status", from_status: "acknowledged", to_status: "resolved", body: "Benign admin script" }] as typeof events));
    // The caller is a key (call: the stand-in for acmeAnalyst), and a key is no person: no actor on the timeline.
    assert.ok(events.every((e) => e.actor_id === null), "the timeline names no person for a key");
    assert.deepEqual(audit.map((a) => a.action), ["alerts:acknowledge", "alerts:assign", "alerts:close"], "audited as the page's actions");
    assert.equal(audit[2].details.via, "api");
  });

  test("an assignee who may not work the tenant is a 422; unassigning works", async () => {
    const [id] = await ingest("acme", [{ external_id: "assign-1", source: "edr", title: "assign me", severity: "low" }]);
    const p = await refused(fx, "acmeAnalyst", "acme", patchAlertEndpoint, { params: { id }, body: { assignee_id: fx.users.globexAdmin } });
    assert.equal(p.status, 422);
    assert.equal(p.type, "invalid-input", "a typed problem, not about:blank");
    await call(fx, "acmeAnalyst", "acme", patchAlertEndpoint, { params: { id }, body: { assignee_id: fx.users.acmeAdmin } });
    const r = await call(fx, "acmeAnalyst", "acme", patchAlertEndpoint, { params: { id }, body: { assignee_id: null } });
    assert.equal(r.body.assigned_to, null);
  });

  test("another tenant's alert is a 404, and is left unchanged", async () => {
    const p = await refused(fx, "acmeAnalyst", "acme", patchAlertEndpoint, { params: { id: fx.alerts.globex[0] }, body: { status: "acknowledged" } });
    assert.equal(p.status, 404);
    const status = await withClient(db.url, async (c) => (await c.query(`select status from public.alerts where id = $1`, [fx.alerts.globex[0]])).rows[0].status);
    assert.equal(status, "new");
    assert.equal((await refused(fx, "acmeAnalyst", "acme", getAlertEndpoint, { params: { id: fx.alerts.globex[0] } })).status, 404);
  });

  test("a tenant without features.alert_triage refuses triage (403)", async () => {
    await withClient(db.url, (c) =>
      c.query(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'features.alert_triage', 'false')`, [fx.tenants.globex]),
    );
    const p = await refused(fx, "globexAdmin", "globex", patchAlertEndpoint, { params: { id: fx.alerts.globex[1] }, body: { status: "acknowledged" } });
    assert.equal(p.status, 403);
    assert.equal(p.type, "forbidden", "a typed problem, not about:blank");
  });
});

describe("assets", () => {
  test("upsert by external id: create, update keeping unsent fields, adopt by host name, reject a host name owned by another external id", async () => {
    const up = (assets: unknown[]) => call(fx, "acmeAdmin", "acme", upsertAssetsEndpoint, { body: { assets } });
    const first = await up([
      { external_id: "cmdb-1", hostname: "db-01", kind: "server", criticality: "critical", os: "Debian 12", ip_address: "10.1.0.5" },
      { external_id: "cmdb-2", hostname: "acme-host-1" }, // made in the portal (fixtures), no external id yet: adopted
    ]);
    assert.deepEqual(first.body.results.map((r: { status: string }) => r.status), ["created", "updated"]);
    assert.equal(first.body.results[1].id, fx.assets.acme[0], "the portal's asset adopted the external id");

    const second = await up([
      { external_id: "cmdb-1", hostname: "db-01", last_seen_at: "2026-11-30T00:00:00Z" },
      { external_id: "cmdb-3", hostname: "db-01" },
      { external_id: "cmdb-4", hostname: "ws-9", tenant_id: fx.tenants.globex },
      { external_id: "cmdb-5", hostname: "ws-5" },
      { external_id: "cmdb-5", hostname: "ws-6" },
    ]);
    assert.deepEqual(second.body.results.map((r: { status: string }) => r.status), ["updated", "rejected", "rejected", "created", "rejected"]);
    assert.match(second.body.results[1].reason, /repeats an external_id or hostname/);
    assert.match(second.body.results[2].reason, /unknown field "tenant_id"/);
    assert.match(second.body.results[4].reason, /repeats an external_id or hostname/);
    const third = await up([{ external_id: "cmdb-3", hostname: "db-01" }, { external_id: "cmdb-6", hostname: "db-06" }]);
    assert.deepEqual(third.body.results.map((r: { status: string }) => r.status), ["rejected", "created"]);
    assert.match(third.body.results[0].reason, /hostname belongs to another asset/);

    const list = await call(fx, "acmeAdmin", "acme", listAssetsEndpoint, { query: { kind: "server" } });
    const db01 = list.body.data.find((a: { hostname: string }) => a.hostname === "db-01");
    assert.equal(db01.os, "Debian 12", "a field not sent keeps its value");
    assert.equal(db01.criticality, "critical");
    assert.equal(db01.ip_address, "10.1.0.5");
    assert.equal(db01.last_seen_at, "2026-11-30T00:00:00.000000Z");
  });

  test("limits.assets: new assets past the limit are rejected one by one, known ones still update; concurrent batches share the last places", async () => {
    const count = () => withClient(db.url, async (c) => (await c.query<{ n: number }>("select count(*)::int as n from public.assets where tenant_id = $1", [fx.tenants.globex])).rows[0].n);
    const before = await count();
    await withClient(db.url, (c) => c.query("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.assets', $2::jsonb)", [fx.tenants.globex, JSON.stringify(before + 2)]));
    try {
      const up = (assets: unknown[]) => call(fx, "globexAdmin", "globex", upsertAssetsEndpoint, { body: { assets } });
      const r = await up([
        { external_id: "lim-1", hostname: "lim-01" },
        { external_id: "lim-2", hostname: "lim-02" },
        { external_id: "lim-3", hostname: "lim-03" },
      ]);
      assert.deepEqual(r.body.results.map((x: { status: string }) => x.status), ["created", "created", "rejected"]);
      assert.match(r.body.results[2].reason, new RegExp(`over the tenant's asset limit: ${before + 2} assets \\(limits\\.assets\\), ${before} registered`));
      assert.equal(await count(), before + 2);
      // At the limit: a known asset still updates, a new one is rejected.
      const again = await up([{ external_id: "lim-1", hostname: "lim-01", os: "Debian 12" }, { external_id: "lim-4", hostname: "lim-04" }]);
      assert.deepEqual(again.body.results.map((x: { status: string }) => x.status), ["updated", "rejected"]);
      // Raised by one: two concurrent batches of one new asset each; exactly one gets the place.
      await withClient(db.url, (c) => c.query("update public.tenant_settings set value = $2::jsonb where tenant_id = $1 and key = 'limits.assets'", [fx.tenants.globex, JSON.stringify(before + 3)]));
      const both = await Promise.all([up([{ external_id: "lim-5", hostname: "lim-05" }]), up([{ external_id: "lim-6", hostname: "lim-06" }])]);
      assert.deepEqual(both.map((b) => b.body.results[0].status).sort(), ["created", "rejected"]);
      assert.equal(await count(), before + 3);
    } finally {
      await withClient(db.url, (c) => c.query("delete from public.tenant_settings where tenant_id = $1 and key = 'limits.assets'", [fx.tenants.globex]));
    }
  });

  test("GET /assets pages by host name; another tenant's assets never appear", async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await call(fx, "acmeAdmin", "acme", listAssetsEndpoint, { query: { limit: "2", ...(cursor ? { cursor } : {}) } });
      ids.push(...r.body.data.map((a: { id: string }) => a.id));
      cursor = r.body.next_cursor ?? undefined;
    } while (cursor);
    const expected = await withClient(db.url, async (c) => (await c.query(`select id from public.assets where tenant_id = $1 order by hostname, id`, [fx.tenants.acme])).rows.map((r) => r.id));
    assert.deepEqual(ids, expected);
    assert.ok(!ids.includes(fx.assets.globex[0]));
  });
});

describe("collectors", () => {
  test("a heartbeat creates the collector, the next one updates it, and null clears the error", async () => {
    const beat = (body: unknown) => call(fx, "acmeAnalyst", "acme", heartbeatEndpoint, { body });
    const a = await beat({ name: "edr-puller", version: "1.2.0", last_error: "vendor API 503" });
    assert.equal(a.body.last_error, "vendor API 503");
    assert.ok(a.body.last_error_at);
    const b = await beat({ name: "edr-puller", last_pull_at: "2026-11-30T10:00:00Z" });
    assert.equal(b.body.id, a.body.id);
    assert.equal(b.body.version, "1.2.0", "kept");
    assert.equal(b.body.last_error, "vendor API 503", "absent leaves the error");
    const c = await beat({ name: "edr-puller", last_error: null });
    assert.equal(c.body.last_error, null);
    assert.equal(c.body.last_error_at, null);
    assert.equal((await refused(fx, "acmeAnalyst", "acme", heartbeatEndpoint, { body: { name: "x", tenant_id: fx.tenants.globex } })).status, 422);
    assert.equal((await refused(fx, "acmeViewer", "acme", heartbeatEndpoint, { body: { name: "viewer" } })).status, 403);
    const visible = await withClient(db.url, async (cl) => (await cl.query(`select tenant_id from public.collectors`)).rows.map((r) => r.tenant_id));
    assert.deepEqual(visible, [fx.tenants.acme]);
  });
});
