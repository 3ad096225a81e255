// The worker side (job kind "bulk.run", one job per MSSP at a time: it works
// through every running or undoing run of its tenant, oldest first).
//
// Each item is ONE transaction, opened with withTenant as the person the run
// acts as (bulk_runs.acting_by: who started it, then whoever continued it or
// asked for or continued its undo), so RLS and the PDP decide exactly as they
// would for that person's click:
//   lock the run row (a stop waits for the item in hand) → check it still
//   runs (and the canary) → take the next item → in a savepoint: the PDP for
//   the operation's actions on that tenant (denied: skipped, with the reason)
//   → the change → the item's result and the audit row in the tenant's trail
//   → release. Anything that goes wrong in the savepoint rolls all of it back
//   and the item is marked failed (a refusal: with its message; anything else:
//   a safe sentence, the details in the log), audited in the tenant's trail.
//   Only a PDP that cannot answer and a transient database error (deadlock,
//   lock timeout, serialization failure) end the attempt: the item stays
//   pending and the job engine retries it. A statement timeout is tried again
//   at once, up to ITEM_TIMEOUT_TRIES times in a row, then fails the item.
//   One bad tenant never holds up the run, nor the MSSP's runs queued behind it.
//   The item's result, the run's notes and its end are written by
//   lib/bulk/engine.ts (the service role, inside this same transaction): the
//   actor's own statements may not write them (migration 20261201031700).
//   Which errors end the attempt, the timeout's tries and a failed tenant's
//   record: lib/bulk/item-failure.ts.
// A worker killed anywhere leaves each tenant done (committed with its item)
// or untouched (rolled back with it); the next attempt carries on from the
// first pending item. A run whose actor is gone, may no longer run bulk
// operations or no longer sees the run (RLS: their role was taken away) is
// paused with a note saying so; whoever continues it acts for it from then on.
// So is a run whose stored parameters no longer pass the operation's schema.
import { recordAudit } from "@/lib/audit/record";
import { checkActions, isPdpUnavailable, principalFromClaims, tenantResource, checkAction } from "@/lib/authz";
import { sqlState } from "@/lib/db/sql-state";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { checkpoint, PermanentJobError, type JobContext, type JobHandler } from "@/lib/jobs";
import { log } from "@/lib/log";
import { BATCH_SIZE, canaryWords, operationSchema, type OperationParams, type RunStatus } from "./model";
import { endRun, recordItem, writeNote } from "./engine";
import { failItem, isTransientDbError, ITEM_TIMEOUT_TRIES, STATEMENT_TIMEOUT, type RecordItem } from "./item-failure";
import { operationImpl } from "./ops";
import type { Target } from "./select";

interface ActiveRun {
  id: string;
  status: RunStatus;
  params: OperationParams;
  total: number;
  canary: number | null;
  canary_passed: boolean;
  actor: string | null;
  /** The row's updated_at, as text: a run paused and continued since is a new state. */
  version: string;
}

/** "lost": the actor no longer sees the run (RLS); the job's creator pauses it. "again": a tenant timed out, tried again next. */
type Step = "more" | "again" | "stopped" | "ended" | "lost";

/** The next run of the tenant with work to do, read as the job's creator (an MSSP admin: the worker checked bulk:run). */
async function nextRun(creator: string, runTenantId: string): Promise<ActiveRun | null> {
  return withTenant({ userId: creator, activeTenantId: null }, async (tx) => {
    const { rows } = await tx.client.query<ActiveRun>(
      `select id, status, params, total, canary, canary_passed, acting_by as actor, updated_at::text as version
         from public.bulk_runs
        where tenant_id = $1 and status in ('running', 'undoing')
        order by coalesce(undo_at, started_at), id
        limit 1`,
      [runTenantId],
    );
    return rows[0] ?? null;
  });
}

/** Paused as the person in `tx` (their RLS and the run's triggers), with the engine's note saying why. */
async function pause(tx: TenantTx, runTenantId: string, runId: string, note: string) {
  await tx.client.query("update public.bulk_runs set status = 'paused' where tenant_id = $1 and id = $2", [runTenantId, runId]);
  await writeNote(tx, runTenantId, runId, note);
}

