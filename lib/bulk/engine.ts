// What lib/bulk alone writes of a run (migration 20261201031700): a dry run's
// items, each tenant's result (status, message, the `before` an undo restores
// and the `after`), a run's notes and its end. The person's own statements
// (as `authenticated`: their RLS, the tables' triggers) plan the run and move
// its status along its life; these writes go through the service role inside
// that same transaction (withServiceRoleIn: the caller's role and claims come
// back after), so they commit or roll back with the step or the tenant's
// change they belong to. SQL as an MSSP admin (a Supabase Data API) cannot
// switch to the service role, so it cannot record a result, a `before`, a
// note or an end of its own.
//
// Callers hold the run row first under the person's RLS (lockRun, the
// worker's `for update`, an update as them): a run they cannot see or change
// is never written here.
import type pg from "pg";
import { withServiceRoleIn } from "@/lib/db/service-role";
import type { TenantTx } from "@/lib/db/with-tenant";

function asEngine<T>(tx: TenantTx, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withServiceRoleIn("bulk.engine", tx.db, (db) => fn(db.$client));
}

export interface PlannedItem {
  target: string;
  position: number;
  name: string;
  planned: string;
  skip: boolean;
}

/** A dry run's items (its run inserted by the planner in this transaction): pending, or skipped with the dry run's reason. */
export function insertItems(tx: TenantTx, runTenantId: string, runId: string, items: PlannedItem[]): Promise<unknown> {
  return asEngine(tx, (client) =>
    client.query(
      `insert into public.bulk_run_items (tenant_id, run_id, target_tenant_id, position, target_name, planned, plan_skip, status, message)
       select $1, $2, x.target, x.pos, x.name, x.planned, x.skip, case when x.skip then 'skipped' else 'pending' end, case when x.skip then x.planned end
         from unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::boolean[]) as x(target, pos, name, planned, skip)`,
      [
        runTenantId,
        runId,
        items.map((x) => x.target),
        items.map((x) => x.position),
        items.map((x) => x.name.slice(0, 200)),
        items.map((x) => x.planned.slice(0, 500)),
        items.map((x) => x.skip),
      ],
    ),
  );
}

/** One tenant's result; with `fields`, the `before` and `after` of the change just made (only when it ran forward). */
export function recordItem(
  tx: TenantTx,
  item: { runTenantId: string; runId: string; target: string },
  status: string,
  message: string,
  fields?: { before?: unknown; after?: unknown },
): Promise<unknown> {
  const both = fields !== undefined && "before" in fields;
  return asEngine(tx, (client) =>
    client.query(
      `update public.bulk_run_items set status = $4, message = $5, finished_at = now()
              ${both ? ", before = $6::jsonb, after = $7::jsonb" : ""}
        where tenant_id = $1 and run_id = $2 and target_tenant_id = $3`,
      [item.runTenantId, item.runId, item.target, status, message.slice(0, 500), ...(both ? [JSON.stringify(fields.before ?? null), JSON.stringify(fields.after ?? null)] : [])],
    ),
  );
}

/** Why a run paused (or was stopped), written right after the person's own move of its status. */
export function writeNote(tx: TenantTx, runTenantId: string, runId: string, note: string): Promise<unknown> {
  return asEngine(tx, (client) =>
    client.query("update public.bulk_runs set note = $3 where tenant_id = $1 and id = $2", [runTenantId, runId, note.slice(0, 500)]),
  );
}

/** The end of a run's work (no tenant left to change, or to walk back), with its counts. */
export function endRun(tx: TenantTx, runTenantId: string, runId: string, status: "finished" | "undone", note: string): Promise<unknown> {
  return asEngine(tx, (client) =>
    client.query("update public.bulk_runs set status = $3, finished_at = now(), note = $4 where tenant_id = $1 and id = $2", [
      runTenantId,
      runId,
      status,
      note.slice(0, 500),
    ]),
  );
}
