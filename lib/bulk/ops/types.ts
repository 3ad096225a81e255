// What each bulk operation provides: the PDP actions it needs per tenant, a
// check of its parameters (bad input refused before anything is planned), the
// dry run's line per tenant, the change itself and, where the change allows,
// its undo. apply and undo run inside one item's transaction, as the person
// the run acts as (withTenant: RLS), after the PDP allowed the actions.
import type { Action } from "@/lib/authz";
import type { TenantTx } from "@/lib/db/with-tenant";
import type { OperationParams } from "../model";
import type { Target } from "../select";

export interface PlanLine {
  planned: string;
  /** Nothing to do here (already so, not applicable): skipped from the start. */
  skip: boolean;
}

export interface Applied {
  status: "done" | "skipped";
  /** Exactly what was there before (what the undo restores). */
  before?: unknown;
  after?: unknown;
  message: string;
  /** Extra details for the audit row (never secrets). */
  details?: Record<string, unknown>;
}

export interface Undone {
  status: "undone" | "undo_skipped";
  message: string;
  details?: Record<string, unknown>;
}

export interface OperationImpl<P extends OperationParams = OperationParams> {
  actions(p: P): Action[];
  /** Refuses (ActionRefusal, nothing changed) parameters that cannot work anywhere. Returns a short summary for the page. */
  validate(tx: TenantTx, p: P, runTenantId: string): Promise<string>;
  plan(tx: TenantTx, targets: readonly Target[], p: P): Promise<PlanLine[]>;
  apply(tx: TenantTx, target: Target, p: P, actorId: string): Promise<Applied>;
  undo?(tx: TenantTx, target: Target, p: P, before: unknown, after: unknown, actorId: string): Promise<Undone>;
}
