// The raw vendor payload of an API-ingested alert (lib/ingest/raw.ts), on a
// real Postgres with the real PDP:
//   - stored only as AES-GCM ciphertext under the tenant's DEK (the plaintext
//     is nowhere in the row), opened on the alert's page for a reader of its
//     tenant, and not found at all by another tenant;
//   - bound to its tenant and alert: the bytes copied to another alert of
//     the same tenant, or to another tenant's alert, do not open;
//   - a DEK rotation re-seals them and retires the old version, and they
//     still open;
//   - after the tenant's keys are destroyed (offboarding's crypto-shredding,
//     as lib/lifecycle/offboard-workflow.ts does it) they no longer open, and
//     new raw events are refused rather than stored unsealed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ingestAlertsEndpoint } from "@/lib/api/endpoints";
import { loadAlertDetail } from "@/lib/alerts/detail";
import { openStoredRawEvent, RawEventUnavailableError } from "@/lib/ingest/raw";
import { MAX_RAW_BYTES } from "@/lib/ingest/schemas";
import { clearKeyCache, destroyTenantKeys } from "@/lib/vault/keys";
import { rotateTenantDek } from "@/lib/vault/rotation";
import { call, refused } from "./helpers/api-endpoint-call";
import { insertFixtures, type Fixtures, type TenantSlug, type UserName } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db.drop());

const MARKER = "PLAINTEXT-MARKER-7f3a";
const raw = (n: string) => ({ vendor: "crowdstrike", event: { id: n, cmdline: `powershell -enc ${MARKER}`, nested: [1, { deep: true }] } });

async function ingestWithRaw(user: UserName, slug: TenantSlug, n: string): Promise<string> {
  const r = await call(fx, user, slug, ingestAlertsEndpoint, {
    body: { alerts: [{ external_id: `raw-${n}`, source: "edr", title: `raw ${n}`, severity: "medium", raw: raw(n) }] },
  });
  assert.equal(r.body.results[0].status, "created", JSON.stringify(r.body.results[0]));
  return r.body.results[0].id;
}

const rawRow = (tenantId: string, alertId: string) =>
  withClient(db.url, async (c) => (await c.query<{ sealed: Buffer; key_version: number }>(`select sealed, key_version from public.alert_raw_events where tenant_id = $1 and alert_id = $2`, [tenantId, alertId])).rows[0]);

const detail = (user: UserName, slug: TenantSlug, alertId: string) => as(fx, user, (tx) => loadAlertDetail(tx, alertId, new Date()), slug);

describe("sealed at rest, opened on the alert page", () => {
  test("the row holds ciphertext only; the page of a reader of the tenant shows the payload", async () => {
    const id = await ingestWithRaw("acmeAnalyst", "acme", "page");
    const row = await rawRow(fx.tenants.acme, id);
    assert.ok(row, "a raw event row exists");
    assert.equal(row.sealed[0], 0x01);
    assert.ok(!row.sealed.includes(Buffer.from(MARKER)), "no plaintext in the stored bytes");
    assert.ok(!row.sealed.includes(Buffer.from("crowdstrike")), "no plaintext in the stored bytes");

    const page = await detail("acmeViewer", "acme", id);
    assert.equal(page?.rawEvent?.state, "open");
    assert.deepEqual(JSON.parse((page!.rawEvent as { json: string }).json), raw("page"));
    const mssp = await detail("msspAnalyst", "acme", id);
    assert.equal(mssp?.rawEvent?.state, "open", "MSSP staff covering the tenant read it too");
  });

  test("another tenant's people do not find the alert, so nothing is opened for them", async () => {
    const id = await ingestWithRaw("acmeAnalyst", "acme", "foreign-reader");
    assert.equal(await detail("globexAdmin", "globex", id), null);
    assert.equal(await detail("msspBAdmin", "mssp-b", id), null);
  });

  test("an alert made in the portal has no raw event section", async () => {
    const page = await detail("acmeAnalyst", "acme", fx.alerts.acme[0]);
    assert.equal(page?.rawEvent, null);
  });

  test("a raw payload over the limit rejects its item; the others are stored", async () => {
    const big = { blob: "x".repeat(MAX_RAW_BYTES) };
    const r = await call(fx, "acmeAnalyst", "acme", ingestAlertsEndpoint, {
      body: { alerts: [{ external_id: "big", source: "edr", title: "big", severity: "low", raw: big }, { external_id: "small", source: "edr", title: "small", severity: "low", raw: { a: 1 } }] },
    });
    assert.deepEqual(r.body.results.map((x: { status: string }) => x.status), ["rejected", "created"]);
    assert.match(r.body.results[0].reason, /raw is larger than/);
  });
});

