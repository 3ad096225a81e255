// The alert rollups (migration 20261201016000, lib/analytics/rollups.ts) on a
// real Postgres with real RLS: after every kind of change to the alerts
// (a batch arriving, triage, a retention purge, deletes, a tenant moving)
// the rollup tables equal a direct computation over public.alerts written
// here independently of the migration, and lib/analytics's figures (period
// sums, open now, open at the end of each day) equal direct SQL.
// Also: RLS on the rollup tables (a tenant sees its own rows and its sites'),
// nobody writes them through `authenticated`, and the SQL defaults of the SLA
// targets are lib/settings's.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { subtreeCover } from "@/lib/analytics/cover";
import { scopeSeries, scopeSeriesOf, tenantMetrics, totalOf, type TenantMetrics } from "@/lib/analytics/rollups";
import { settingDefinition } from "@/lib/settings/registry";
import { withServiceRole } from "@/lib/db/service-role";
import { moveTenant } from "@/lib/lifecycle/move";
import { purgeExpiredAlerts } from "@/lib/retention/purge";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type TenantSlug, type UserName } from "./helpers/fixtures";
import { attempt, assertRefused } from "./helpers/sql";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();

const SLA_SEVERITIES = ["critical", "high", "medium", "low"] as const;
function slaDefaults(): string {
  return SLA_SEVERITIES.map((s) => {
    const ack = settingDefinition(`sla.${s}.ack_minutes`)!.default as number;
    const res = settingDefinition(`sla.${s}.resolve_minutes`)!.default as number;
    return `('${s}', ${ack}, ${res})`;
  }).join(", ");
}

/**
 * The rollups as a direct computation over public.alerts (docs/console.md's definitions). A breach
 * is the alert's stored flag (decided against the targets when its clock stopped; the test
 * "a change of SLA targets…" checks those), or today's targets for a clock stopped without one.
 */
function referenceSql(): string {
  return `
    with a as (
      select tenant_id, severity, status, detected_at, resolved_at, ack_breached, resolve_breached,
             (detected_at at time zone 'UTC')::date as det_day,
             case when status = 'new' then null
                  when acknowledged_at is not null then acknowledged_at
                  when status in ('resolved', 'false_positive') then resolved_at end as ack_at,
             status in ('resolved', 'false_positive') as is_closed
        from public.alerts
    ), tg as (
      select t.id as tenant_id, d.sev,
             coalesce((settings.value_of(t.id, 'sla.' || d.sev || '.ack_minutes') #>> '{}')::int, d.ack) as ack_min,
             coalesce((settings.value_of(t.id, 'sla.' || d.sev || '.resolve_minutes') #>> '{}')::int, d.res) as res_min
        from public.tenants t cross join (values ${slaDefaults()}) d(sev, ack, res)
    ), created as (
      select tenant_id, det_day as day, severity, count(*) as n from a group by 1, 2, 3
    ), acked as (
      select a.tenant_id, greatest(det_day, (ack_at at time zone 'UTC')::date) as day, a.severity, count(*) as n,
             sum(greatest(0, round(extract(epoch from ack_at - detected_at) * 1000))) as ms,
             count(*) filter (where coalesce(ack_breached, extract(epoch from ack_at - detected_at) > tg.ack_min * 60)) as breaches
        from a left join tg on tg.tenant_id = a.tenant_id and tg.sev = a.severity
       where ack_at is not null group by 1, 2, 3
    ), closed as (
      select a.tenant_id, greatest(det_day, (coalesce(resolved_at, detected_at) at time zone 'UTC')::date) as day, a.severity,
             count(*) as n, count(*) filter (where status = 'false_positive') as fp, count(resolved_at) as timed,
             coalesce(sum(greatest(0, round(extract(epoch from resolved_at - detected_at) * 1000))), 0) as ms,
             count(*) filter (where resolved_at is not null and coalesce(resolve_breached, extract(epoch from resolved_at - detected_at) > tg.res_min * 60)) as breaches
        from a left join tg on tg.tenant_id = a.tenant_id and tg.sev = a.severity
       where is_closed group by 1, 2, 3
    ), k as (
      select tenant_id, day, severity from created union select tenant_id, day, severity from acked
      union select tenant_id, day, severity from closed
    )
    select k.tenant_id, k.day::text, k.severity,
           coalesce(c.n, 0)::int as created, coalesce(ak.n, 0)::int as acknowledged, coalesce(ak.ms, 0)::bigint::text as tta_ms_sum,
           coalesce(cl.n, 0)::int as closed, coalesce(cl.fp, 0)::int as false_positives, coalesce(cl.timed, 0)::int as ttr_count,
           coalesce(cl.ms, 0)::bigint::text as ttr_ms_sum, coalesce(ak.breaches, 0)::int as ack_breaches,
           coalesce(cl.breaches, 0)::int as resolve_breaches
      from k
      left join created c using (tenant_id, day, severity)
      left join acked ak using (tenant_id, day, severity)
      left join closed cl using (tenant_id, day, severity)
     order by 1, 2, 3`;
}

