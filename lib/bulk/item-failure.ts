// How a bulk run's tenant fails (lib/bulk/execute.ts runs each tenant's change in a savepoint): which
// errors end the worker's attempt (the tenant stays pending), how a statement timeout is tried again, and
// how a tenant that failed for good is recorded (its result through lib/bulk/engine.ts, a failure row in
// its own audit trail) with a message a person may read.
import { ActionRefusal } from "@/lib/actions/refusal";
import { recordAudit } from "@/lib/audit/record";
import { isAuthorizationError } from "@/lib/authz";
import { sqlState } from "@/lib/db/sql-state";
import type { TenantTx } from "@/lib/db/with-tenant";
import { log, safeError } from "@/lib/log";

/** What failItem needs of the run. */
interface FailedRun {
  id: string;
  params: { operation: string };
}

/**
 * Deadlock, lock not available (lock_timeout), serialization failure: the same
 * item can work a moment later, so the attempt ends and the job engine retries
 * it (the item stays pending) instead of the tenant being marked failed for good.
 */
const TRANSIENT_SQLSTATES = new Set(["40P01", "55P03", "40001"]);
export const isTransientDbError = (error: unknown): boolean => TRANSIENT_SQLSTATES.has(sqlState(error) ?? "");

/**
 * A statement past the transaction's statement_timeout (57014: DB_STATEMENT_TIMEOUT_MS, withTenant) while a
 * tenant's change was being made: a lock held elsewhere or a busy moment, or a change that always takes too
 * long. The tenant is tried again at once, in a new transaction, up to ITEM_TIMEOUT_TRIES times in a row
 * within the worker's attempt; the last timeout marks it failed (reason "timeout"), so one tenant that always
 * times out neither spends the job's attempts nor holds up the run and the MSSP's runs behind it.
 */
export const STATEMENT_TIMEOUT = "57014";
export const ITEM_TIMEOUT_TRIES = 3;

type FailureReason = "rule" | "database" | "pdp_deny" | "timeout" | "error";
function failureReason(error: unknown): FailureReason {
  if (error instanceof ActionRefusal) return "rule";
  if (sqlState(error) === STATEMENT_TIMEOUT) return "timeout";
  if (isAuthorizationError(error)) return "pdp_deny";
  if (sqlState(error) === "42501") return "database";
  return "error";
}

function failureMessage(error: unknown): string {
  if (error instanceof ActionRefusal) return error.message.replace(/ Nothing was changed\.$/, "");
  if (isAuthorizationError(error)) return "Not allowed here: the policy for this tenant says no. Nothing was changed for this tenant.";
  if (sqlState(error) === "42501") return "Refused by the database: the tenant is suspended or being offboarded, or this is not yours to change.";
  if (sqlState(error) === STATEMENT_TIMEOUT) {
    return `Took too long ${ITEM_TIMEOUT_TRIES} times in a row (the database stops a statement past its time limit): nothing was changed for this tenant.`;
  }
  return "Something went wrong here; nothing was changed for this tenant (the portal's log has the details).";
}

export type RecordItem = (status: string, message: string, fields?: { before?: unknown; after?: unknown }) => Promise<unknown>;

/**
 * The item failed (its savepoint rolled back: nothing of it stays): marked failed with a message a person
 * may read, audited in the tenant's trail. A failure that is not a refusal is logged with its details. The
 * audit row has a savepoint of its own: one the trail refuses is logged, and the item is still recorded,
 * so the run goes on rather than retrying the same tenant until the job gives up.
 */
export async function failItem(
  tx: TenantTx,
  f: { runTenantId: string; run: FailedRun; item: { target_tenant_id: string }; trail: string; undoing: boolean; error: unknown; record: RecordItem },
): Promise<void> {
  const reason = failureReason(f.error);
  const where = { runId: f.run.id, runTenantId: f.runTenantId, targetTenantId: f.item.target_tenant_id, undo: f.undoing };
  if (reason === "error" || reason === "timeout") log.error({ event: "bulk.item-failed", ...where, err: safeError(f.error) }, "bulk run item failed unexpectedly");
  else if (reason !== "rule") log.warn({ event: "bulk.item-failed", ...where, err: safeError(f.error) }, "bulk run item refused");
  await f.record(f.undoing ? "undo_failed" : "failed", failureMessage(f.error));
  await tx.client.query("savepoint bulk_item_failure");
  try {
    await recordAudit(tx, {
      tenantId: f.trail,
      action: `bulk:${f.run.params.operation}`,
      targetType: "tenant",
      targetId: f.item.target_tenant_id,
      outcome: "failure",
      details: { run_id: f.run.id, undo: f.undoing, reason },
    });
    await tx.client.query("release savepoint bulk_item_failure");
  } catch (auditError) {
    await tx.client.query("rollback to savepoint bulk_item_failure");
    if (isTransientDbError(auditError)) throw auditError;
    log.error({ event: "bulk.item-failure-not-audited", ...where, err: safeError(auditError) }, "could not audit a failed bulk run item");
  }
}
