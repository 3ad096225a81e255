// A bulk run's life, each step in the caller's withTenant transaction after
// the PDP allowed bulk:run on the run's tenant, an MSSP (lib/actions/bulk/bulk-action.ts):
//   planRun      the dry run: selection → per-tenant diff (the PDP asked per
//                tenant for the operation's actions) → a 'planned' run whose
//                items say what would change; nothing else is written.
//   startRun     explicit confirmation (the number of tenants that change,
//                typed), optional canary → 'running', the worker job queued.
//   stopRun / continueRun / undoRun / discardRun
// The worker acts as bulk_runs.acting_by: the person who started the run, then
// whoever continued it or asked for (or continued) its undo. started_by and
// undo_by stay who started it and who asked for the undo (history).
// Triggers (migrations 20261201030500, 20261201030510, 20261201031700) hold
// what these steps write to what they may: a run only on an MSSP, its
// operation and parameters fixed, its status along its life, running or
// undoing only as the caller. The items, the notes and a run's end are
// written by lib/bulk/engine.ts alone (the service role, in the same
// transaction): a person's SQL writes none of them.
import { ActionRefusal } from "@/lib/actions/refusal";
import { checkActionsForEach, principalFromClaims } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import { enqueueJob } from "@/lib/jobs";
import { describeSelection, selectTargets } from "./select";
import { operationImpl } from "./ops";
import { BULK_JOB_KIND } from "./execute";
import { insertItems, writeNote } from "./engine";
import { UNDO, type OperationParams, type RunStatus, type Selection } from "./model";


export interface PlannedRun {
  id: string;
  total: number;
  toChange: number;
}

async function planNames(tx: TenantTx, s: Selection): Promise<{ root: string; plan: string | null }> {
  const { rows } = await tx.client.query<{ root: string; plan: string | null }>(
    "select (select name from public.tenants where id = $1) as root, (select name from public.billing_plans where id::text = $2) as plan",
    [s.rootId, s.plan],
  );
  return { root: rows[0]?.root ?? "?", plan: rows[0]?.plan ?? null };
}

/** The dry run. Refuses bad input (no tenant, too many, an unknown setting or value, a missing plan) with nothing written. */
export async function planRun(tx: TenantTx, input: { runTenantId: string; selection: Selection; params: OperationParams }): Promise<PlannedRun> {
  const { runTenantId, selection, params } = input;
  const { rows: inside } = await tx.client.query(
    `select 1 from public.tenants r join public.tenants m on m.id = $2 where r.id = $1 and r.path operator(extensions.<@) m.path`,
    [selection.rootId, runTenantId],
  );
  if (!inside[0]) throw new ActionRefusal("Choose the top of the selection among this MSSP's tenants. Nothing was changed.");
  const op = operationImpl(params);
  const summary = await op.validate(tx, params, runTenantId);
  const targets = await selectTargets(tx, selection);
  const lines = await op.plan(tx, targets, params);
  const actions = op.actions(params);
  const decisions = await checkActionsForEach(principalFromClaims(tx.claims), actions, targets);
  const items = targets.map((t, i) => {
    const denied = actions.filter((a) => !decisions.get(t.id)?.[a]);
    const line = denied.length > 0 ? { planned: `Not allowed for you here (${denied.join(", ")}): skipped.`, skip: true } : lines[i];
    return { t, i, ...line };
  });
  const names = await planNames(tx, selection);
  const { rows } = await tx.client.query<{ id: string }>(
    `insert into public.bulk_runs (tenant_id, operation, params, selection, total, note, created_by)
     values ($1, $2, $3::jsonb, $4::jsonb, $5, $6, auth.uid()) returning id`,
    [
      runTenantId,
      params.operation,
      JSON.stringify(params),
      JSON.stringify({ ...selection, words: describeSelection(selection, names) }),
      targets.length,
      summary.slice(0, 500),
    ],
  );
  const id = rows[0].id;
  // The items are the engine's to write (lib/bulk/engine.ts): what each tenant's line says is what this dry run computed.
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    await insertItems(tx, runTenantId, id, chunk.map((x) => ({ target: x.t.id, position: x.i, name: x.t.name, planned: x.planned, skip: x.skip })));
  }
  return { id, total: targets.length, toChange: items.filter((x) => !x.skip).length };
}

interface RunRow {
  id: string;
  status: RunStatus;
  operation: OperationParams["operation"];
  total: number;
  /** Its undo was asked for: a paused run with this set was paused during its undo. */
  undo_started: boolean;
}

async function lockRun(tx: TenantTx, runTenantId: string, runId: string): Promise<RunRow> {
  const { rows } = await tx.client.query<RunRow>(
    "select id, status, operation, total, undo_at is not null as undo_started from public.bulk_runs where tenant_id = $1 and id = $2 for update",
    [runTenantId, runId],
  );
  if (!rows[0]) throw new ActionRefusal("That bulk run is not here. Nothing was changed.");
  return rows[0];
}

async function pendingCount(tx: TenantTx, runTenantId: string, runId: string): Promise<number> {
  const { rows } = await tx.client.query<{ n: number }>(
    "select count(*)::int as n from public.bulk_run_items where tenant_id = $1 and run_id = $2 and status = 'pending'",
    [runTenantId, runId],
  );
  return rows[0].n;
}

const queue = (tx: TenantTx, runTenantId: string) => enqueueJob(tx, { tenantId: runTenantId, kind: BULK_JOB_KIND, maxAttempts: 10 });

/**
 * Starts a planned run after the person typed how many tenants will change.
 * With a canary of N, the first N run and the run pauses for them to look.
 */