const STORED = `select tenant_id, day::text, severity, created, acknowledged, tta_ms_sum::text, closed, false_positives,
                       ttr_count, ttr_ms_sum::text, ack_breaches, resolve_breaches
                  from public.alert_daily_rollups order by 1, 2, 3`;
const OPEN_STORED = "select tenant_id, severity, open from public.alert_open_counts order by 1, 2";
const OPEN_REFERENCE = `select tenant_id, severity, count(*)::int as open from public.alerts
                         where status in ('new', 'acknowledged', 'in_progress') group by 1, 2 order by 1, 2`;

// The subtree rollups (migration 20261201024000): each tenant's row is the sum of the daily rows of
// every tenant at or below it in today's tree, here from the reference computation over the alerts.
const SUBTREE_STORED = `select tenant_id, day::text, severity, created, acknowledged, tta_ms_sum::text, closed, false_positives,
                               ttr_count, ttr_ms_sum::text, ack_breaches, resolve_breaches
                          from public.alert_subtree_rollups order by 1, 2, 3`;
const subtreeReference = () => `
  with r as (${referenceSql()})
  select a.id as tenant_id, r.day, r.severity, sum(r.created)::int as created, sum(r.acknowledged)::int as acknowledged,
         sum(r.tta_ms_sum::bigint)::text as tta_ms_sum, sum(r.closed)::int as closed, sum(r.false_positives)::int as false_positives,
         sum(r.ttr_count)::int as ttr_count, sum(r.ttr_ms_sum::bigint)::text as ttr_ms_sum, sum(r.ack_breaches)::int as ack_breaches,
         sum(r.resolve_breaches)::int as resolve_breaches
    from r join public.tenants t on t.id = r.tenant_id
    join public.tenants a on t.path operator(extensions.<@) a.path
   group by 1, 2, 3 order by 1, 2, 3`;

async function assertExact(when: string) {
  const [stored, reference] = await Promise.all([env.owner(STORED), env.owner(referenceSql())]);
  assert.ok(reference.length > 0, "the reference has rows");
  assert.deepEqual(stored, reference, `daily rollups exact ${when}`);
  assert.deepEqual(await env.owner(OPEN_STORED), await env.owner(OPEN_REFERENCE), `open counts exact ${when}`);
  const subtree = await env.owner(SUBTREE_STORED);
  assert.ok(subtree.length > 0, "the subtree rollups have rows");
  assert.deepEqual(subtree, await env.owner(subtreeReference()), `subtree rollups exact ${when}`);
}

const DAY_MS = 86_400_000;
const today = () => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
const dayStr = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (n: number, hour = 10) => new Date(today().getTime() - n * DAY_MS + hour * 3_600_000);

