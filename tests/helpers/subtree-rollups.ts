// The subtree rollups (migration 20261201024000) checked against their
// definition: each tenant's row is the sum of the daily rollup rows of every
// tenant at or below it in today's tree. Tests that change the tree or
// remove a tenant's data call it; an ancestor's subtree rows are expected to
// change with its descendants' data, so "nothing else touched" checks leave
// that table out and call this instead.
import assert from "node:assert/strict";
import type pg from "pg";

const COUNTS = ["created", "acknowledged", "tta_ms_sum", "closed", "false_positives", "ttr_count", "ttr_ms_sum", "ack_breaches", "resolve_breaches"];

export const SUBTREE_ROLLUPS_TABLE = "public.alert_subtree_rollups";
/** The comparison's day blocks of each subtree (migration 20261201025000): they follow the subtree rows. */
export const SUBTREE_BLOCKS_TABLE = "public.alert_subtree_blocks";

export async function assertSubtreeRollupsExact(owner: pg.Client, when: string): Promise<void> {
  const cols = COUNTS.map((c) => `${c}::text`).join(", ");
  const { rows: stored } = await owner.query(
    `select tenant_id, day::text, severity, ${cols} from public.alert_subtree_rollups order by 1, 2, 3`,
  );
  const { rows: reference } = await owner.query(
    `select a.id as tenant_id, d.day::text, d.severity, ${COUNTS.map((c) => `sum(d.${c})::text as ${c}`).join(", ")}
       from public.alert_daily_rollups d
       join public.tenants t on t.id = d.tenant_id
       join public.tenants a on t.path operator(extensions.<@) a.path
      group by 1, 2, 3
     having (${COUNTS.map((c) => `sum(d.${c})`).join(", ")}) <> (${COUNTS.map(() => "0").join(", ")})
      order by 1, 2, 3`,
  );
  assert.deepEqual(stored, reference, `subtree rollups exact ${when}`);
  await assertSubtreeBlocksExact(owner, when);
}

/**
 * The comparison's day blocks and asset counts (migration 20261201025000) against their definitions:
 * each block is the subtree rows of its days summed (severities folded), and each tenant's asset
 * count is its assets.
 */
export async function assertSubtreeBlocksExact(owner: pg.Client, when: string): Promise<void> {
  const BLOCK = ["created", "critical", "acknowledged", "tta_ms_sum", "closed", "ttr_count", "ttr_ms_sum", "sla_clocks", "sla_breaches"];
  const { rows: stored } = await owner.query(
    `select tenant_id, level, start_day::text, ${BLOCK.map((c) => `${c}::text`).join(", ")} from public.alert_subtree_blocks order by 1, 2, 3`,
  );
  const { rows: reference } = await owner.query(
    `with f as (
       select tenant_id, day, created, case when severity = 'critical' then created else 0 end as critical, acknowledged,
              tta_ms_sum, closed, ttr_count, ttr_ms_sum,
              case when severity <> 'info' then acknowledged + ttr_count else 0 end as sla_clocks,
              ack_breaches + resolve_breaches as sla_breaches
         from public.alert_subtree_rollups
     )
     select f.tenant_id, l.level, (f.day - ((f.day - date '2000-01-01') % (1 << l.level) + (1 << l.level)) % (1 << l.level))::text as start_day,
            ${BLOCK.map((c) => `sum(f.${c})::bigint::text as ${c}`).join(", ")}
       from f cross join generate_series(0, 10) l(level)
      group by 1, 2, 3
     having (${BLOCK.map((c) => `sum(f.${c})`).join(", ")}) <> (${BLOCK.map(() => "0").join(", ")})
      order by 1, 2, 3`,
  );
  assert.deepEqual(stored, reference, `subtree blocks exact ${when}`);
  const { rows: counts } = await owner.query("select tenant_id, assets::int from public.asset_counts order by 1");
  const { rows: countReference } = await owner.query("select tenant_id, count(*)::int as assets from public.assets group by 1 order by 1");
  assert.deepEqual(counts, countReference, `asset counts exact ${when}`);
}
