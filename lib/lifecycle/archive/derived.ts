// Rollup tables a restored archive predates, rebuilt from its rows.
//
// While a tenant is being restored, the triggers that keep the dashboards'
// and the comparison's rollups (alert_daily_rollups, alert_open_counts,
// alert_subtree_rollups, alert_subtree_blocks, asset_counts) leave its rows
// alone and take the archive's copies as they are. An archive taken before
// one of those tables existed has no copy, so, once the tenants are no longer
// "being restored" (keyring.end_restore) and still inside the restore's
// transaction, analytics.rebuild_restored_rollups (migration
// 20261201029700) recomputes each missing one for the restored tenants from
// their alerts and assets, with the triggers' own statements; their
// ancestors' rows follow by trigger. Tables the archive holds stay as it
// has them (their SLA breach counts were decided when each clock stopped).
import type pg from "pg";
import type { ArchiveHead } from "./format";

/** Rebuilds the rollups `head`'s archive lacks for `tenantIds`; returns the tables rebuilt. */
export async function rebuildMissingRollups(client: Pick<pg.ClientBase, "query">, head: ArchiveHead, tenantIds: string[]): Promise<string[]> {
  const { rows: [{ rebuilt }] } = await client.query<{ rebuilt: string[] }>(
    "select analytics.rebuild_restored_rollups($1::uuid[], $2::text[]) as rebuilt",
    [tenantIds, head.tables.map((t) => t.name)],
  );
  return rebuilt;
}