/** Pauses the run only if it is still as the worker read it (nobody stopped or continued it meanwhile). */
async function pauseIfUnchanged(tx: TenantTx, runTenantId: string, run: ActiveRun, note: string) {
  const { rowCount } = await tx.client.query(
    "update public.bulk_runs set status = 'paused' where tenant_id = $1 and id = $2 and status = $3 and acting_by is not distinct from $4",
    [runTenantId, run.id, run.status, run.actor],
  );
  if (rowCount) await writeNote(tx, runTenantId, run.id, note);
}

/** Why a run paused, and what the next person does: a run paused during its undo carries on with the undo. */
const pausedNote = (undoing: boolean, why: string) =>
  undoing ? `Undo paused: ${why}. Continue the undo to carry it on as yourself.` : `Paused: ${why}. Continue to carry on as yourself.`;

/** The canary's pause: "the first tenant ran" for one, "the first N tenants ran" for more. */
export const canaryDoneNote = (n: number) =>
  `Canary done: ${canaryWords(n)} ran (changed or failed; tenants skipped on the way not counted). Check ${n === 1 ? "it" : "them"}, then continue (or undo).`;

interface ItemRow {
  target_tenant_id: string;
  target_name: string;
  before: unknown;
  after: unknown;
}

export interface BulkHooks {
  /** Inside an item's transaction, after its change and audit row, before the commit (tests kill the worker here). */
  beforeCommit?(target: string): Promise<void> | void;
}

