// Raw events, collectors and collector checkpoints written straight through `authenticated` (a
// Supabase Data API, or any SQL as a member) are written by API keys only, in the columns ingestion
// writes (migration 20261201031500), as alerts and assets are (tests/direct-write-guards-alerts.test.ts):
//   - a raw event is stored only by a key holding alerts:write (POST /alerts, lib/ingest/alerts.ts):
//     a person cannot copy another alert's sealed blob onto an alert that has none (which never
//     opens, the AAD binding the alert, but reads as a failed integrity check, says has_raw_event,
//     and makes every DEK rotation of the tenant fail with the old version kept), nor choose its
//     created_at; nobody as `authenticated` updates or deletes one;
//   - collectors and their checkpoints are written only by a key holding collectors:write (POST
//     /collectors/heartbeat, POST /collectors/{name}/checkpoints): a person cannot forge a heartbeat
//     (a dead collector shown live), clear its error, or move a checkpoint's cursor (a collector
//     resuming past alerts it never sent); no writer sets an id, created_at or updated_at; admins
//     still remove a collector or reset a checkpoint.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ApiScope } from "@/lib/api/endpoint";
import { heartbeatEndpoint, ingestAlertsEndpoint } from "@/lib/api/endpoints";
import { advanceCheckpointEndpoint } from "@/lib/api/endpoints/checkpoints";
import { parseKey } from "@/lib/api/keys/format";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { loadRawEventView } from "@/lib/ingest/raw";
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
const PEOPLE = ["acmeAnalyst", "acmeAdmin", "msspAdmin"] as const;

