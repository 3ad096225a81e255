// limits.data_retention_days acts (lib/retention): the daily purge deletes each
// tenant's alerts older than its effective retention (own value, else the
// nearest ancestor's, else the default), with their timeline rows, in bounded
// batches, one audit row per batch that deleted, and nothing on a second run.
// Real Postgres; the job runs through graphile-worker as the cron would queue it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseCrontab } from "graphile-worker";
import { runJobsUntilIdle } from "@/lib/jobs";
import { purgeExpiredAlerts, RETENTION_CRONTAB, RETENTION_TASK, registerRetentionTask } from "@/lib/retention/purge";
import { insertFixtures, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const NOW = new Date();
const DAY = 24 * 3600 * 1000;

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  registerRetentionTask();
});
after(async () => {
  await db?.drop();
});

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

async function alertAged(tenant: TenantSlug, days: number): Promise<string> {
  const at = new Date(NOW.getTime() - days * DAY);
  const [row] = await owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, status, detected_at, created_at)
     values ($1, $2, 'high', 'edr', 'new', $3, $3) returning id`,
    [fx.tenants[tenant], `retention ${tenant} ${days}d`, at],
  );
  return row.id;
}
const exists = async (id: string) => (await owner<{ n: number }>("select count(*)::int as n from public.alerts where id = $1", [id]))[0].n === 1;
const eventsOf = async (id: string) => (await owner<{ n: number }>("select count(*)::int as n from public.alert_events where alert_id = $1", [id]))[0].n;
const purgeAudit = () =>
  owner<{ tenant_id: string; actor_id: string | null; details: Record<string, unknown> }>(
    "select tenant_id, actor_id, details from public.audit_log where action = 'retention.purge' order by seq",
  );
async function setRetention(tenant: TenantSlug, days: number) {
  await owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.data_retention_days', $2::jsonb)", [fx.tenants[tenant], JSON.stringify(days)]);
}

describe("limits.data_retention_days", () => {
  test("deletes only each tenant's alerts older than its effective retention (sites inherit), with their timeline; audited per tenant; idempotent", async () => {
    await setRetention("acme", 30); // acme-eu inherits 30
    await setRetention("acme-us", 60); // a site's own value wins over its customer's
    const a = {
      acmeOld: await alertAged("acme", 40),
      acmeNew: await alertAged("acme", 20),
      euOld: await alertAged("acme-eu", 31),
      euNew: await alertAged("acme-eu", 29),
      usMid: await alertAged("acme-us", 40),
      usOld: await alertAged("acme-us", 61),
      globexMid: await alertAged("globex", 40), // default 365: kept
      globexOld: await alertAged("globex", 400),
      otherMid: await alertAged("other-co", 300),
    };
    // A timeline on the old acme alert (acknowledge + a comment), and one on a kept alert.
    await owner("update public.alerts set status = 'acknowledged' where id = $1", [a.acmeOld]);
    await owner("update public.alerts set status = 'acknowledged' where id = $1", [a.acmeNew]);
    assert.ok((await eventsOf(a.acmeOld)) > 0 && (await eventsOf(a.acmeNew)) > 0);

    // Batches of 1: several transactions per tenant, one audit row per batch that deleted (one each here).
    const purged = await purgeExpiredAlerts({ now: NOW, batchSize: 1 });
    const bySlug = (id: string) => (Object.entries(fx.tenants) as [TenantSlug, string][]).find(([, v]) => v === id)![0];
    assert.deepEqual(
      purged.map((p) => [bySlug(p.tenantId), p.retentionDays, p.deleted]).sort(),
      [
        ["acme", 30, 1],
        ["acme-eu", 30, 1],
        ["acme-us", 60, 1],
        ["globex", 365, 1],
      ],
    );
    for (const id of [a.acmeOld, a.euOld, a.usOld, a.globexOld]) assert.equal(await exists(id), false);
    for (const id of [a.acmeNew, a.euNew, a.usMid, a.globexMid, a.otherMid]) assert.equal(await exists(id), true);
    assert.equal(await eventsOf(a.acmeOld), 0, "the timeline goes with the alert");
    assert.ok((await eventsOf(a.acmeNew)) > 0, "a kept alert keeps its timeline");
    // The fixtures' fresh alerts are untouched.
    const [{ n }] = await owner<{ n: number }>("select count(*)::int as n from public.alerts where id = any ($1::uuid[])", [Object.values(fx.alerts).flat()]);
    assert.equal(n, Object.values(fx.alerts).flat().length);

    const audit = await purgeAudit();
    assert.deepEqual(
      audit.map((r) => [bySlug(r.tenant_id), r.actor_id, r.details.deleted, r.details.retention_days]).sort(),
      [
        ["acme", null, 1, 30],
        ["acme-eu", null, 1, 30],
        ["acme-us", null, 1, 60],
        ["globex", null, 1, 365],
      ],
    );

    // Again: nothing more to delete, no new audit rows.
    assert.deepEqual(await purgeExpiredAlerts({ now: NOW, batchSize: 1 }), []);
    assert.equal((await purgeAudit()).length, audit.length);
  });

  test("every batch records what it deleted in its own transaction: the rows add up whatever the run's length", async () => {
    await owner("update public.tenant_settings set value = '90' where tenant_id = $1 and key = 'limits.data_retention_days'", [fx.tenants["acme-us"]]);
    const before = (await purgeAudit()).length;
    for (let i = 0; i < 5; i++) await alertAged("acme-us", 100 + i);
    const purged = await purgeExpiredAlerts({ now: NOW, batchSize: 2 });
    assert.equal(purged.find((p) => p.tenantId === fx.tenants["acme-us"])?.deleted, 5);
    const rows = (await purgeAudit()).slice(before).filter((r) => r.tenant_id === fx.tenants["acme-us"]);
    assert.deepEqual(rows.map((r) => r.details.deleted), [2, 2, 1], "one row per batch, committed with it");
  });

  test("limits.legal_hold: a tenant on hold, and the sites below it, lose nothing to age until it is lifted", async () => {
    await owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.legal_hold', 'true')", [fx.tenants.acme]);
    const held = { acme: await alertAged("acme", 400), eu: await alertAged("acme-eu", 400) };
    const free = await alertAged("other-co", 400); // default 365 days, no hold
    try {
      const purged = await purgeExpiredAlerts({ now: NOW });
      assert.ok(!purged.some((p) => [fx.tenants.acme, fx.tenants["acme-eu"]].includes(p.tenantId)), "nothing of acme or its site");
      assert.deepEqual([await exists(held.acme), await exists(held.eu), await exists(free)], [true, true, false]);
    } finally {
      await owner("delete from public.tenant_settings where tenant_id = $1 and key = 'limits.legal_hold'", [fx.tenants.acme]);
    }
    // Lifted: the next run deletes what is past the tenant's retention.
    await purgeExpiredAlerts({ now: NOW });
    assert.deepEqual([await exists(held.acme), await exists(held.eu)], [false, false]);
  });

  test("the daily job: a valid crontab line for the registered task, and the queued job purges through the engine", async () => {
    const [item] = parseCrontab(RETENTION_CRONTAB);
    assert.equal(item.task, RETENTION_TASK);
    await setRetention("globex", 7).catch(() => owner("update public.tenant_settings set value = '7' where tenant_id = $1 and key = 'limits.data_retention_days'", [fx.tenants.globex]));
    const old = await alertAged("globex", 8);
    const fresh = await alertAged("globex", 6);
    await owner(`select graphile_worker.add_job($1, '{}'::json)`, [RETENTION_TASK]);
    await runJobsUntilIdle({ kinds: [RETENTION_TASK] });
    const [{ left }] = await owner<{ left: number }>("select count(*)::int as left from graphile_worker.jobs where task_identifier = $1", [RETENTION_TASK]);
    assert.equal(left, 0, "the job ran and finished");
    assert.equal(await exists(old), false);
    assert.equal(await exists(fresh), true);
  });
});
