// Usage rollups (lib/usage, issue 12 point 1) against a reference computation,
// over random event streams (fast-check), on a real Postgres:
//   - the hourly and daily totals equal the reference (counters summed,
//     snapshots the period's maximum), and re-running gives the same rows;
//   - a duplicate event (same tenant and key) is counted once, whatever its quantity;
//   - late events (recorded after their day was rolled) land in their own
//     period at the next run; one older than the scan margin is caught by the
//     nightly re-roll;
//   - the tree roll-up (usage.subtree_daily, and subtreeTotals under RLS as
//     the MSSP admin) equals the sum over each subtree of the reference;
//   - a rollup killed half-way (a failing statement injected by a trigger)
//     leaves each batch with its old totals or its new ones, and the scan mark
//     where it was.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import fc from "fast-check";
import { withServiceRole } from "@/lib/db/service-role";
import { recordUsage, type UsageEvent } from "@/lib/usage/record";
import { DAY_MS, rerollRecent, rollupDirty, rollupRange } from "@/lib/usage/rollup";
import { subtreeTotals } from "@/lib/usage/read";
import { METRIC_DEFINITIONS, USAGE_METRICS, type UsageMetric } from "@/lib/usage/metrics";
import { as } from "./helpers/sql";
import { insertFixtures, subtree, TENANT_SLUGS, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
const HOUR = 3_600_000;
// Three whole UTC days, ending yesterday (so "today" never matters).
const START = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS;
const END = START + 3 * DAY_MS;
const RUNS = Number(process.env.USAGE_PROPERTY_RUNS ?? 25);

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(async () => {
  await db?.drop();
});

const owner = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);
const reset = () => owner("truncate public.usage_events, public.usage_rollups; delete from usage.rollup_state; delete from usage.api_request_counts");

interface Ev {
  slug: TenantSlug;
  metric: UsageMetric;
  quantity: number;
  at: number;
  key: string;
}

const eventArb = fc.record({
  slug: fc.constantFrom(...TENANT_SLUGS),
  metric: fc.constantFrom(...USAGE_METRICS),
  quantity: fc.nat({ max: 1_000_000 }),
  at: fc.integer({ min: START, max: END - 1 }),
  // A small key space, so duplicates (same tenant and key) are common.
  key: fc.integer({ min: 0, max: 60 }).map((n) => `k${n}`),
});
const streamArb = fc.array(eventArb, { minLength: 1, maxLength: 120 });

const toEvent = (e: Ev): UsageEvent => ({ tenantId: fx.tenants[e.slug], metric: e.metric, quantity: e.quantity, occurredAt: new Date(e.at), key: e.key, source: "test" });