const ROLLBACK = Symbol("rollback");
/** withTenant as the key, addressing its tenant (as the gateway opens a call), rolled back at the end. */
async function asKeyRolledBack<T>(key: string, tenant: TenantSlug, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  const parsed = parseKey(key)!;
  let result: T | undefined;
  try {
    await withTenant({ userId: parsed.id, apiKey: parsed, activeTenantId: fx.tenants[tenant] }, async (tx) => {
      result = await fn(tx);
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return result as T;
}

const activeKeyVersion = async (slug: TenantSlug) =>
  (await owner<{ version: number }>("select version from keyring.tenant_keys where tenant_id = $1 and status = 'active'", [fx.tenants[slug]]))[0].version;

describe("raw events are stored by API keys with alerts:write, never by people directly", () => {
  let source: string; // an ingested alert of acme, with its sealed raw event
  const target = () => fx.alerts.acme[1]; // a fixture alert of acme with none
  const copyRaw = `insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version)
                   select tenant_id, $2, sealed, key_version from public.alert_raw_events where tenant_id = $3 and alert_id = $1`;

  before(async () => {
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, {
      body: { alerts: [{ external_id: "raw-guard-source", source: "edr", title: "with raw", severity: "high", raw: { vendor: "x", secret_detail: "evidence" } }] },
    });
    assert.equal(r.body.summary.created, 1);
    [{ id: source }] = await owner<{ id: string }>("select id from public.alerts where tenant_id = $1 and external_id = 'raw-guard-source'", [fx.tenants.acme]);
    assert.equal((await owner("select 1 from public.alert_raw_events where alert_id = $1", [target()])).length, 0, "the target has no raw event");
  });

  test("the ingested raw event opens on its own alert (the key path works)", async () => {
    const view = await asRolledBack(fx, "acmeAnalyst", ({ client }) => loadRawEventView(client, fx.tenants.acme, source));
    assert.equal(view?.state, "open");
  });

  test("a person cannot copy another alert's sealed blob onto an alert that has none, nor store any bytes", async () => {
    for (const user of PEOPLE) {
      assertRefused(await asRolledBack(fx, user, ({ client }) => attempt(client, copyRaw, [source, target(), fx.tenants.acme])), "42501");
      assertRefused(
        await asRolledBack(fx, user, ({ client }) =>
          attempt(client, "insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version) values ($1, $2, decode(repeat('a5', 48), 'hex'), 1)", [
            fx.tenants.acme,
            target(),
          ]),
        ),
      );
    }
    assert.equal((await owner("select 1 from public.alert_raw_events where alert_id = $1", [target()])).length, 0);
  });

  test("a key with alerts:write may store one, in ingestion's columns only; a key without it stores none", async () => {
    const version = await activeKeyVersion("acme");
    const insertWith = (extra = "", value = "") =>
      `with a as (insert into public.alerts (tenant_id, title, severity, source, external_id)
                  values ($1, 'guard', 'low', 'sql', gen_random_uuid()::text) returning tenant_id, id)
       insert into public.alert_raw_events (tenant_id, alert_id, sealed, key_version${extra})
       select tenant_id, id, decode(repeat('a5', 48), 'hex'), $2${value} from a`;
    const writer = await insertKey(db.url, fx, "acme", ["alerts:write"]);
    assertRows(await asKeyRolledBack(writer, "acme", ({ client }) => attempt(client, insertWith(), [fx.tenants.acme, version])), 1);
    // Its created_at is the insert's time, never the writer's.
    assertRefused(await asKeyRolledBack(writer, "acme", ({ client }) => attempt(client, insertWith(", created_at", ", '2000-01-01'::timestamptz"), [fx.tenants.acme, version])));
    // Copying onto an existing alert is as much refused to a key without alerts:write.
    for (const scopes of [["collectors:write"], ["alerts:triage", "alerts:read"], ["assets:write"]] as ApiScope[][]) {
      const key = await insertKey(db.url, fx, "acme", scopes);
      assertRefused(await asKeyRolledBack(key, "acme", ({ client }) => attempt(client, copyRaw, [source, target(), fx.tenants.acme])));
    }
  });

  test("nobody as authenticated updates or deletes a raw event (the DEK rotation re-seals them as the service role)", async () => {
    const writer = await insertKey(db.url, fx, "acme", ["alerts:write"]);
    const statements: [string, unknown[]][] = [
      ["update public.alert_raw_events set sealed = sealed where alert_id = $1", [source]],
      ["update public.alert_raw_events set created_at = '2000-01-01' where alert_id = $1", [source]],
      ["delete from public.alert_raw_events where alert_id = $1", [source]],
    ];
    for (const [sql, params] of statements) {
      assertRefused(await asKeyRolledBack(writer, "acme", ({ client }) => attempt(client, sql, params)));
      assertRefused(await asRolledBack(fx, "acmeAdmin", ({ client }) => attempt(client, sql, params)));
    }
  });
});

describe("collectors are reported by API keys with collectors:write, never by people directly", () => {
  const name = "guard-edr";
  let heartbeatAt: string;
  before(async () => {
    const r = await call(fx, "acmeAnalyst", "acme", heartbeatEndpoint, { body: { name, version: "1.0.0", last_error: "vendor API 503" } });
    assert.equal(r.body.last_error, "vendor API 503");
    heartbeatAt = r.body.last_heartbeat_at;
  });
  const stored = async () =>
    (
      await owner<{ beat: string; last_error: string | null; version: string }>(
        `select to_char(last_heartbeat_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as beat, last_error, version
           from public.collectors where tenant_id = $1 and name = $2`,
        [fx.tenants.acme, name],
      )
    )[0];

  test("a person neither registers a collector nor forges a heartbeat, clears an error or renames a version", async () => {
    for (const user of PEOPLE) {
      assertRefused(
        await asRolledBack(fx, user, ({ client }) =>
          attempt(client, "insert into public.collectors (tenant_id, name, last_heartbeat_at) values ($1, 'planted-' || gen_random_uuid(), '2099-01-01')", [fx.tenants.acme]),
        ),
      );
      const forged = await asRolledBack(fx, user, ({ client }) =>
        attempt(client, "update public.collectors set last_heartbeat_at = '2099-01-01', last_error = null, last_error_at = null, version = '6.6.6' where tenant_id = $1 and name = $2", [
          fx.tenants.acme,
          name,
        ]),
      );
      assertRows(forged, 0);
    }
    assert.deepEqual(await stored(), { beat: heartbeatAt, last_error: "vendor API 503", version: "1.0.0" });
  });

  test("a key with collectors:write reports, in the heartbeat's columns only; a key without it writes nothing", async () => {
    const key = await insertKey(db.url, fx, "acme", ["collectors:write"]);
    assert.deepEqual(
      await asKeyRolledBack(key, "acme", async ({ client }) => [
        await attempt(client, "insert into public.collectors (tenant_id, name, version) values ($1, 'keyed-' || gen_random_uuid(), '1.0')", [fx.tenants.acme]),
        await attempt(client, "update public.collectors set last_heartbeat_at = now(), last_error = null where tenant_id = $1 and name = $2", [fx.tenants.acme, name]),
      ]).then((rs) => rs.map((r) => r.ok && r.rowCount)),
      [1, 1],
    );
    const tries = await asKeyRolledBack(key, "acme", async ({ client }) => [
      await attempt(client, "insert into public.collectors (tenant_id, name, created_at) values ($1, 'backdated', '2000-01-01')", [fx.tenants.acme]),
      await attempt(client, "insert into public.collectors (tenant_id, id, name) values ($1, gen_random_uuid(), 'chosen-id')", [fx.tenants.acme]),
      await attempt(client, "update public.collectors set created_at = '2000-01-01' where tenant_id = $1 and name = $2", [fx.tenants.acme, name]),
      await attempt(client, "update public.collectors set updated_at = '2000-01-01' where tenant_id = $1 and name = $2", [fx.tenants.acme, name]),
      await attempt(client, "update public.collectors set name = 'renamed' where tenant_id = $1 and name = $2", [fx.tenants.acme, name]),
    ]);
    for (const t of tries) assertRefused(t);
    for (const scopes of [["alerts:write"], ["assets:write", "alerts:triage"]] as ApiScope[][]) {
      const other = await insertKey(db.url, fx, "acme", scopes);
      assertRefused(await asKeyRolledBack(other, "acme", ({ client }) => attempt(client, "insert into public.collectors (tenant_id, name) values ($1, 'wrong-scope')", [fx.tenants.acme])));
      assertRows(
        await asKeyRolledBack(other, "acme", ({ client }) => attempt(client, "update public.collectors set last_heartbeat_at = now() where tenant_id = $1", [fx.tenants.acme])),
        0,
      );
    }
  });

  test("an admin still removes a collector (an analyst does not)", async () => {
    assertRows(await asRolledBack(fx, "acmeAdmin", ({ client }) => attempt(client, "delete from public.collectors where tenant_id = $1 and name = $2", [fx.tenants.acme, name])), 1);
    assertRows(await asRolledBack(fx, "acmeAnalyst", ({ client }) => attempt(client, "delete from public.collectors where tenant_id = $1 and name = $2", [fx.tenants.acme, name])), 0);
  });
});

describe("collector checkpoints are advanced by API keys with collectors:write, never by people directly", () => {
  const name = "guard-puller";
  let credentialId: string;
  let spareCredentialId: string;
  const where = "tenant_id = $1 and credential_id = $2";
  const checkpoint = async () =>
    (await owner<{ cursor: string; alerts_sent: string }>(`select cursor, alerts_sent::text from public.collector_checkpoints where ${where}`, [fx.tenants.acme, credentialId]))[0];

  before(async () => {
    const made = await owner<{ id: string }>(
      `insert into public.credentials (tenant_id, id, connector, name, sealed, key_version, secret_hint)
       select $1, gen_random_uuid(), 'generic_api_key', x, decode(repeat('cd', 40), 'hex'), $2, 'wxyz' from unnest(array['guard-feed', 'guard-spare']) x
       returning id`,
      [fx.tenants.acme, await activeKeyVersion("acme")],
    );
    [{ id: credentialId }, { id: spareCredentialId }] = made;
    await call(fx, "acmeAnalyst", "acme", heartbeatEndpoint, { body: { name } });
    const r = await call(fx, "acmeAnalyst", "acme", advanceCheckpointEndpoint, {
      params: { name },
      body: { credential_id: credentialId, previous_cursor: null, cursor: '{"since":"2026-11-30T10:00:00Z"}', sent: 2 },
    });
    assert.equal(r.body.alerts_sent, 2);
  });

  test("a person cannot move a cursor forward (the collector would skip what it never sent), count alerts, or plant a checkpoint", async () => {
    for (const user of PEOPLE) {
      const moved = await asRolledBack(fx, user, ({ client }) =>
        attempt(client, `update public.collector_checkpoints set cursor = '{"since":"2099-01-01T00:00:00Z"}', alerts_sent = 666, last_sent_at = now() where ${where}`, [
          fx.tenants.acme,
          credentialId,
        ]),
      );
      assertRows(moved, 0);
      assertRefused(
        await asRolledBack(fx, user, ({ client }) =>
          attempt(
            client,
            `insert into public.collector_checkpoints (tenant_id, collector_id, credential_id, cursor)
             select tenant_id, id, $2, '{"since":"2099-01-01T00:00:00Z"}' from public.collectors where tenant_id = $1 and name = $3`,
            [fx.tenants.acme, spareCredentialId, name],
          ),
        ),
      );
    }
    assert.deepEqual(await checkpoint(), { cursor: '{"since":"2026-11-30T10:00:00Z"}', alerts_sent: "2" });
  });

  test("a key with collectors:write advances in the checkpoint's columns only; a key without it moves nothing", async () => {
    const key = await insertKey(db.url, fx, "acme", ["collectors:write"]);
    assertRows(await asKeyRolledBack(key, "acme", ({ client }) => attempt(client, `update public.collector_checkpoints set cursor = 'next', alerts_sent = alerts_sent + 1 where ${where}`, [fx.tenants.acme, credentialId])), 1);
    const tries = await asKeyRolledBack(key, "acme", async ({ client }) => [
      await attempt(client, `update public.collector_checkpoints set created_at = '2000-01-01' where ${where}`, [fx.tenants.acme, credentialId]),
      await attempt(client, `update public.collector_checkpoints set updated_at = '2000-01-01' where ${where}`, [fx.tenants.acme, credentialId]),
      await attempt(client, `update public.collector_checkpoints set credential_id = $3 where ${where}`, [fx.tenants.acme, credentialId, spareCredentialId]),
      await attempt(
        client,
        `insert into public.collector_checkpoints (tenant_id, collector_id, credential_id, cursor, created_at)
         select tenant_id, id, $2, 'c', '2000-01-01' from public.collectors where tenant_id = $1 and name = $3`,
        [fx.tenants.acme, spareCredentialId, name],
      ),
    ]);
    for (const t of tries) assertRefused(t);
    const other = await insertKey(db.url, fx, "acme", ["alerts:write"]);
    assertRows(await asKeyRolledBack(other, "acme", ({ client }) => attempt(client, `update public.collector_checkpoints set cursor = 'next' where ${where}`, [fx.tenants.acme, credentialId])), 0);
    assert.deepEqual(await checkpoint(), { cursor: '{"since":"2026-11-30T10:00:00Z"}', alerts_sent: "2" });
  });

  test("an admin still resets a checkpoint (an analyst does not)", async () => {
    assertRows(await asRolledBack(fx, "acmeAdmin", ({ client }) => attempt(client, `delete from public.collector_checkpoints where ${where}`, [fx.tenants.acme, credentialId])), 1);
    assertRows(await asRolledBack(fx, "acmeAnalyst", ({ client }) => attempt(client, `delete from public.collector_checkpoints where ${where}`, [fx.tenants.acme, credentialId])), 0);
  });
});
