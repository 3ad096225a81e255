// Alerts and assets written straight through `authenticated` (a Supabase Data API, or any SQL as a
// member) meet the rules the portal's own paths keep (migration 20261201031100):
//   - only an API key holding alerts:write creates alerts (POST /alerts, lib/ingest/alerts.ts, which
//     meters each batch as alerts_ingested and which the gateway counts against
//     limits.api_ingest_per_day): a person's insert is refused, so none goes unmetered;
//   - only a key holding assets:write creates or updates assets, and only the columns ingestion
//     writes (never id, created_at, updated_at);
//   - limits.assets holds for every insert as `authenticated`, one check per statement, and two
//     concurrent inserters cannot both take the last place;
//   - with features.alert_triage off, no status, close reason, assignee, group or comment changes
//     as `authenticated`, while the database's own unassignments (a member removed) still happen.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { commentOnAlert, TRIAGE_OFF, triageAlert } from "@/lib/alerts/triage";
import { ActionRefusal } from "@/lib/actions/refusal";
import { ingestAlertsEndpoint } from "@/lib/api/endpoints";
import type { ApiScope } from "@/lib/api/endpoint";
import { parseKey } from "@/lib/api/keys/format";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { insertKey } from "./helpers/api-keys";
import { call } from "./helpers/api-endpoint-call";
import { insertFixtures, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { asRolledBack, assertRefused, assertRows, attempt } from "./helpers/sql";
import { createTestDatabase, ownerQuery, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const owner = <R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []) => ownerQuery<R>(db.url, sql, params);

/** withTenant as the key, addressing its tenant (as the gateway opens a call). */
function asKey<T>(key: string, tenant: TenantSlug, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  const parsed = parseKey(key)!;
  return withTenant({ userId: parsed.id, apiKey: parsed, activeTenantId: fx.tenants[tenant] }, fn);
}

const insertAlert = "insert into public.alerts (tenant_id, title, severity, source, external_id) values ($1, 'direct', 'high', 'sql', gen_random_uuid()::text)";
const insertAsset = (n = 1) =>
  `insert into public.assets (tenant_id, hostname) select $1, 'guard-' || gen_random_uuid() from generate_series(1, ${n})`;
const assetCount = async (slug: TenantSlug) => (await owner<{ n: number }>("select count(*)::int as n from public.assets where tenant_id = $1", [fx.tenants[slug]]))[0].n;
const setSetting = (slug: TenantSlug, key: string, value: unknown) =>
  owner(
    `insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, $3::jsonb)
     on conflict (tenant_id, key) do update set value = excluded.value`,
    [fx.tenants[slug], key, JSON.stringify(value)],
  );
const clearSetting = (slug: TenantSlug, key: string) => owner("delete from public.tenant_settings where tenant_id = $1 and key = $2", [fx.tenants[slug], key]);

describe("alerts are created by API keys that ingest, never by people directly", () => {
  test("acmeAnalyst's direct insert is refused; the same insert by a key with alerts:write is allowed", async () => {
    for (const user of ["acmeAnalyst", "acmeAdmin", "msspAdmin"] as const) {
      assertRefused(await asRolledBack(fx, user, ({ client }) => attempt(client, insertAlert, [fx.tenants.acme])));
    }
    const writer = await insertKey(db.url, fx, "acme", ["alerts:write"]);
    assertRows(await asKey(writer, "acme", ({ client }) => attempt(client, insertAlert, [fx.tenants.acme])), 1);
  });

  test("a key without alerts:write (triage, assets, collectors: an analyst for RLS) creates no alert", async () => {
    for (const scope of ["alerts:triage", "assets:write", "collectors:write"] as const) {
      const key = await insertKey(db.url, fx, "acme", [scope, "alerts:read"]);
      assertRefused(await asKey(key, "acme", ({ client }) => attempt(client, insertAlert, [fx.tenants.acme])));
    }
  });

  test("what ingestion creates is metered as alerts_ingested, in the same transaction", async () => {
    const metered = async () =>
      (await owner<{ n: number }>("select coalesce(sum(quantity), 0)::int as n from public.usage_events where tenant_id = $1 and metric = 'alerts_ingested'", [fx.tenants.globex]))[0].n;
    const before = await metered();
    const r = await call(fx, "globexAdmin", "globex", ingestAlertsEndpoint, {
      body: { alerts: [1, 2, 3].map((n) => ({ external_id: `metered-${n}`, source: "edr", title: `metered ${n}`, severity: "low" })) },
    });
    assert.equal(r.body.summary.created, 3);
    assert.equal(await metered(), before + 3);
  });
});

describe("assets are written by API keys with assets:write, in the columns ingestion writes", () => {
  test("acmeAnalyst can neither register nor change an asset directly; a key with assets:write can", async () => {
    assertRefused(await asRolledBack(fx, "acmeAnalyst", ({ client }) => attempt(client, insertAsset(), [fx.tenants.acme])));
    const changed = await asRolledBack(fx, "acmeAnalyst", ({ client }) =>
      attempt(client, "update public.assets set criticality = 'low', last_seen_at = now() where tenant_id = $1", [fx.tenants.acme]),
    );
    assertRows(changed, 0);
    const key = await insertKey(db.url, fx, "acme", ["assets:write"]);
    assert.deepEqual(
      await asKey(key, "acme", async ({ client }) => [
        await attempt(client, "update public.assets set criticality = criticality where tenant_id = $1 and id = $2", [fx.tenants.acme, fx.assets.acme[1]]),
        await attempt(client, `${insertAsset()} returning id`, [fx.tenants.acme]),
      ]).then((rs) => rs.map((r) => r.ok && r.rowCount)),
      [1, 1],
    );
  });

  test("no writer sets an asset's id, created_at or updated_at, or moves it", async () => {
    const key = await insertKey(db.url, fx, "acme", ["assets:write"]);
    const row = fx.assets.acme[1];
    const tries = await asKey(key, "acme", async ({ client }) => [
      await attempt(client, "update public.assets set created_at = '2000-01-01' where id = $1", [row]),
      await attempt(client, "update public.assets set updated_at = '2000-01-01' where id = $1", [row]),
      await attempt(client, "update public.assets set id = gen_random_uuid() where id = $1", [row]),
      await attempt(client, "update public.assets set tenant_id = tenant_id where id = $1", [row]),
      await attempt(client, "insert into public.assets (tenant_id, hostname, created_at) values ($1, 'backdated', '2000-01-01')", [fx.tenants.acme]),
      await attempt(client, "insert into public.assets (tenant_id, id, hostname) values ($1, gen_random_uuid(), 'chosen-id')", [fx.tenants.acme]),
    ]);
    for (const t of tries) assertRefused(t);
  });

  test("a key with only assets:read, or with alerts:write, writes no asset", async () => {
    for (const scopes of [["assets:read"], ["alerts:write"]] as ApiScope[][]) {
      const key = await insertKey(db.url, fx, "acme", scopes);
      assertRefused(await asKey(key, "acme", ({ client }) => attempt(client, insertAsset(), [fx.tenants.acme])));
    }
  });
});

describe("limits.assets holds for every insert as authenticated", () => {
  test("an insert past the limit is refused whole (54000); up to it is allowed; the owner is not limited", async () => {
    const key = await insertKey(db.url, fx, "acme-eu", ["assets:write"]);
    const have = await assetCount("acme-eu");
    await setSetting("acme-eu", "limits.assets", have + 2);
    try {
      const over = await asKey(key, "acme-eu", ({ client }) => attempt(client, insertAsset(3), [fx.tenants["acme-eu"]]));
      assertRefused(over, "54000");
      assert.match((over as { message: string }).message, /at most \d+ assets/);
      assert.equal(await assetCount("acme-eu"), have, "nothing of the refused statement is kept");
      assertRows(await asKey(key, "acme-eu", ({ client }) => attempt(client, insertAsset(2), [fx.tenants["acme-eu"]])), 2);
      assertRefused(await asKey(key, "acme-eu", ({ client }) => attempt(client, insertAsset(1), [fx.tenants["acme-eu"]])), "54000");
      // Another tenant keeps its own room.
      const other = await insertKey(db.url, fx, "acme-us", ["assets:write"]);
      assertRows(await asKey(other, "acme-us", ({ client }) => attempt(client, insertAsset(1), [fx.tenants["acme-us"]])), 1);
      // The owner (seeds) is not asked.
      await owner(insertAsset(1), [fx.tenants["acme-eu"]]);
      assert.equal(await assetCount("acme-eu"), have + 3);
    } finally {
      await clearSetting("acme-eu", "limits.assets");
    }
  });

  test("the limit inherited from an ancestor applies; a stored value out of bounds counts as the default", async () => {
    const key = await insertKey(db.url, fx, "other-co", ["assets:write"]);
    const have = await assetCount("other-co");
    await setSetting("mssp-b", "limits.assets", have);
    try {
      assertRefused(await asKey(key, "other-co", ({ client }) => attempt(client, insertAsset(1), [fx.tenants["other-co"]])), "54000");
      await setSetting("mssp-b", "limits.assets", -5); // invalid (written as the owner): the default, 10,000
      assertRows(await asKey(key, "other-co", ({ client }) => attempt(client, insertAsset(1), [fx.tenants["other-co"]])), 1);
    } finally {
      await clearSetting("mssp-b", "limits.assets");
    }
  });

  test("two concurrent inserters cannot both take the last place", async () => {
    const key = await insertKey(db.url, fx, "globex", ["assets:write"]);
    const have = await assetCount("globex");
    await setSetting("globex", "limits.assets", have + 1);
    try {
      let inserted!: () => void;
      const first = new Promise<void>((ok) => (inserted = ok));
      let secondDone = false;
      const one = asKey(key, "globex", async ({ client }) => {
        const r = await attempt(client, insertAsset(1), [fx.tenants.globex]);
        inserted();
        await new Promise((ok) => setTimeout(ok, 300)); // the second statement waits for this commit
        assert.equal(secondDone, false, "the second inserter waited for the first to commit");
        return r;
      });
      await first;
      const two = asKey(key, "globex", ({ client }) => attempt(client, insertAsset(1), [fx.tenants.globex])).finally(() => (secondDone = true));
      const [a, b] = await Promise.all([one, two]);
      assertRows(a, 1);
      assertRefused(b, "54000");
      assert.equal(await assetCount("globex"), have + 1);
    } finally {
      await clearSetting("globex", "limits.assets");
    }
  });
});

describe("features.alert_triage off: no triage as authenticated", () => {
  before(() => setSetting("globex", "features.alert_triage", false));
  after(() => clearSetting("globex", "features.alert_triage"));
  const globexAlert = () => fx.alerts.globex[1];

  test("a status change, a close, an assignment, a group and a comment are refused (42501); the same on acme pass", async () => {
    const [g] = await owner<{ id: string }>("insert into public.assignee_groups (tenant_id, name) values ($1, 'Guards') returning id", [fx.tenants.globex]);
    const statements = (tenant: string, alert: string) => [
      ["update public.alerts set status = 'acknowledged' where tenant_id = $1 and id = $2", [tenant, alert]],
      ["update public.alerts set status = 'false_positive', close_reason = 'noise' where tenant_id = $1 and id = $2", [tenant, alert]],
      ["update public.alerts set assigned_to = $3 where tenant_id = $1 and id = $2", [tenant, alert, fx.users.msspAdmin]],
      ["update public.alerts set assigned_group_tenant_id = $1, assigned_group_id = $3 where tenant_id = $1 and id = $2", [tenant, alert, g.id]],
      ["insert into public.alert_events (tenant_id, alert_id, kind, actor_id, body) values ($1, $2, 'comment', auth.uid(), 'hi')", [tenant, alert]],
    ] as [string, unknown[]][];
    for (const [sql, params] of statements(fx.tenants.globex, globexAlert())) {
      const o = await asRolledBack(fx, "globexAdmin", ({ client }) => attempt(client, sql, params));
      assertRefused(o);
      assert.match((o as { message: string }).message, /alert triage is not enabled/, sql);
    }
    // Control: acme has triage (the default); the group is globex's, so that statement uses acme's own.
    const [ag] = await owner<{ id: string }>("insert into public.assignee_groups (tenant_id, name) values ($1, 'Guards') returning id", [fx.tenants.acme]);
    for (const [sql, params] of statements(fx.tenants.acme, fx.alerts.acme[1])) {
      const fixed = params.map((p) => (p === g.id ? ag.id : p));
      assertRows(await asRolledBack(fx, "acmeAdmin", ({ client }) => attempt(client, sql, fixed)), 1);
    }
  });

  test("an API key's triage is refused the same way", async () => {
    const key = await insertKey(db.url, fx, "globex", ["alerts:triage"]);
    assertRefused(
      await asKey(key, "globex", ({ client }) => attempt(client, "update public.alerts set status = 'acknowledged' where tenant_id = $1 and id = $2", [fx.tenants.globex, globexAlert()])),
    );
  });

  test("lib/alerts/triage turns the database's refusal into the feature's sentence", async () => {
    const runs: ((tx: TenantTx) => Promise<unknown>)[] = [
      (tx: TenantTx) => triageAlert(tx, fx.tenants.globex, globexAlert(), { kind: "status", change: { to: "acknowledged" } }),
      (tx: TenantTx) => triageAlert(tx, fx.tenants.globex, globexAlert(), { kind: "assign", assigneeId: fx.users.globexAdmin }),
      (tx: TenantTx) => commentOnAlert(tx, fx.tenants.globex, globexAlert(), "a comment"),
    ];
    for (const run of runs) {
      await assert.rejects(
        asRolledBack(fx, "globexAdmin", run),
        (e: unknown) => e instanceof ActionRefusal && e.message === TRIAGE_OFF,
      );
    }
  });

  test("the database's own unassignment still happens: a removed analyst's open alert is unassigned", async () => {
    const alert = globexAlert();
    await owner("update public.alerts set assigned_to = $2 where id = $1", [alert, fx.users.twoCustomers]);
    try {
      const assignee = await asRolledBack(fx, "globexAdmin", async ({ client }) => {
        assertRows(await attempt(client, "delete from public.memberships where tenant_id = $1 and user_id = $2", [fx.tenants.globex, fx.users.twoCustomers]), 1);
        return (await client.query<{ assigned_to: string | null }>("select assigned_to from public.alerts where id = $1", [alert])).rows[0].assigned_to;
      });
      assert.equal(assignee, null);
    } finally {
      await owner("update public.alerts set assigned_to = null where id = $1", [alert]);
    }
  });

  test("the owner and the service role's jobs are not asked (rules, escalations, seeds)", async () => {
    await owner("update public.alerts set status = 'acknowledged' where id = $1", [globexAlert()]);
    await owner("update public.alerts set status = 'in_progress' where id = $1", [globexAlert()]);
  });
});
