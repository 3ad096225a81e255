// Rollups (docs/usage.md): hourly and daily totals per tenant and metric,
// recomputed from the events, never incremented. For a batch of tenants and
// one UTC day, one transaction deletes the day's hourly and daily rows and
// inserts them again from the events, so:
//   - re-running a day gives the same totals (idempotent);
//   - a late event (recorded after its day was rolled) is included when the
//     day is rolled again: the hourly run finds every (tenant, day) with events
//     recorded since its last scan (less a safety margin) and re-rolls those;
//     the nightly run re-rolls the last REROLL_DAYS days whatever happened;
//   - a run killed half-way leaves each batch with its old totals or its new
//     ones (one transaction per batch), and the scan mark moves only after
//     every batch committed, so the next run redoes what was left.
// Counters are summed; snapshots take the period's maximum (lib/usage/metrics.ts).
// Periods are UTC hours and days. Runs as the service role (usage.rollup):
// it crosses tenants by design.
import { withServiceRole } from "@/lib/db/service-role";
import type { Db } from "@/lib/db/with-tenant";

export const DAY_MS = 86_400_000;
/** Events recorded this long before the last scan are looked at again (a transaction that committed late). */
export const SCAN_MARGIN_MS = 3_600_000;
/** How many past days the nightly run re-rolls in full. */
export const REROLL_DAYS = 7;
/** Tenants per rollup transaction. */
export const ROLLUP_BATCH = 200;

export const utcDay = (d: Date): Date => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);

export interface RollupStats {
  /** API request minutes moved into events. */
  apiMinutes: number;
  /** (tenant, day) pairs rolled. */
  tenantDays: number;
  /** Transactions (tenant batches × days). */
  batches: number;
}

/**
 * Moves closed minutes of the API request counter into usage_events, one
 * event per (tenant, minute). The counter rows are deleted in the same
 * statement that writes their events: each is counted exactly once; a request
 * counted into a minute after it was moved makes a new row, moved next time
 * (its key carries this transaction's id, so it does not collide).
 */
export async function flushApiCounts(db: Db): Promise<number> {
  const { rowCount } = await db.$client.query(
    `with moved as (
       delete from usage.api_request_counts where minute < date_trunc('minute', now()) returning tenant_id, minute, requests
     )
     insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source)
     select tenant_id, 'api_requests', requests, minute,
            'api:' || to_char(minute at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') || ':' || txid_current()::text, 'api.gateway'
       from moved
     on conflict (tenant_id, idempotency_key) do nothing`,
  );
  return rowCount ?? 0;
}

/**
 * Recomputes one UTC day of `tenantIds` in the caller's transaction. Holds a
 * transaction-level advisory lock on the day so two runs of the same day do
 * not interleave their delete and insert.
 */
export async function rollupDay(db: Db, tenantIds: readonly string[], day: Date): Promise<void> {
  const start = utcDay(day);
  const c = db.$client;
  await c.query("select pg_advisory_xact_lock(hashtext('usage.rollup'), $1::int)", [Math.floor(start.getTime() / DAY_MS)]);
  await c.query(
    `delete from public.usage_rollups
      where tenant_id = any ($1::uuid[]) and period_start >= $2 and period_start < $2::timestamptz + interval '24 hours'`,
    [tenantIds, start],
  );
  await c.query(
    `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
     select e.tenant_id, 'hour', date_trunc('hour', e.occurred_at at time zone 'UTC') at time zone 'UTC', e.metric,
            case usage.metric_kind(e.metric) when 'counter' then sum(e.quantity) else max(e.quantity) end, count(*)
       from public.usage_events e
      where e.tenant_id = any ($1::uuid[]) and e.occurred_at >= $2 and e.occurred_at < $2::timestamptz + interval '24 hours'
      group by e.tenant_id, 3, e.metric`,
    [tenantIds, start],
  );
  await c.query(
    `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
     select h.tenant_id, 'day', $2, h.metric,
            case usage.metric_kind(h.metric) when 'counter' then sum(h.quantity) else max(h.quantity) end, sum(h.events)
       from public.usage_rollups h
      where h.tenant_id = any ($1::uuid[]) and h.grain = 'hour' and h.period_start >= $2 and h.period_start < $2::timestamptz + interval '24 hours'
      group by h.tenant_id, h.metric`,
    [tenantIds, start],
  );
}

