// Usage metering at scale for `npm run bench` (--only=metering; issue 12):
// 1,000 tenants × 30 days of events, recorded through recordUsage (the one
// multi-row INSERT … ON CONFLICT DO NOTHING every writer uses), then rolled
// up by the job's own functions (lib/usage/rollup.ts):
//   record    events/s through recordUsage, 5,000 per statement
//   one day   rollupRange over one UTC day for every tenant (what the nightly
//             re-roll does per day, in batches of 200 tenants)
//   30 days   the whole month, tenant-days/s
//   late      1,000 late events for yesterday, then the hourly rollupDirty
//   invoicing last month drafted, recomputed and finalized for every customer of the largest MSSP
// Per tenant and day: 24 alerts_ingested batches, 24 API minutes, 3 snapshots.
import pg from "pg";
import { draftPeriod, finalizeInvoice } from "@/lib/billing/invoices";
import { withServiceRole } from "@/lib/db/service-role";
import { recordUsage, type UsageEvent } from "@/lib/usage/record";
import { DAY_MS, rollupDirty, rollupRange, SCAN_MARGIN_MS, utcDay } from "@/lib/usage/rollup";
import type { UsageMetric } from "@/lib/usage/metrics";
import { fmtCount } from "./measure";

export interface MeteringBenchInput {
  tenantIds: string[];
  days?: number;
  log: (line: string) => void;
}

export async function runMeteringBench(o: MeteringBenchInput): Promise<string[]> {
  const days = o.days ?? 30;
  const today = utcDay(new Date()).getTime();
  const first = today - days * DAY_MS;
  const events: UsageEvent[] = [];
  const t0 = performance.now();
  let recorded = 0;
  const flush = async () => {
    const batch = events.splice(0, events.length);
    recorded += await withServiceRole("usage.rollup", (db) => recordUsage(db, batch));
  };
  for (const tenantId of o.tenantIds) {
    for (let d = 0; d < days; d++) {
      const day = first + d * DAY_MS;
      for (let h = 0; h < 24; h++) {
        events.push({ tenantId, metric: "alerts_ingested", quantity: 50 + ((h * 7 + d) % 40), occurredAt: new Date(day + h * 3_600_000 + 120_000), key: `b:${d}:${h}`, source: "bench" });
        events.push({ tenantId, metric: "api_requests", quantity: 30 + (h % 10), occurredAt: new Date(day + h * 3_600_000 + 60_000), key: `a:${d}:${h}`, source: "bench" });
      }
      for (const [metric, q] of [["assets_managed", 500 + d], ["active_seats", 12], ["storage_bytes", 50_000_000 + d * 100_000]] as [UsageMetric, number][]) {
        events.push({ tenantId, metric, quantity: q, occurredAt: new Date(day + 1_200_000), key: `s:${metric}:${d}`, source: "bench" });
      }
      if (events.length >= 5_000) await flush();
    }
  }
  await flush();
  const recordS = (performance.now() - t0) / 1000;
  const lines = [`record: ${fmtCount(recorded)} events for ${fmtCount(o.tenantIds.length)} tenants × ${days} days in ${recordS.toFixed(1)} s (${fmtCount(Math.round(recorded / recordS))} events/s, 5,000 per INSERT)`];
  o.log(`  ${lines[0]}`);

  const yesterday = today - DAY_MS;
  let t = performance.now();
  const one = await rollupRange({ from: new Date(yesterday), before: new Date(today) });
  const oneS = (performance.now() - t) / 1000;
  lines.push(`one day's rollup, every tenant: ${oneS.toFixed(2)} s (${fmtCount(one.tenantDays)} tenant-days, ${one.batches} transactions of ≤ 200 tenants)`);
  o.log(`  ${lines[1]}`);

  t = performance.now();
  const all = await rollupRange({ from: new Date(first), before: new Date(today) });
  const allS = (performance.now() - t) / 1000;
  lines.push(`${days} days' rollup: ${allS.toFixed(1)} s (${fmtCount(all.tenantDays)} tenant-days, ${fmtCount(Math.round(all.tenantDays / allS))} tenant-days/s, ${fmtCount(Math.round(recorded / allS))} events/s)`);
  o.log(`  ${lines[2]}`);

  // Steady state: the last hourly run has seen the history (its mark, less the margin, is now),
  // so the next one re-rolls only the days late events touch. Set as the owner (service role has
  // no business moving the mark by hand).
  const ownerClient = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await ownerClient.connect();
  try {
    await ownerClient.query(
      "insert into usage.rollup_state (singleton, scanned_to) values (true, now() + $1::int * interval '1 millisecond') on conflict (singleton) do update set scanned_to = excluded.scanned_to",
      [SCAN_MARGIN_MS],
    );
  } finally {
    await ownerClient.end();
  }
  await withServiceRole("usage.rollup", (db) =>
    recordUsage(
      db,
      o.tenantIds.map((tenantId) => ({ tenantId, metric: "alerts_ingested" as const, quantity: 1, occurredAt: new Date(yesterday + 3_600_000), key: "late", source: "bench" })),
    ),
  );
  t = performance.now();
  const late = await rollupDirty();
  lines.push(`hourly run after ${fmtCount(o.tenantIds.length)} late events for yesterday: ${((performance.now() - t) / 1000).toFixed(2)} s (${fmtCount(late.tenantDays)} tenant-days re-rolled)`);
  o.log(`  ${lines[3]}`);
  lines.push(await invoicingBench(o));
  o.log(`  ${lines[4]}`);
  return lines;
}

