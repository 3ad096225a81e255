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
}