/** A batch of alerts in one statement, as an ingest would write them. */
async function insertBatch(slug: TenantSlug, rows: { sev: string; status?: string; detected: Date; ack?: Date | null; resolved?: Date | null; created?: Date }[]) {
  await env.owner(
    `insert into public.alerts (tenant_id, title, severity, status, source, detected_at, created_at, acknowledged_at, resolved_at, close_reason)
     select $1, 'Batch alert', r.sev, r.status, 'test', r.detected, coalesce(r.created, r.detected), r.ack, r.resolved,
            case when r.status in ('resolved', 'false_positive') then 'done' end
       from jsonb_to_recordset($2::jsonb) r(sev text, status text, detected timestamptz, ack timestamptz, resolved timestamptz, created timestamptz)`,
    [env.fx.tenants[slug], JSON.stringify(rows.map((r) => ({ status: "new", ...r })))],
  );
}

env.before(async () => {
  // Acme sets a tight critical acknowledge target (5 min) before anything is acknowledged.
  await env.owner(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'sla.critical.ack_minutes', '5')`, [env.fx.tenants.acme]);
});

describe("rollups stay exact", () => {
  test("the backfill and the fixtures' alerts", async () => {
    await assertExact("after the fixtures");
  });

  test("a batch of new alerts, some already triaged (history)", async () => {
    await insertBatch("acme", [
      { sev: "critical", detected: daysAgo(3) },
      { sev: "critical", status: "acknowledged", detected: daysAgo(3), ack: new Date(daysAgo(3).getTime() + 10 * 60_000) },
      { sev: "high", status: "resolved", detected: daysAgo(5), ack: new Date(daysAgo(5).getTime() + 30 * 60_000), resolved: daysAgo(2) },
      { sev: "medium", status: "false_positive", detected: daysAgo(1), resolved: new Date(daysAgo(1).getTime() + 60_000) },
      // Closed without a recorded time (imported): counted closed on its detection day, no MTTR.
      { sev: "low", status: "resolved", detected: daysAgo(10), resolved: null },
      // Closed "before" it was detected (clock skew): counted on the detection day.
      { sev: "info", status: "resolved", detected: daysAgo(4), resolved: daysAgo(6) },
      { sev: "info", detected: daysAgo(0) },
    ]);
    await insertBatch("acme-eu", Array.from({ length: 50 }, (_, i) => ({ sev: ["critical", "high", "medium", "low", "info"][i % 5], detected: daysAgo(i % 14, i % 24) })));
    await insertBatch("globex", [{ sev: "high", detected: daysAgo(20) }, { sev: "critical", detected: daysAgo(0) }]);
    await assertExact("after batches");
  });

  test("triage: acknowledge, close, reopen, a bulk status change, a severity edit, an assignment", async () => {
    await env.owner(`update public.alerts set status = 'acknowledged' where tenant_id = $1 and status = 'new' and severity in ('critical', 'high')`, [env.fx.tenants["acme-eu"]]);
    await assertExact("after a bulk acknowledge");
    await env.owner(`update public.alerts set status = 'resolved', close_reason = 'fixed' where tenant_id = $1 and status = 'acknowledged'`, [env.fx.tenants["acme-eu"]]);
    await assertExact("after closing");
    await env.owner(`update public.alerts set status = 'in_progress' where id = (select id from public.alerts where tenant_id = $1 and status = 'resolved' limit 1)`, [env.fx.tenants["acme-eu"]]);
    await assertExact("after a reopen");
    await env.owner(`update public.alerts set severity = 'critical' where tenant_id = $1 and severity = 'low'`, [env.fx.tenants["acme-eu"]]);
    await env.owner(`update public.alerts set title = 'Renamed' where tenant_id = $1`, [env.fx.tenants.acme]);
    await env.owner(`update public.alerts set assigned_to = $2 where tenant_id = $1`, [env.fx.tenants.acme, env.fx.users.acmeAnalyst]);
    await assertExact("after edits");
  });

  test("deletes and a retention purge", async () => {
    await env.owner(`delete from public.alerts where id = (select id from public.alerts where tenant_id = $1 and severity = 'medium' limit 1)`, [env.fx.tenants["acme-eu"]]);
    await assertExact("after a delete");
    // Globex keeps 7 days: its 20-day-old alert goes.
    await env.owner(`insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.data_retention_days', '7')`, [env.fx.tenants.globex]);
    const before = await env.owner<{ n: number }>("select count(*)::int as n from public.alerts where tenant_id = $1", [env.fx.tenants.globex]);
    await purgeExpiredAlerts();
    const after = await env.owner<{ n: number }>("select count(*)::int as n from public.alerts where tenant_id = $1", [env.fx.tenants.globex]);
    assert.ok(after[0].n < before[0].n, "the purge deleted globex's old alert");
    await assertExact("after the retention purge");
  });

  test("a change of SLA targets does not rewrite the breaches counted, and taking an alert away takes away what it added", async () => {
    const acme = env.fx.tenants.acme;
    const first = daysAgo(2, 3);
    const second = daysAgo(2, 4);
    const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
    // Acknowledged 10 minutes after detection: past acme's 5-minute critical target.
    await insertBatch("acme", [
      { sev: "critical", status: "acknowledged", detected: first, ack: plus(first, 10) },
      { sev: "critical", status: "resolved", detected: second, ack: plus(second, 10), resolved: plus(second, 20) },
    ]);
    const flags = () =>
      env.owner<{ ack_breached: boolean | null; resolve_breached: boolean | null }>(
        "select ack_breached, resolve_breached from public.alerts where tenant_id = $1 and detected_at = any($2::timestamptz[]) order by detected_at",
        [acme, [first, second]],
      );
    assert.deepEqual(await flags(), [
      { ack_breached: true, resolve_breached: null },
      { ack_breached: true, resolve_breached: false },
    ]);
    await assertExact("after two breaching alerts");
    // The target is loosened to an hour: what was counted stays counted (the past is not rewritten)...
    await env.owner("update public.tenant_settings set value = '60' where tenant_id = $1 and key = 'sla.critical.ack_minutes'", [acme]);
    await env.owner("update public.alerts set title = 'Edited' where tenant_id = $1 and detected_at = $2", [acme, second]);
    assert.equal((await flags())[1].ack_breached, true, "an edit that stops no clock keeps the flag");
    await assertExact("after the target changed");
    // ...a delete takes away the breach it added, and a new acknowledgement time is judged by today's target.
    await env.owner("delete from public.alerts where tenant_id = $1 and detected_at = $2", [acme, first]);
    await assertExact("after deleting a breached alert");
    await env.owner("update public.alerts set acknowledged_at = $3 where tenant_id = $1 and detected_at = $2", [acme, second, plus(second, 30)]);
    assert.deepEqual(await flags(), [{ ack_breached: false, resolve_breached: false }]);
    await assertExact("after a new acknowledgement time");
    // Nobody signed in writes the flags (or the clocks' times): only the triage columns are theirs (20261201028100).
    await assert.rejects(
      env.as("acmeAdmin", (tx) => tx.client.query("update public.alerts set ack_breached = true, resolve_breached = true where tenant_id = $1 and detected_at = $2", [acme, second])),
      (e: { code?: string }) => e.code === "42501",
    );
    assert.deepEqual(await flags(), [{ ack_breached: false, resolve_breached: false }]);
    await env.owner("update public.tenant_settings set value = '5' where tenant_id = $1 and key = 'sla.critical.ack_minutes'", [acme]);
    await assertExact("after the target came back");
  });

  test("a tenant move keeps each tenant's rows; subtrees follow the tree", async () => {
    const rowsBefore = await env.owner(STORED);
    // acme-us moves from acme to globex, as the lifecycle's move does it.
    await withServiceRole("lifecycle.workflow", (sdb) => moveTenant(sdb, env.fx.tenants["acme-us"], env.fx.tenants.globex));
    await insertBatch("acme-us", [{ sev: "critical", detected: daysAgo(1) }]);
    await assertExact("after a move");
    assert.ok((await env.owner(STORED)).length >= rowsBefore.length);
    const q = { from: dayStr(daysAgo(30)), to: dayStr(today()), tenantIds: [env.fx.tenants.acme, env.fx.tenants.globex], subtree: true,
      within: Object.values(env.fx.tenants) };
    const m = await env.as("msspAdmin", (tx) => tenantMetrics(tx, q));
    for (const root of ["acme", "globex"] as const) {
      const [direct] = await env.owner<{ created: number; open: number }>(
        `select count(*) filter (where a.detected_at >= $2::date and a.detected_at < $3::date + 1)::int as created,
                count(*) filter (where a.status in ('new', 'acknowledged', 'in_progress'))::int as open
           from public.alerts a join public.tenants t on t.id = a.tenant_id
          where t.path operator(extensions.<@) (select path from public.tenants where id = $1)`,
        [env.fx.tenants[root], q.from, q.to],
      );
      const got = m.find((x) => x.tenantId === env.fx.tenants[root])!;
      assert.equal(totalOf(got.period).created, direct.created, `${root} subtree created`);
      assert.equal(Object.values(got.openNow).reduce((a, b) => a + b, 0), direct.open, `${root} subtree open`);
    }
    await withServiceRole("lifecycle.workflow", (sdb) => moveTenant(sdb, env.fx.tenants["acme-us"], env.fx.tenants.acme));
    await assertExact("after moving back");
  });

  test("a deleted tenant's alerts go with it (no rollup row is left or re-created)", async () => {
    const { rows: [t] } = await withClient(env.db.url, (c) =>
      c.query<{ id: string }>("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'gone-co', 'Gone', 'customer') returning id", [env.fx.tenants["mssp-a"]]),
    );
    await env.owner("insert into public.alerts (tenant_id, title, severity, source) values ($1, 'x', 'high', 'test')", [t.id]);
    assert.equal((await env.owner("select 1 from public.alert_open_counts where tenant_id = $1", [t.id])).length, 1);
    await env.owner("delete from public.tenants where id = $1", [t.id]);
    assert.equal((await env.owner("select 1 from public.alert_daily_rollups where tenant_id = $1", [t.id])).length, 0);
    assert.equal((await env.owner("select 1 from public.alert_open_counts where tenant_id = $1", [t.id])).length, 0);
    await assertExact("after deleting a tenant");
  });
});