/** One item (or the run's end), in one transaction as the run's actor. `timeouts`: this attempt's timeouts per run and tenant. */
async function step(runTenantId: string, run: ActiveRun, hooks: BulkHooks, timeouts: Map<string, number>): Promise<Step> {
  const undoing = run.status === "undoing";
  const op = operationImpl(run.params);
  return withTenant({ userId: run.actor!, activeTenantId: null }, async (tx) => {
    const { rows: now } = await tx.client.query<{ status: RunStatus; canary: number | null; canary_passed: boolean; acting_by: string | null }>(
      "select status, canary, canary_passed, acting_by from public.bulk_runs where tenant_id = $1 and id = $2 for update",
      [runTenantId, run.id],
    );
    // Not visible to the actor any more (their role here was taken away): nothing they can do or record.
    if (!now[0]) return "lost";
    // Stopped, or continued by someone else (the run acts as them now): read it again.
    if (now[0].status !== run.status || now[0].acting_by !== run.actor) return "stopped";
    const principal = principalFromClaims(tx.claims);
    const runTenant = await tenantResource(tx.db, runTenantId);
    if (!runTenant || !(await checkAction(principal, "bulk:run", runTenant))) {
      await pause(tx, runTenantId, run.id, pausedNote(undoing, "the person it runs as may no longer run bulk operations here"));
      return "stopped";
    }
    if (!undoing && now[0].canary !== null && !now[0].canary_passed) {
      // Only tenants the run changed (or tried to and failed) count: one skipped when it ran (already so, not allowed, not visible) tells nothing.
      const { rows } = await tx.client.query<{ n: number }>(
        "select count(*)::int as n from public.bulk_run_items where tenant_id = $1 and run_id = $2 and status in ('done', 'failed')",
        [runTenantId, run.id],
      );
      if (rows[0].n >= now[0].canary) {
        await pause(tx, runTenantId, run.id, canaryDoneNote(now[0].canary));
        return "stopped";
      }
    }
    const { rows: items } = await tx.client.query<ItemRow>(
      `select target_tenant_id, target_name, before, after from public.bulk_run_items
        where tenant_id = $1 and run_id = $2 and status = $3
        order by position ${undoing ? "desc" : "asc"} limit 1 for update`,
      [runTenantId, run.id, undoing ? "done" : "pending"],
    );
    const item = items[0];
    if (!item) {
      const { rows } = await tx.client.query<{ status: string; n: number }>(
        "select status, count(*)::int as n from public.bulk_run_items where tenant_id = $1 and run_id = $2 group by status",
        [runTenantId, run.id],
      );
      const note = rows.map((r) => `${r.n} ${r.status.replace("_", " ")}`).join(", ");
      await endRun(tx, runTenantId, run.id, undoing ? "undone" : "finished", note);
      await recordAudit(tx, { tenantId: runTenantId, action: undoing ? "bulk:undone" : "bulk:finished", targetType: "bulk_run", targetId: run.id, outcome: "success", details: { counts: note } });
      return "ended";
    }
    // Written by the engine (lib/bulk/engine.ts), never by the actor's own statements: the `before` an undo restores is what apply read.
    const record: RecordItem = (status, message, fields) => recordItem(tx, { runTenantId, runId: run.id, target: item.target_tenant_id }, status, message, fields);
    const skippedStatus = undoing ? "undo_skipped" : "skipped";
    const resource = await tenantResource(tx.db, item.target_tenant_id);
    if (!resource) {
      await record(skippedStatus, "Not visible to the person running this any more: skipped.");
      return "more";
    }
    const target: Target = { ...resource, name: item.target_name, slug: "" };
    // Its rows go to the tenant's own trail, as lib/actions/guard.ts records a refusal on a target the caller sees
    // (this one is: tenantResource found it under the actor's RLS); the MSSP's trail has the run's own rows.
    const trail = target.id;
    // Everything about this tenant happens in the savepoint, its result and audit row included, and is released
    // only after them: whatever fails in here rolls back to it and is recorded as this tenant's failure.
    await tx.client.query("savepoint bulk_item");
    let applied = false;
    try {
      const actions = op.actions(run.params);
      const allowed = await checkActions(principal, actions, resource);
      const denied = actions.filter((a) => !allowed[a]);
      if (denied.length > 0) {
        await record(skippedStatus, `Not allowed here (${denied.join(", ")}): the policy for this tenant says no. Skipped.`);
        await recordAudit(tx, {
          tenantId: trail,
          action: `bulk:${run.params.operation}`,
          targetType: "tenant",
          targetId: item.target_tenant_id,
          outcome: "denied",
          details: { run_id: run.id, undo: undoing, reason: "pdp_deny", denied },
        });
      } else if (undoing) {
        const out = await op.undo!(tx, target, run.params, item.before, item.after, run.actor!);
        await record(out.status, out.message);
        if (out.status === "undone") {
          await recordAudit(tx, { tenantId: target.id, action: `bulk:${run.params.operation}-undone`, targetType: "bulk_run", targetId: run.id, outcome: "success", details: { run_id: run.id, ...out.details } });
        }
      } else {
        const out = await op.apply(tx, target, run.params, run.actor!);
        await record(out.status, out.message, { before: out.before, after: out.after });
        if (out.status === "done") {
          await recordAudit(tx, { tenantId: target.id, action: `bulk:${run.params.operation}`, targetType: "bulk_run", targetId: run.id, outcome: "success", details: { run_id: run.id, ...out.details } });
        }
        applied = true;
      }
      await tx.client.query("release savepoint bulk_item");
    } catch (error) {
      await tx.client.query("rollback to savepoint bulk_item");
      // The PDP could not answer, or the database asks to try again: the attempt ends, the item stays pending.
      if (isPdpUnavailable(error) || isTransientDbError(error)) throw error;
      // Timed out: tried again at once (this transaction keeps nothing of it), failed on the last of its tries.
      if (sqlState(error) === STATEMENT_TIMEOUT) {
        const key = `${run.id}:${undoing ? "undo" : "run"}:${item.target_tenant_id}`;
        const tries = (timeouts.get(key) ?? 0) + 1;
        timeouts.set(key, tries);
        if (tries < ITEM_TIMEOUT_TRIES) {
          log.warn({ event: "bulk.item-timed-out", runId: run.id, runTenantId, targetTenantId: item.target_tenant_id, undo: undoing, tries }, "bulk run item timed out; trying it again");
          return "again";
        }
      }
      await failItem(tx, { runTenantId, run, item, trail, undoing, error, record });
      return "more";
    }
    if (applied) await hooks.beforeCommit?.(target.id);
    return "more";
  });
}