/**
 * Invoicing a period for every customer of the largest MSSP (~1,000 with the
 * scale data): one plan (base fee, minimum, graduated tiers, a per-1,000
 * unit), assigned to each customer; then last month drafted from the rollups
 * just built (lib/billing draftPeriod, the monthly job's call), drafted again
 * (a recompute: the same drafts), and every draft finalized one by one
 * (gapless numbering under the MSSP's counter lock).
 */
async function invoicingBench(o: MeteringBenchInput): Promise<string> {
  const owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1));
  const month = lastMonth.toISOString().slice(0, 7);
  let mssp: string;
  let customers: number;
  try {
    ({ rows: [{ id: mssp }] } = await owner.query<{ id: string }>(
      `select r.id from public.tenants r join public.tenants c on c.parent_id = r.id and c.kind = 'customer'
        where r.kind = 'mssp' group by r.id order by count(*) desc limit 1`,
    ));
    const { rows: [plan] } = await owner.query<{ id: string }>(
      `insert into public.billing_plans (tenant_id, name, currency, base_fee, minimum) values ($1, 'Bench plan', 'EUR', 50000, 100000) returning id`,
      [mssp],
    );
    await owner.query(
      `insert into public.billing_plan_prices (tenant_id, plan_id, metric, included, unit_size, tiers) values
         ($1, $2, 'assets_managed', 100, 1, '[{"up_to": 1000, "unit_price": 800}, {"up_to": null, "unit_price": 600}]'),
         ($1, $2, 'alerts_ingested', 10000, 1, '[{"up_to": null, "unit_price": 1}]'),
         ($1, $2, 'api_requests', 0, 1000, '[{"up_to": null, "unit_price": 5}]')`,
      [mssp, plan.id],
    );
    ({ rowCount: customers } = (await owner.query(
      `insert into public.billing_plan_assignments (tenant_id, plan_tenant_id, plan_id, starts_on)
       select c.id, $1, $2, $3::date from public.tenants c where c.parent_id = $1 and c.kind = 'customer'`,
      [mssp, plan.id, lastMonth.toISOString().slice(0, 10)],
    )) as { rowCount: number });
  } finally {
    await owner.end();
  }
  let t = performance.now();
  const drafted = await withServiceRole("billing.invoicing", (db) => draftPeriod(db.$client, month));
  const draftS = (performance.now() - t) / 1000;
  t = performance.now();
  await withServiceRole("billing.invoicing", (db) => draftPeriod(db.$client, month));
  const againS = (performance.now() - t) / 1000;
  const ids = await withServiceRole("billing.invoicing", async (db) =>
    (await db.$client.query<{ tenant_id: string; id: string }>(
      "select tenant_id, id from public.billing_invoices where mssp_id = $1 and status = 'draft' and kind = 'invoice'",
      [mssp],
    )).rows,
  );
  t = performance.now();
  for (const inv of ids) await withServiceRole("billing.invoicing", (db) => finalizeInvoice(db.$client, inv.tenant_id, inv.id, null));
  const finalS = (performance.now() - t) / 1000;
  return (
    `invoicing ${month} for ${fmtCount(customers)} customers: drafted ${fmtCount(drafted.drafted)} invoices from the rollups in ${draftS.toFixed(2)} s, ` +
    `recomputed in ${againS.toFixed(2)} s, finalized ${fmtCount(ids.length)} one by one (gapless numbers) in ${finalS.toFixed(2)} s`
  );
}