describe("the migration's backfill", () => {
  test("rebuilt from the alerts alone by the migration's statement, the rollups are the same", async () => {
    const before = await env.owner(STORED);
    await env.owner(`delete from public.alert_daily_rollups; delete from public.alert_open_counts`);
    await env.owner(`do $$ begin execute analytics.delta_sql('(select 1 as s, tenant_id, severity, status, detected_at, acknowledged_at, resolved_at, ack_breached, resolve_breached from public.alerts)'); end $$`);
    assert.deepEqual(await env.owner(STORED), before);
    await assertExact("after a backfill");
  });
});

describe("lib/analytics figures equal direct SQL", () => {
  test("period sums, MTTA/MTTR sums and open at the end of each day", async () => {
    const from = dayStr(daysAgo(15));
    const to = dayStr(daysAgo(2));
    const ids = [env.fx.tenants.acme, env.fx.tenants["acme-eu"], env.fx.tenants["acme-us"]];
    const m: TenantMetrics[] = await env.as("msspAdmin", (tx) => tenantMetrics(tx, { from, to, tenantIds: ids }));
    const series = scopeSeries(m, from, to);
    assert.equal(series.length, 14);
    const openRef = await env.owner<{ day: string; severity: string; open: number }>(
      `with a as (
         select severity, (detected_at at time zone 'UTC')::date as det_day, status in ('resolved', 'false_positive') as is_closed,
                greatest((detected_at at time zone 'UTC')::date, (coalesce(resolved_at, detected_at) at time zone 'UTC')::date) as closed_day
           from public.alerts where tenant_id = any ($1::uuid[]))
       select d::date::text as day, s.severity, count(a.*) filter (where a.det_day <= d::date and not (a.is_closed and a.closed_day <= d::date))::int as open
         from generate_series($2::date, $3::date, '1 day') d
         cross join (values ('critical'), ('high'), ('medium'), ('low'), ('info')) s(severity)
         left join a on a.severity = s.severity
        group by 1, 2 order by 1, 2`,
      [ids, from, to],
    );
    for (const r of openRef) {
      const day = series.find((d) => d.day === r.day)!;
      assert.equal(day.openAtEnd[r.severity as "critical"], r.open, `open at the end of ${r.day} (${r.severity})`);
    }
    const [sums] = await env.owner<Record<string, string>>(
      `select count(*) filter (where (detected_at at time zone 'UTC')::date between $2::date and $3::date)::text as created
         from public.alerts where tenant_id = any ($1::uuid[])`,
      [ids, from, to],
    );
    const total = m.reduce((n, t) => n + totalOf(t.period).created, 0);
    assert.equal(String(total), sums.created);
    const [stored] = await env.owner<Record<string, string>>(
      `select sum(acknowledged)::text as acknowledged, sum(tta_ms_sum)::text as tta, sum(closed)::text as closed, sum(ttr_ms_sum)::text as ttr
         from public.alert_daily_rollups where tenant_id = any ($1::uuid[]) and day between $2::date and $3::date`,
      [ids, from, to],
    );
    const t = m.map((x) => totalOf(x.period)).reduce((a, b) => ({ ...a, acknowledged: a.acknowledged + b.acknowledged, ttaMsSum: a.ttaMsSum + b.ttaMsSum, closed: a.closed + b.closed, ttrMsSum: a.ttrMsSum + b.ttrMsSum }));
    assert.equal(String(t.acknowledged), stored.acknowledged ?? "0");
    assert.equal(String(t.closed), stored.closed ?? "0");
    assert.equal(String(t.ttaMsSum), stored.tta ?? "0");
    assert.equal(String(t.ttrMsSum), stored.ttr ?? "0");
  });

  test("bad days are refused", async () => {
    await assert.rejects(env.as("msspAdmin", (tx) => tenantMetrics(tx, { from: "yesterday", to: "2026-01-01", tenantIds: [env.fx.tenants.acme] })));
  });
});