export async function startRun(tx: TenantTx, input: { runTenantId: string; runId: string; confirm: number; canary: number | null }): Promise<{ toChange: number }> {
  const run = await lockRun(tx, input.runTenantId, input.runId);
  if (run.status !== "planned") throw new ActionRefusal("This run was started or discarded already. Nothing was changed.");
  const toChange = await pendingCount(tx, input.runTenantId, input.runId);
  if (toChange === 0) throw new ActionRefusal("Nothing to change: every selected tenant is skipped. Nothing was changed.");
  if (input.confirm !== toChange) {
    throw new ActionRefusal(`To confirm, type the number of tenants that will change (${toChange}). Nothing was changed.`);
  }
  if (input.canary !== null && input.canary >= toChange) {
    throw new ActionRefusal(`A canary is smaller than the run: at most ${toChange - 1} ${toChange - 1 === 1 ? "tenant" : "tenants"} (or none). Nothing was changed.`);
  }
  await tx.client.query(
    `update public.bulk_runs set status = 'running', canary = $3, started_by = auth.uid(), acting_by = auth.uid(), started_at = now(), note = null
      where tenant_id = $1 and id = $2`,
    [input.runTenantId, input.runId, input.canary],
  );
  await queue(tx, input.runTenantId);
  return { toChange };
}

/** Stops a running run after the tenant being changed now; the rest stay pending. */
export async function stopRun(tx: TenantTx, runTenantId: string, runId: string): Promise<void> {
  const run = await lockRun(tx, runTenantId, runId);
  if (run.status !== "running" && run.status !== "undoing") throw new ActionRefusal("Only a running run or undo can be stopped. Nothing was changed.");
  // A stopped undo stays an undo: Continue carries on walking back (continueRun), never the change.
  const note =
    run.status === "undoing"
      ? "Undo stopped by an operator: continue the undo to carry on walking back the tenants left."
      : "Stopped by an operator: continue to carry on with the tenants left.";
  await tx.client.query("update public.bulk_runs set status = 'paused' where tenant_id = $1 and id = $2", [runTenantId, runId]);
  await writeNote(tx, runTenantId, runId, note);
}

/**
 * A paused undo goes on, as the caller from now on (undo_by stays who asked
 * for it). With no tenant left to walk back, the worker marks the run undone.
 */
async function resumeUndo(tx: TenantTx, runTenantId: string, runId: string): Promise<void> {
  await tx.client.query(
    "update public.bulk_runs set status = 'undoing', acting_by = auth.uid(), note = null where tenant_id = $1 and id = $2",
    [runTenantId, runId],
  );
}

/**
 * Carries on with a paused run (after its canary or a stop), or hands a
 * running or undoing run whose worker job ended to a worker again. A run
 * paused during its undo carries on with the undo (never the change). The
 * person who continues a paused run is the one it acts as from then on.
 */
export async function continueRun(tx: TenantTx, runTenantId: string, runId: string): Promise<void> {
  const run = await lockRun(tx, runTenantId, runId);
  if (run.status === "paused" && run.undo_started) {
    await resumeUndo(tx, runTenantId, runId);
  } else if (run.status === "paused") {
    if ((await pendingCount(tx, runTenantId, runId)) === 0) throw new ActionRefusal("Nothing is left to do in this run. Nothing was changed.");
    // The canary is passed only by continuing after it ran: a run stopped before its first N tenants
    // ran still pauses for them to be looked at (the same count lib/bulk/execute.ts pauses on).
    await tx.client.query(
      `update public.bulk_runs r
          set status = 'running', acting_by = auth.uid(), note = null,
              canary_passed = r.canary_passed or (r.canary is not null and (
                select count(*) from public.bulk_run_items i
                 where i.tenant_id = r.tenant_id and i.run_id = r.id and i.status in ('done', 'failed')) >= r.canary)
        where r.tenant_id = $1 and r.id = $2`,
      [runTenantId, runId],
    );
  } else if (run.status !== "running" && run.status !== "undoing") {
    throw new ActionRefusal("Only a paused run can be continued. Nothing was changed.");
  }
  await queue(tx, runTenantId);
}

/** Walks every tenant the run changed back to exactly what it had, newest first (a paused undo: carries on with it). */
export async function undoRun(tx: TenantTx, runTenantId: string, runId: string): Promise<void> {
  const run = await lockRun(tx, runTenantId, runId);
  const undo = UNDO[run.operation];
  if (undo !== true) throw new ActionRefusal(`${undo} Nothing was changed.`);
  if (run.status !== "paused" && run.status !== "finished") throw new ActionRefusal("Stop the run first, or wait until it finishes; then undo it. Nothing was changed.");
  if (run.undo_started) {
    await resumeUndo(tx, runTenantId, runId);
  } else {
    await tx.client.query(
      "update public.bulk_runs set status = 'undoing', undo_by = auth.uid(), undo_at = now(), acting_by = auth.uid(), note = null where tenant_id = $1 and id = $2",
      [runTenantId, runId],
    );
  }
  await queue(tx, runTenantId);
}

/** Drops a dry run that was not started. */
export async function discardRun(tx: TenantTx, runTenantId: string, runId: string): Promise<void> {
  const run = await lockRun(tx, runTenantId, runId);
  if (run.status !== "planned") throw new ActionRefusal("Only a dry run that was not started can be discarded. Nothing was changed.");
  await tx.client.query("update public.bulk_runs set status = 'discarded', finished_at = now() where tenant_id = $1 and id = $2", [runTenantId, runId]);
}
