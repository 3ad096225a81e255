// The comparison's day blocks and asset counts (migration 20261201025000) on a real Postgres with RLS:
// after inserts (back-dated and future-dated alerts too), triage changes, asset deletes, a tenant
// move and a tenant deletion,
//   - public.alert_subtree_blocks equals its definition (the subtree rollups summed over each aligned
//     block of 2^level days) and public.asset_counts equals a count of public.assets;
//   - every figure of analytics.customer_metrics equals a direct SQL computation over public.alerts
//     and public.assets, for the whole subtrees (read from the blocks) and for customers of which
//     only some tenants count (p_only: their tenants' daily rows), over ranges of 1 to 366 days
//     ending today, in the past and in the future;
//   - analytics.day_blocks covers a range exactly, with aligned blocks.
// The archive round trip checks the blocks through tests/helpers/subtree-rollups.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { moveTenant } from "@/lib/lifecycle/move";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { assertSubtreeBlocksExact } from "./helpers/subtree-rollups";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const NOW = new Date();
const DAY = 86_400_000;
const day = (offset: number) => new Date(Math.floor(NOW.getTime() / DAY) * DAY + offset * DAY).toISOString().slice(0, 10);

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261201);

/** n alerts of one tenant detected within [fromDays, toDays) of now, every severity and status. */
async function addAlerts(tenantId: string, n: number, fromDays: number, toDays: number) {
  const values: unknown[] = [];
  const rows: string[] = [];
  for (let k = 0; k < n; k++) {
    const detected = new Date(NOW.getTime() + (fromDays + random() * (toDays - fromDays)) * DAY);
    const severity = ["critical", "high", "medium", "low", "info"][Math.floor(random() * 5)];
    const roll = random();
    const status = roll < 0.25 ? "new" : roll < 0.4 ? "acknowledged" : roll < 0.5 ? "in_progress" : roll < 0.9 ? "resolved" : "false_positive";
    const ack = status === "new" ? null : random() < 0.85 ? new Date(detected.getTime() + random() * 20 * 3600_000) : null;
    const closed = status === "resolved" || status === "false_positive";
    const resolved = closed && random() < 0.9 ? new Date((ack ?? detected).getTime() + random() * 3 * DAY) : null;
    const b = values.length;
    values.push(tenantId, `alert ${k}`, severity, status, detected, ack, resolved, closed ? "done" : null);
    rows.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, 'test', $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`);
  }
  await owner(
    `insert into public.alerts (tenant_id, title, severity, status, source, detected_at, acknowledged_at, resolved_at, close_reason) values ${rows.join(", ")}`,
    values,
  );
}

const CUSTOMERS = () => [fx.tenants.acme, fx.tenants.globex];

/** A customer's raw figures over the UTC days [from, to) straight from the alerts and assets of `tenants` (its subtree's). */
async function direct(customerId: string, from: string, to: string, only: string[] | null) {
  const [r] = await owner(
    `with sub as (
       select t.id from public.tenants t join public.tenants c on c.id = $1 and t.path operator(extensions.<@) c.path
        where $4::uuid[] is null or t.id = any ($4)
     ), a as (
       select x.*, (x.detected_at at time zone 'UTC')::date as det_day,
              case when x.status <> 'new' then coalesce(x.acknowledged_at, case when x.status in ('resolved', 'false_positive') then x.resolved_at end) end as ack_at,
              x.status in ('resolved', 'false_positive') as closed
         from public.alerts x where x.tenant_id in (select id from sub)
     ), b as (
       select a.*, greatest(a.det_day, (a.ack_at at time zone 'UTC')::date) as ack_day,
              greatest(a.det_day, (coalesce(a.resolved_at, a.detected_at) at time zone 'UTC')::date) as close_day
         from a
     ), targets(severity, ack_min, res_min) as (values ('critical', 15, 240), ('high', 60, 1440), ('medium', 240, 4320), ('low', 1440, 10080))
     select (select count(*) from public.assets where tenant_id in (select id from sub))::text as assets,
            (count(*) filter (where det_day >= $2 and det_day < $3))::text as alerts,
            (count(*) filter (where det_day >= $2 and det_day < $3 and severity = 'critical'))::text as critical,
            (count(*) filter (where ack_at is not null and ack_day >= $2 and ack_day < $3))::text as acknowledged,
            coalesce(sum(greatest(0, round(extract(epoch from ack_at - detected_at) * 1000))) filter (where ack_at is not null and ack_day >= $2 and ack_day < $3), 0)::text as tta_ms_sum,
            (count(*) filter (where closed and resolved_at is not null and close_day >= $2 and close_day < $3))::text as resolved_timed,
            coalesce(sum(greatest(0, round(extract(epoch from resolved_at - detected_at) * 1000))) filter (where closed and resolved_at is not null and close_day >= $2 and close_day < $3), 0)::text as ttr_ms_sum,
            (count(*) filter (where severity <> 'info' and ack_at is not null and ack_day >= $2 and ack_day < $3)
              + count(*) filter (where severity <> 'info' and closed and resolved_at is not null and close_day >= $2 and close_day < $3))::text as sla_clocks,
            (count(*) filter (where ack_at is not null and ack_day >= $2 and ack_day < $3
                             and extract(epoch from ack_at - detected_at) > (select ack_min from targets g where g.severity = b.severity) * 60)
              + count(*) filter (where closed and resolved_at is not null and close_day >= $2 and close_day < $3
                             and extract(epoch from resolved_at - detected_at) > (select res_min from targets g where g.severity = b.severity) * 60))::text as sla_breaches,
            greatest(0, count(*) filter (where det_day < $3 and (not closed or close_day >= $3)))::text as open_at_end
       from b`,
    [customerId, from, to, only],
  );
  return r;
}

const FIGURES = ["assets", "alerts", "critical", "acknowledged", "tta_ms_sum", "resolved_timed", "ttr_ms_sum", "sla_clocks", "sla_breaches", "open_at_end"];
const RANGES: Array<[string, string, string]> = [
  ["30 days to today", day(-29), day(1)],
  ["1 day, today", day(0), day(1)],
  ["366 days to today", day(-365), day(1)],
  ["25 days ending 10 days ago", day(-35), day(-10)],
  ["7 days ending in 3 days (future-dated alerts)", day(-3), day(4)],
  ["90 days starting 200 days ago", day(-200), day(-110)],
];

async function assertFigures(when: string) {
  await withClient(db.url, (c) => assertSubtreeBlocksExact(c, when));
  // Whole subtrees (p_only null), and acme without one of its sites (acme read tenant by tenant).
  const everyTenant = Object.values(fx.tenants);
  const withoutSite = everyTenant.filter((id) => id !== fx.tenants["acme-eu"]);
  for (const [name, from, to] of RANGES) {
    for (const only of [null, withoutSite]) {
      const rows = await as(fx, "msspAdmin", async (tx) =>
        (await tx.client.query("select * from analytics.customer_metrics($1::uuid[], $2::date, $3::date, $4::uuid[])", [CUSTOMERS(), from, to, only])).rows,
      );
      assert.equal(rows.length, 2, `${when}, ${name}: one row per customer`);
      for (const id of CUSTOMERS()) {
        const got = rows.find((r) => r.customer_id === id)!;
        const [band] = await owner<{ b: string }>("select analytics.size_band($1::bigint) as b", [got.assets]);
        assert.equal(got.size_band, band.b, `${when}, ${name}: the size band written out in the function is analytics.size_band's`);
        const want = await direct(id, from, to, only);
        assert.deepEqual(
          Object.fromEntries(FIGURES.map((f) => [f, String(got[f])])),
          want,
          `${when}, ${name}, ${fx.slugOf(id)}${only ? " (without acme-eu)" : ""}`,
        );
      }
    }
  }
}

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  for (const [i, id] of Object.values(fx.tenants).entries()) {
    await owner("insert into public.assets (tenant_id, hostname) select $1, 'blk-' || g from generate_series(1, $2::int) g", [id, 2 + i * 3]);
    await addAlerts(id, 30, -400, 0);
  }
});
after(() => db?.drop());