async function progressOf(creator: string, runTenantId: string, run: ActiveRun): Promise<number> {
  return withTenant({ userId: creator, activeTenantId: null }, async (tx) => {
    const { rows } = await tx.client.query<{ n: number }>(
      "select count(*)::int as n from public.bulk_run_items where tenant_id = $1 and run_id = $2 and status not in ('pending', $3)",
      [runTenantId, run.id, run.status === "undoing" ? "done" : "pending"],
    );
    return rows[0].n;
  });
}

/** Works through the tenant's runs until none has work left (or the worker stops: the job is given back and resumes here). */
export async function runBulkJob(ctx: JobContext, hooks: BulkHooks = {}): Promise<{ runs: number; items: number }> {
  const creator = ctx.job.createdBy;
  if (!creator) return { runs: 0, items: 0 };
  let runs = 0;
  let items = 0;
  // The run states this job paused for their actor: one found again unchanged is not tried again.
  const given = new Set<string>();
  const timeouts = new Map<string, number>();
  for (;;) {
    checkpoint(ctx);
    const run = await nextRun(creator, ctx.job.tenantId);
    if (!run) return { runs, items };
    runs++;
    const parsed = operationSchema.safeParse(run.params);
    const current = { ...run, params: parsed.success ? parsed.data : run.params };
    const undoing = run.status === "undoing";
    // Paused by the job's creator (an MSSP admin the worker checked for bulk:run, who sees the run).
    const pauseAsCreator = (why: string) =>
      withTenant({ userId: creator, activeTenantId: null }, (tx) => pauseIfUnchanged(tx, ctx.job.tenantId, current, pausedNote(undoing, why)));
    const seen = `${run.id}:${run.version}`;
    // Paused by this job and found unchanged since (a write the policies dropped): fail, never loop.
    if (given.has(seen)) throw new PermanentJobError(`Bulk run ${run.id} could not be paused for the person it runs as; it was left as it is.`);
    if (!current.actor) {
      given.add(seen);
      await pauseAsCreator("the person it runs as no longer exists");
      continue;
    }
    // Stored parameters the operation's schema no longer accepts (the portal changed since the dry run): no
    // tenant of it can run, so it waits, paused with the reason, instead of failing the job for the runs behind it.
    if (!parsed.success) {
      log.error({ event: "bulk.run-params-invalid", runId: run.id, runTenantId: ctx.job.tenantId, issues: parsed.error.issues.map((i) => i.path.join(".")) }, "bulk run parameters no longer valid");
      given.add(seen);
      await withTenant({ userId: creator, activeTenantId: null }, (tx) =>
        pauseIfUnchanged(tx, ctx.job.tenantId, current, `${undoing ? "Undo paused" : "Paused"}: its parameters no longer pass the portal's checks (the operation changed since its dry run), so it cannot carry on. Nothing more was changed.`),
      );
      continue;
    }
    for (;;) {
      let outcome: Step = "more";
      for (let i = 0; i < BATCH_SIZE && (outcome === "more" || outcome === "again"); i++) {
        if (outcome === "again") checkpoint(ctx);
        outcome = await step(ctx.job.tenantId, current, hooks, timeouts);
        if (outcome === "more") items++;
      }
      if (outcome === "lost") {
        given.add(seen);
        await pauseAsCreator("the person it runs as can no longer see this run (their role here changed)");
        break;
      }
      await ctx.progress(await progressOf(creator, ctx.job.tenantId, current), run.total);
      if (outcome !== "more" && outcome !== "again") break;
      checkpoint(ctx);
    }
  }
}

export function createBulkRunHandler(hooks: BulkHooks = {}): JobHandler {
  return {
    requires: "bulk:run",
    async run(ctx) {
      const result = await runBulkJob(ctx, hooks);
      return { result };
    },
    // A run started (or an undo asked) after the loop above found nothing joined this finishing job.
    async workLeft(db, job) {
      const { rows } = await db.$client.query("select 1 from public.bulk_runs where tenant_id = $1 and status in ('running', 'undoing') limit 1", [job.tenantId]);
      return rows.length > 0;
    },
  };
}

export const BULK_JOB_KIND = "bulk.run";

export function bulkHandlers(): Record<string, JobHandler> {
  return { [BULK_JOB_KIND]: createBulkRunHandler() };
}
