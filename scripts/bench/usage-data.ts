// Usage rollups for the benches: 36 days of daily rollups (this month and the 30 days the usage pages
// chart) per tenant, six metrics, as the rollup job writes them (grain 'day', UTC midnights);
// quantities vary per tenant, day and metric. The page-query bench's usage scenarios (17, 18) and the
// pages bench (`--only=pages`: the /usage and /billing pages) read them.
import type pg from "pg";

export async function insertUsageRollups(owner: pg.Client, tenantIds: readonly string[]): Promise<void> {
  await owner.query(
    `insert into public.usage_rollups (tenant_id, grain, period_start, metric, quantity, events)
     select t.id, 'day', (date_trunc('day', now() at time zone 'UTC') - k * interval '1 day') at time zone 'UTC', m.metric,
            1 + abs(hashtext(t.id::text || k::text || m.metric)) % m.top, 1 + k % 24
       from unnest($1::uuid[]) t(id), generate_series(0, 35) k,
            (values ('alerts_ingested', 5000), ('api_requests', 20000), ('connector_pulls', 300),
                    ('assets_managed', 800), ('active_seats', 25), ('storage_bytes', 500000000)) m(metric, top)
     on conflict do nothing`,
    [tenantIds],
  );
}