/** The first event of each (tenant, key) wins, as ON CONFLICT DO NOTHING keeps the first insert. */
function dedupe(events: readonly Ev[]): Ev[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const k = `${e.slug}\u0000${e.key}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Reference rollups: "tenantId|grain|metric|periodStartMs" → [quantity, events]. */
function reference(events: readonly Ev[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const add = (k: string, metric: UsageMetric, q: number, n: number) => {
    const cur = out.get(k);
    if (!cur) return void out.set(k, [q, n]);
    cur[0] = METRIC_DEFINITIONS[metric].kind === "counter" ? cur[0] + q : Math.max(cur[0], q);
    cur[1] += n;
  };
  for (const e of dedupe(events)) {
    const t = fx.tenants[e.slug];
    add(`${t}|hour|${e.metric}|${Math.floor(e.at / HOUR) * HOUR}`, e.metric, e.quantity, 1);
    add(`${t}|day|${e.metric}|${Math.floor(e.at / DAY_MS) * DAY_MS}`, e.metric, e.quantity, 1);
  }
  return out;
}

async function stored(): Promise<Map<string, [number, number]>> {
  const rows = await owner<{ tenant_id: string; grain: string; metric: string; period_start: Date; quantity: string; events: number }>(
    "select tenant_id, grain, metric, period_start, quantity, events from public.usage_rollups",
  );
  return new Map(rows.map((r) => [`${r.tenant_id}|${r.grain}|${r.metric}|${r.period_start.getTime()}`, [Number(r.quantity), r.events] as [number, number]]));
}

const sorted = (m: Map<string, [number, number]>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));

async function insertInChunks(events: readonly Ev[], chunk: number): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) {
    await withServiceRole("usage.rollup", (d) => recordUsage(d, events.slice(i, i + chunk).map(toEvent)));
  }
}

describe("rollups against the reference", () => {
  beforeEach(reset);

  test("totals equal the reference; a re-run gives the same rows; duplicates count once", async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), async (events, chunk, batch) => {
        await reset();
        await insertInChunks(events, chunk);
        const [{ n }] = await owner<{ n: number }>("select count(*)::int as n from public.usage_events");
        assert.equal(n, dedupe(events).length, "one row per (tenant, key)");
        await rollupRange({ from: new Date(START), before: new Date(END), batchSize: batch });
        const first = await stored();
        assert.deepEqual(sorted(first), sorted(reference(events)));
        // Again, as the nightly re-roll would: same rows.
        await rollupRange({ from: new Date(START), before: new Date(END), batchSize: 7 });
        assert.deepEqual(sorted(await stored()), sorted(first));
        // Every event sent again (a retried batch): nothing changes.
        await insertInChunks(events, 50);
        await rollupRange({ from: new Date(START), before: new Date(END) });
        assert.deepEqual(sorted(await stored()), sorted(first));
      }),
      { numRuns: RUNS },
    );
  });

  test("late events land in their own period at the next hourly run", async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, streamArb, async (early, late) => {
        await reset();
        await insertInChunks(early, 30);
        await rollupDirty();
        assert.deepEqual(sorted(await stored()), sorted(reference(early)));
        // Late: recorded now, for days already rolled (keys apart from the early ones).
        const lateOnes = late.map((e) => ({ ...e, key: `late-${e.key}` }));
        await insertInChunks(lateOnes, 30);
        const stats = await rollupDirty();
        assert.ok(stats.tenantDays > 0);
        assert.deepEqual(sorted(await stored()), sorted(reference([...early, ...lateOnes])));
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 2)) },
    );
  });
});

describe("late events and the scan mark", () => {
  beforeEach(reset);

  test("an event whose transaction began before the last run (within the margin) is rolled by the next", async () => {
    await insertInChunks([{ slug: "acme", metric: "alerts_ingested", quantity: 5, at: START + HOUR, key: "a" }], 1);
    await rollupDirty();
    // Committed after that run, stamped (transaction start) 20 minutes before its mark.
    await owner(
      `insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source, recorded_at)
       values ($1, 'alerts_ingested', 7, $2, 'b', 'test', (select scanned_to from usage.rollup_state) - interval '20 minutes')`,
      [fx.tenants.acme, new Date(START + 2 * HOUR)],
    );
    await rollupDirty();
    const [row] = await owner<{ quantity: string }>("select quantity from public.usage_rollups where tenant_id = $1 and grain = 'day' and metric = 'alerts_ingested'", [
      fx.tenants.acme,
    ]);
    assert.equal(Number(row.quantity), 12);
  });

  test("one older than the margin is missed by the hourly run and caught by the nightly re-roll", async () => {
    const day = Math.floor(Date.now() / DAY_MS) * DAY_MS - 2 * DAY_MS;
    // Both recorded long ago (the hourly run that found the first has long passed).
    await owner(
      `insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source, recorded_at)
       values ($1, 'api_requests', 3, $2, 'a', 'test', now() - interval '5 hours')`,
      [fx.tenants.globex, new Date(day + HOUR)],
    );
    await rollupDirty();
    await owner(
      `insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source, recorded_at)
       values ($1, 'api_requests', 4, $2, 'b', 'test', (select scanned_to from usage.rollup_state) - interval '2 hours')`,
      [fx.tenants.globex, new Date(day + 2 * HOUR)],
    );
    const total = async () =>
      Number(
        (await owner<{ quantity: string }>("select quantity from public.usage_rollups where tenant_id = $1 and grain = 'day' and metric = 'api_requests'", [fx.tenants.globex]))[0]
          .quantity,
      );
    await rollupDirty();
    assert.equal(await total(), 3, "outside the margin: the hourly run does not see it");
    await rerollRecent();
    assert.equal(await total(), 7, "the nightly re-roll of the last days does");
  });

  test("API request minutes move into events once, and roll up as api_requests", async () => {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000);
    await owner("insert into usage.api_request_counts (tenant_id, minute, requests) values ($1, $2, 41), ($3, $2, 2)", [fx.tenants.acme, minute, fx.tenants["acme-eu"]]);
    const stats = await rollupDirty();
    assert.equal(stats.apiMinutes, 2);
    assert.equal((await owner("select 1 from usage.api_request_counts")).length, 0);
    await rollupDirty();
    const rows = await owner<{ tenant_id: string; quantity: string }>(
      "select tenant_id, quantity from public.usage_rollups where grain = 'hour' and metric = 'api_requests' order by quantity",
    );
    assert.deepEqual(
      rows.map((r) => [r.tenant_id, Number(r.quantity)]),
      [
        [fx.tenants["acme-eu"], 2],
        [fx.tenants.acme, 41],
      ],
    );
  });
});

describe("the tree", () => {
  beforeEach(reset);

  test("each tenant's subtree total equals the sum of the reference over its subtree (SQL, and under RLS as the MSSP admin)", async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, async (events) => {
        await reset();
        await insertInChunks(events, 40);
        await rollupRange({ from: new Date(START), before: new Date(END) });
        const ref = reference(events);
        // Expected per root, day and metric: the sum over the subtree of each tenant's day total.
        const expected = new Map<string, number>();
        for (const root of TENANT_SLUGS) {
          for (const [k, [q]] of ref) {
            const [tenant, grain, metric, start] = k.split("|");
            if (grain !== "day" || !subtree(root).includes(fx.slugOf(tenant))) continue;
            const key = `${root}|${metric}|${start}`;
            expected.set(key, (expected.get(key) ?? 0) + q);
          }
        }
        const rows = await owner<{ root_id: string; day: Date; metric: string; quantity: string }>(
          "select root_id, day, metric, quantity from usage.subtree_daily($1::uuid[], $2, $3)",
          [TENANT_SLUGS.map((s) => fx.tenants[s]), new Date(START), new Date(END)],
        );
        const got = new Map(rows.map((r) => [`${fx.slugOf(r.root_id)}|${r.metric}|${r.day.getTime()}`, Number(r.quantity)]));
        assert.deepEqual([...got].sort(), [...expected].sort());

        // The month-style totals the pages read, as the MSSP admin under RLS: counters sum the days, snapshots take the largest.
        const roots = subtree("mssp-a");
        const totals = await as(fx, "msspAdmin", (tx) => subtreeTotals(tx, roots.map((s) => fx.tenants[s]), new Date(START), new Date(END)));
        for (const root of roots) {
          for (const m of USAGE_METRICS) {
            const days = [...expected].filter(([k]) => k.startsWith(`${root}|${m}|`)).map(([, q]) => q);
            const want = days.length === 0 ? 0 : METRIC_DEFINITIONS[m].kind === "counter" ? days.reduce((a, b) => a + b, 0) : Math.max(...days);
            assert.equal(totals.get(fx.tenants[root])![m].value, want, `${root} ${m}`);
          }
        }
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 2)) },
    );
  });
});

describe("a rollup killed half-way", () => {
  beforeEach(reset);

  test("each batch keeps its old totals or gets its new ones; the scan mark does not move; a re-run finishes", async () => {
    const day = START + DAY_MS;
    const first: Ev[] = TENANT_SLUGS.map((slug, i) => ({ slug, metric: "alerts_ingested", quantity: 10 + i, at: day + HOUR, key: "one" }));
    await insertInChunks(first, 100);
    await rollupDirty();
    const [{ scanned_to: mark }] = await owner<{ scanned_to: Date }>("select scanned_to from usage.rollup_state");
    const old = await stored();

    const second: Ev[] = TENANT_SLUGS.map((slug) => ({ slug, metric: "alerts_ingested", quantity: 100, at: day + 5 * HOUR, key: "two" }));
    await insertInChunks(second, 100);
    // The fault: the day row of acme fails to insert, after its batch deleted and re-inserted the hours.
    await owner(`create function public.usage_test_fault() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`);
    await owner(
      `create trigger usage_test_fault before insert on public.usage_rollups for each row
         when (new.grain = 'day' and new.tenant_id = '${fx.tenants.acme}') execute function public.usage_test_fault()`,
    );
    try {
      await assert.rejects(rollupDirty({ batchSize: 1 }), /injected fault/);
      const now = await stored();
      const want = reference([...first, ...second]);
      for (const slug of TENANT_SLUGS) {
        const t = fx.tenants[slug];
        const mine = (m: Map<string, [number, number]>) => sorted(new Map([...m].filter(([k]) => k.startsWith(`${t}|`))));
        const got = mine(now);
        // Batches are per tenant here (batchSize 1), in tenant id order: before acme's, new; acme, old; after it, not reached (old).
        assert.ok(
          JSON.stringify(got) === JSON.stringify(mine(old)) || JSON.stringify(got) === JSON.stringify(mine(want)),
          `${slug}: neither the old nor the new totals: ${JSON.stringify(got)}`,
        );
        if (slug === "acme") assert.deepEqual(got, mine(old), "the failed batch rolled back whole");
      }
      const [{ scanned_to }] = await owner<{ scanned_to: Date }>("select scanned_to from usage.rollup_state");
      assert.equal(scanned_to.getTime(), mark.getTime(), "the mark stays, so the next run redoes the work");
    } finally {
      await owner("drop trigger usage_test_fault on public.usage_rollups; drop function public.usage_test_fault()");
    }
    await rollupDirty();
    assert.deepEqual(sorted(await stored()), sorted(reference([...first, ...second])));
  });
});

describe("recordUsage refuses bad events whole", () => {
  beforeEach(reset);

  test("a negative or fractional quantity, an unknown metric or an empty key writes nothing", async () => {
    const good: UsageEvent = { tenantId: fx.tenants.acme, metric: "alerts_ingested", quantity: 1, key: "good", source: "test" };
    for (const bad of [
      { ...good, key: "neg", quantity: -1 },
      { ...good, key: "frac", quantity: 1.5 },
      { ...good, key: "metric", metric: "bananas" as UsageMetric },
      { ...good, key: "" },
    ]) {
      await assert.rejects(withServiceRole("usage.rollup", (d) => recordUsage(d, [good, bad])));
    }
    assert.equal((await owner("select 1 from public.usage_events")).length, 0);
    // And the database refuses them too, whoever writes.
    await assert.rejects(owner("insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source) values ($1, 'alerts_ingested', -1, now(), 'x', 't')", [fx.tenants.acme]));
    await assert.rejects(owner("insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source) values ($1, 'bananas', 1, now(), 'x', 't')", [fx.tenants.acme]));
  });

  test("the metric list here and in SQL agree", async () => {
    for (const m of USAGE_METRICS) {
      const [{ kind }] = await owner<{ kind: string }>("select usage.metric_kind($1) as kind", [m]);
      assert.equal(kind, METRIC_DEFINITIONS[m].kind, m);
    }
    const [{ kind }] = await owner<{ kind: string | null }>("select usage.metric_kind('bananas') as kind");
    assert.equal(kind, null);
  });
});