describe("RLS on the rollups", () => {
  const seen = (user: UserName, table: string) =>
    env.as(user, async (tx) => {
      const { rows } = await tx.client.query<{ tenant_id: string }>(`select distinct tenant_id from public.${table}`);
      return rows.map((r) => env.fx.slugOf(r.tenant_id)).sort();
    });

  test("a tenant sees its own rows and its sites'; an MSSP its customers'; the other MSSP nothing of them", async () => {
    for (const table of ["alert_daily_rollups", "alert_open_counts", "alert_subtree_rollups"]) {
      assert.deepEqual(await seen("acmeAdmin", table), ["acme", "acme-eu", "acme-us"].sort(), `${table}: acme admin`);
      assert.deepEqual(await seen("acmeViewer", table), ["acme", "acme-eu", "acme-us"].sort(), `${table}: acme viewer`);
      assert.deepEqual(await seen("acmeEuAdmin", table), ["acme-eu"], `${table}: acme-eu admin`);
      assert.deepEqual(await seen("globexAdmin", table), ["globex"], `${table}: globex admin`);
      assert.deepEqual(await seen("otherCoAdmin", table), ["other-co"], `${table}: other-co admin`);
      assert.ok(!(await seen("msspAdmin", table)).includes("other-co"), `${table}: mssp-a admin sees no mssp-b tenant`);
      assert.deepEqual(await seen("noMemberships", table), [], `${table}: no memberships`);
    }
  });

  test("nobody writes the rollups through authenticated", async () => {
    await env.as("msspAdmin", async (tx) => {
      await tx.client.query("savepoint s");
      assertRefused(await attempt(tx.client, "update public.alert_daily_rollups set created = 0"));
      await tx.client.query("rollback to savepoint s");
      assertRefused(await attempt(tx.client, "delete from public.alert_open_counts"));
      await tx.client.query("rollback to savepoint s");
      assertRefused(await attempt(tx.client, "update public.alert_subtree_rollups set created = 0"));
      await tx.client.query("rollback to savepoint s");
      assertRefused(await attempt(tx.client, "insert into public.alert_subtree_rollups (tenant_id, day, severity, created) values ($1, '2000-01-01', 'high', 5)", [env.fx.tenants.acme]));
      await tx.client.query("rollback to savepoint s");
      assertRefused(await attempt(tx.client, "select analytics.recompute_subtree_rollups(array[$1::uuid])", [env.fx.tenants.acme]));
      await tx.client.query("rollback to savepoint s");
      assertRefused(await attempt(tx.client, "insert into public.alert_open_counts (tenant_id, severity, open) values ($1, 'high', 5)", [env.fx.tenants.acme]));
      await tx.client.query("rollback to savepoint s");
      assertRefused(await attempt(tx.client, "select * from analytics.sla_targets(array[$1::uuid])", [env.fx.tenants.acme]));
      await tx.client.query("rollback to savepoint s");
    });
  });

  test("an analyst's triage under RLS keeps the rollups exact", async () => {
    await env.as("acmeAnalyst", async (tx) => {
      await tx.client.query(`update public.alerts set status = 'acknowledged' where tenant_id = $1 and status = 'new'`, [env.fx.tenants.acme]);
    });
    await assertExact("after an analyst acknowledged under RLS");
  });
});