/** Rolls each (tenant, day) pair, grouped by day, ROLLUP_BATCH tenants per transaction. */
export async function rollupPairs(pairs: readonly { tenantId: string; day: Date }[], batchSize = ROLLUP_BATCH): Promise<{ batches: number }> {
  const byDay = new Map<number, string[]>();
  for (const p of pairs) {
    const d = utcDay(p.day).getTime();
    byDay.set(d, [...(byDay.get(d) ?? []), p.tenantId]);
  }
  let batches = 0;
  for (const [day, tenants] of [...byDay].sort((a, b) => a[0] - b[0])) {
    const unique = [...new Set(tenants)].sort();
    for (let i = 0; i < unique.length; i += batchSize) {
      await withServiceRole("usage.rollup", (db) => rollupDay(db, unique.slice(i, i + batchSize), new Date(day)));
      batches++;
    }
  }
  return { batches };
}

async function pairsWhere(db: Db, where: string, params: unknown[]): Promise<{ tenantId: string; day: Date }[]> {
  const { rows } = await db.$client.query<{ tenant_id: string; day: Date }>(
    `select distinct tenant_id, date_trunc('day', occurred_at at time zone 'UTC') at time zone 'UTC' as day
       from public.usage_events where ${where}`,
    params,
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, day: r.day }));
}

/**
 * The hourly run: API minutes into events, then every (tenant, day) with an
 * event recorded since the last scan (less SCAN_MARGIN_MS) rolled again, then
 * the scan mark moved to this run's start.
 */
export async function rollupDirty(opts: { batchSize?: number; marginMs?: number } = {}): Promise<RollupStats> {
  const apiMinutes = await withServiceRole("usage.rollup", flushApiCounts);
  const { startedAt, pairs } = await withServiceRole("usage.rollup", async (db) => {
    const { rows } = await db.$client.query<{ now: Date; scanned_to: Date | null }>(
      "select now(), (select scanned_to from usage.rollup_state) as scanned_to",
    );
    const since = rows[0].scanned_to ? new Date(rows[0].scanned_to.getTime() - (opts.marginMs ?? SCAN_MARGIN_MS)) : null;
    return {
      startedAt: rows[0].now,
      pairs: since ? await pairsWhere(db, "recorded_at >= $1", [since]) : await pairsWhere(db, "true", []),
    };
  });
  const { batches } = await rollupPairs(pairs, opts.batchSize);
  await withServiceRole("usage.rollup", (db) =>
    db.$client.query(
      `insert into usage.rollup_state (singleton, scanned_to) values (true, $1)
       on conflict (singleton) do update set scanned_to = greatest(usage.rollup_state.scanned_to, excluded.scanned_to), updated_at = now()`,
      [startedAt],
    ),
  );
  return { apiMinutes, tenantDays: pairs.length, batches };
}

/**
 * Re-rolls every (tenant, day) with events in [from, before) (UTC days),
 * optionally for some tenants only: the nightly run, and an operator's re-run
 * (docs/usage.md). Days without any event keep no rows.
 */
export async function rollupRange(opts: { from: Date; before: Date; tenantIds?: readonly string[]; batchSize?: number }): Promise<RollupStats> {
  const apiMinutes = await withServiceRole("usage.rollup", flushApiCounts);
  const from = utcDay(opts.from);
  const before = new Date(utcDay(new Date(opts.before.getTime() - 1)).getTime() + DAY_MS);
  const pairs = await withServiceRole("usage.rollup", async (db) => {
    const found = opts.tenantIds
      ? await pairsWhere(db, "occurred_at >= $1 and occurred_at < $2 and tenant_id = any ($3::uuid[])", [from, before, opts.tenantIds])
      : await pairsWhere(db, "occurred_at >= $1 and occurred_at < $2", [from, before]);
    // Days that have rollups but (no longer) any event: rolled too, which clears them.
    const { rows } = await db.$client.query<{ tenant_id: string; day: Date }>(
      `select distinct tenant_id, period_start as day from public.usage_rollups
        where grain = 'day' and period_start >= $1 and period_start < $2 and ($3::uuid[] is null or tenant_id = any ($3::uuid[]))`,
      [from, before, opts.tenantIds ?? null],
    );
    return [...found, ...rows.map((r) => ({ tenantId: r.tenant_id, day: r.day }))];
  });
  const { batches } = await rollupPairs(pairs, opts.batchSize);
  return { apiMinutes, tenantDays: new Set(pairs.map((p) => `${p.tenantId}:${p.day.getTime()}`)).size, batches };
}

/** The nightly run: the last `days` UTC days, today included, re-rolled in full. */
export function rerollRecent(days = REROLL_DAYS, now = new Date()): Promise<RollupStats> {
  const today = utcDay(now);
  return rollupRange({ from: new Date(today.getTime() - (days - 1) * DAY_MS), before: new Date(today.getTime() + DAY_MS) });
}