describe("bound to its tenant and alert", () => {
  test("the sealed bytes copied to another alert of the tenant, or to another tenant's alert, do not open", async () => {
    const source = await ingestWithRaw("acmeAnalyst", "acme", "copied");
    const sibling = await ingestWithRaw("acmeAnalyst", "acme", "sibling");
    const foreign = await ingestWithRaw("globexAdmin", "globex", "foreign");
    const stolen = await rawRow(fx.tenants.acme, source);
    const globexRow = await rawRow(fx.tenants.globex, foreign);
    await withClient(db.url, async (c) => {
      await c.query(`update public.alert_raw_events set sealed = $3 where tenant_id = $1 and alert_id = $2`, [fx.tenants.acme, sibling, stolen.sealed]);
      // Same key version label as the row it lands in, so only the AAD can tell.
      await c.query(`update public.alert_raw_events set sealed = $3 where tenant_id = $1 and alert_id = $2`, [fx.tenants.globex, foreign, stolen.sealed]);
    });
    const s = await detail("acmeAnalyst", "acme", sibling);
    assert.equal(s?.rawEvent?.state, "unavailable");
    assert.match((s!.rawEvent as { reason: string }).reason, /integrity/);
    const f = await detail("globexAdmin", "globex", foreign);
    assert.equal(f?.rawEvent?.state, "unavailable");
    await assert.rejects(openStoredRawEvent({ tenantId: fx.tenants.globex, alertId: foreign, keyVersion: globexRow.key_version }, stolen.sealed), RawEventUnavailableError);
    // Control: the original still opens where it belongs.
    assert.equal((await detail("acmeAnalyst", "acme", source))?.rawEvent?.state, "open");
  });
});

describe("keys", () => {
  test("a DEK rotation re-seals raw events under the new version, retires the old one, and they still open", async () => {
    const id = await ingestWithRaw("globexAdmin", "globex", "rotate");
    const before = await rawRow(fx.tenants.globex, id);
    // The tampered row of the test above cannot be re-sealed; remove it so the rotation can finish.
    await withClient(db.url, (c) => c.query(`delete from public.alert_raw_events where tenant_id = $1 and alert_id in (select id from public.alerts where tenant_id = $1 and external_id = 'raw-foreign')`, [fx.tenants.globex]));
    const result = await rotateTenantDek(fx.tenants.globex);
    assert.ok(result.retiredVersions.includes(before.key_version), `version ${before.key_version} retired (${JSON.stringify(result)})`);
    const afterRow = await rawRow(fx.tenants.globex, id);
    assert.equal(afterRow.key_version, result.targetVersion);
    assert.ok(!afterRow.sealed.equals(before.sealed));
    clearKeyCache();
    assert.equal((await detail("globexAdmin", "globex", id))?.rawEvent?.state, "open");
    // New raw events are sealed under the new version.
    const next = await ingestWithRaw("globexAdmin", "globex", "after-rotation");
    assert.equal((await rawRow(fx.tenants.globex, next)).key_version, result.targetVersion);
  });

  test("after crypto-shredding the tenant's keys, its raw events no longer open and new ones are refused", async () => {
    const id = await ingestWithRaw("acmeEuAdmin", "acme-eu", "shred");
    assert.equal((await detail("acmeEuAdmin", "acme-eu", id))?.rawEvent?.state, "open", "control: opens before");
    const destroyed = await destroyTenantKeys(fx.tenants["acme-eu"]);
    assert.ok(destroyed > 0);
    clearKeyCache();
    const page = await detail("acmeEuAdmin", "acme-eu", id);
    assert.equal(page?.rawEvent?.state, "unavailable");
    assert.match((page!.rawEvent as { reason: string }).reason, /destroyed/);
    const row = await rawRow(fx.tenants["acme-eu"], id);
    await assert.rejects(openStoredRawEvent({ tenantId: fx.tenants["acme-eu"], alertId: id, keyVersion: row.key_version }, row.sealed), RawEventUnavailableError);

    const before = await withClient(db.url, async (c) => (await c.query(`select count(*)::int as n from public.alerts where tenant_id = $1`, [fx.tenants["acme-eu"]])).rows[0].n);
    const p = await refused(fx, "acmeEuAdmin", "acme-eu", ingestAlertsEndpoint, {
      body: { alerts: [{ external_id: "after-shred", source: "edr", title: "t", severity: "low", raw: { a: 1 } }] },
    });
    assert.equal(p.status, 409);
    const afterCount = await withClient(db.url, async (c) => (await c.query(`select count(*)::int as n from public.alerts where tenant_id = $1`, [fx.tenants["acme-eu"]])).rows[0].n);
    assert.equal(afterCount, before, "nothing written");
  });
});