describe("day blocks", () => {
  test("analytics.day_blocks covers a range exactly with aligned blocks, at most ~2 per level", async () => {
    for (const [from, to] of [[day(-29), day(1)], [day(-365), day(1)], ["1999-12-25", "2001-02-03"], [day(0), day(0)], ["2026-01-01", "2027-01-02"]]) {
      const blocks = await owner<{ level: number; start_day: string; aligned: boolean; next: string }>(
        `select level, start_day::text, analytics.block_start(start_day, level) = start_day as aligned, (start_day + (1 << level))::text as next
           from analytics.day_blocks($1::date, $2::date)`,
        [from, to],
      );
      let at = from;
      for (const b of blocks) {
        assert.equal(b.start_day, at, `${from}..${to}: contiguous`);
        assert.ok(b.aligned, `${from}..${to}: ${b.start_day} aligned at level ${b.level}`);
        at = b.next;
      }
      assert.equal(blocks.length === 0 ? from : at, blocks.length === 0 ? to : to, `${from}..${to}: ends at to`);
      assert.ok(blocks.length <= 20, `${from}..${to}: ${blocks.length} blocks`);
    }
  });
});

describe("the blocks and asset counts stay exact, and so do the figures", () => {
  test("after the fixtures and the backfill", async () => {
    await assertFigures("after the fixtures");
  });

  test("after a batch of new, back-dated and future-dated alerts", async () => {
    await addAlerts(fx.tenants["acme-eu"], 40, -3, 0);
    await addAlerts(fx.tenants.acme, 10, -700, -300);
    await addAlerts(fx.tenants.globex, 5, 1, 3);
    await assertFigures("after a batch");
  });

  test("after triage: acknowledge, close, reopen, a severity edit", async () => {
    await owner(`update public.alerts set status = 'acknowledged', acknowledged_at = now() where tenant_id = $1 and status = 'new'`, [fx.tenants["acme-eu"]]);
    await owner(`update public.alerts set status = 'resolved', resolved_at = now(), close_reason = 'fixed' where tenant_id = $1 and status = 'acknowledged'`, [fx.tenants.acme]);
    await owner(`update public.alerts set status = 'in_progress' where id = (select id from public.alerts where tenant_id = $1 and status = 'resolved' limit 1)`, [fx.tenants.globex]);
    await owner(`update public.alerts set severity = 'critical' where tenant_id = $1 and severity = 'info'`, [fx.tenants["acme-us"]]);
    await assertFigures("after triage");
  });

  test("after deleting alerts and assets", async () => {
    await owner(`delete from public.alerts where id in (select id from public.alerts where tenant_id = $1 order by detected_at limit 7)`, [fx.tenants["acme-eu"]]);
    await owner(`delete from public.assets where id in (select id from public.assets where tenant_id = $1 limit 2)`, [fx.tenants.acme]);
    await owner(`delete from public.assets where tenant_id = $1`, [fx.tenants.globex]);
    await assertFigures("after deletes");
  });

  test("after a tenant move and back", async () => {
    await withServiceRole("lifecycle.workflow", (sdb) => moveTenant(sdb, fx.tenants["acme-us"], fx.tenants.globex));
    await addAlerts(fx.tenants["acme-us"], 5, -2, 0);
    await assertFigures("after a move");
    await withServiceRole("lifecycle.workflow", (sdb) => moveTenant(sdb, fx.tenants["acme-us"], fx.tenants.acme));
    await assertFigures("after moving back");
  });

  test("after deleting a tenant with alerts and assets", async () => {
    const [t] = await owner<{ id: string }>("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'blk-gone', 'Gone', 'site') returning id", [fx.tenants.globex]);
    await addAlerts(t.id, 12, -50, 0);
    await owner("insert into public.assets (tenant_id, hostname) values ($1, 'gone-1'), ($1, 'gone-2')", [t.id]);
    await assertFigures("with the extra site");
    await owner("delete from public.tenants where id = $1", [t.id]);
    assert.equal((await owner("select 1 from public.alert_subtree_blocks where tenant_id = $1", [t.id])).length, 0);
    assert.equal((await owner("select 1 from public.asset_counts where tenant_id = $1", [t.id])).length, 0);
    await assertFigures("after deleting the site");
  });

  test("under RLS a customer admin reads its own subtree's blocks only, and nobody writes them", async () => {
    const seen = await as(fx, "acmeAdmin", async (tx) =>
      (await tx.client.query<{ tenant_id: string }>("select distinct tenant_id from public.alert_subtree_blocks union select tenant_id from public.asset_counts")).rows.map((r) => r.tenant_id),
    );
    assert.ok(seen.includes(fx.tenants.acme));
    assert.ok(!seen.includes(fx.tenants.globex) && !seen.includes(fx.tenants["mssp-a"]), "nothing of globex or of the MSSP's own subtree row");
    for (const sql of [
      "insert into public.alert_subtree_blocks (tenant_id, level, start_day, created) values ($1, 0, '2000-01-01', 1)",
      "update public.alert_subtree_blocks set created = created + 1 where tenant_id = $1",
      "delete from public.asset_counts where tenant_id = $1",
    ]) {
      await assert.rejects(
        as(fx, "acmeAdmin", async (tx) => {
          const r = await tx.client.query(sql, [fx.tenants.acme]);
          if ((r.rowCount ?? 0) === 0) throw new Error("refused (no row)");
        }),
        sql,
      );
    }
  });
});