describe("the subtree cover (lib/analytics/cover.ts)", () => {
  const tree = [
    { id: "m", parentId: null },
    { id: "c1", parentId: "m" },
    { id: "s1", parentId: "c1" },
    { id: "s2", parentId: "c1" },
    { id: "c2", parentId: "m" },
  ];

  test("whole subtrees are read from their root, the rest tenant by tenant", () => {
    assert.deepEqual(subtreeCover(tree, ["m", "c1", "s1", "s2", "c2"]), { roots: ["m"], singles: [] });
    // One site the PDP denies: its customer and the MSSP are no longer whole.
    assert.deepEqual(subtreeCover(tree, ["m", "c1", "s1", "c2"]), { roots: ["c2", "s1"], singles: ["c1", "m"] });
    // The MSSP itself denied: its customers are whole.
    assert.deepEqual(subtreeCover(tree, ["c1", "s1", "s2", "c2"]), { roots: ["c1", "c2"], singles: [] });
    assert.deepEqual(subtreeCover(tree, []), { roots: [], singles: [] });
    // An id outside the tree (RLS hides it) is asked for as itself, and RLS drops it.
    assert.deepEqual(subtreeCover(tree, ["c2", "x"]), { roots: ["c2"], singles: ["x"] });
  });

  test("the series from the cover equals the sum of every readable tenant's daily rows, under RLS", async () => {
    const from = dayStr(daysAgo(30));
    const to = dayStr(today());
    await env.as("msspAdmin", async (tx) => {
      const { rows } = await tx.client.query<{ id: string; parent_id: string | null }>("select id, parent_id from public.tenants");
      const tenants = rows.map((r) => ({ id: r.id, parentId: r.parent_id }));
      const all = rows.map((r) => r.id);
      for (const readable of [all, all.filter((id) => id !== env.fx.tenants["acme-eu"]), [env.fx.tenants.acme, env.fx.tenants["acme-us"]]]) {
        const cover = subtreeCover(tenants, readable);
        const viaCover = await scopeSeriesOf(tx, { from, to, tenantIds: readable, cover });
        const direct = await scopeSeriesOf(tx, { from, to, tenantIds: readable });
        assert.deepEqual(viaCover, direct, `cover ${JSON.stringify(cover).length} chars`);
        assert.ok(direct.some((d) => Object.values(d.bySeverity).some((c) => c.created > 0)), "the series is not empty");
      }
      // The whole scope really is one row per day and severity.
      assert.deepEqual(subtreeCover(tenants, all).singles, []);
    });
  });

  test("a renamed customer (its sites' paths follow in nested statements) keeps the subtree rows exact", async () => {
    await env.owner("update public.tenants set slug = 'acme-renamed' where id = $1", [env.fx.tenants.acme]);
    await assertExact("after renaming a customer with sites");
    await env.owner("update public.tenants set slug = 'acme' where id = $1", [env.fx.tenants.acme]);
    await assertExact("after renaming it back");
  });
});
