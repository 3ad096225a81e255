// lib/bulk: one operation over many tenants (issue 13, point 5;
// docs/bulk-operations.md).
//
//   planRun(tx, {runTenantId, selection, params})   dry run → a 'planned' run and its items
//   startRun / stopRun / continueRun / undoRun / discardRun
//   loadBulkPage / loadRunPage                       what the console pages show
//   bulkHandlers()                                   the worker's "bulk.run" job
// Every step runs in the caller's withTenant transaction after the PDP allowed
// bulk:run; the worker applies each tenant's change in its own transaction as
// the person the run acts as (its starter, then whoever continued it or asked
// for its undo), with the PDP asked for that tenant.
export * from "./model";
export { planRun, startRun, stopRun, continueRun, undoRun, discardRun, type PlannedRun } from "./runs";
export { BULK_JOB_KIND, bulkHandlers, createBulkRunHandler, type BulkHooks } from "./execute";
export { ITEM_TIMEOUT_TRIES } from "./item-failure";
export { selectTargets, describeSelection, type Target } from "./select";
