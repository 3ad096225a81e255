// Suspending and resuming many tenants, through lib/lifecycle's own
// suspendTenant / resumeTenant (its rules: not an MSSP, only an active tenant
// is suspended, only a suspended one resumed). The state change needs the
// lifecycle's service-role path; here it runs inside the item's transaction
// (withServiceRoleIn), after the PDP allowed tenants:suspend, so the change,
// its audit row and the item's result commit together. Suspend and resume
// undo each other; undoing a resume suspends again with the reason it had.
// `after` records the status change the run made (its time and reason): the
// undo walks back only that change. A tenant whose status changed since (even
// back to the same status: resumed, then suspended again for another reason)
// is left as it is now.
import { withServiceRoleIn } from "@/lib/db/service-role";
import type { TenantTx } from "@/lib/db/with-tenant";
import { TENANT_STATUS_LABELS } from "@/lib/lifecycle/states";
import { resumeTenant, suspendTenant } from "@/lib/lifecycle/suspend";
import type { OperationParams } from "../model";
import type { Target } from "../select";
import type { Applied, OperationImpl, Undone } from "./types";
import { utcMicrosSql } from "@/lib/db/timestamps";

type Suspend = Extract<OperationParams, { operation: "suspend" }>;
type Resume = Extract<OperationParams, { operation: "resume" }>;

const asLifecycle = <T>(tx: TenantTx, fn: Parameters<typeof withServiceRoleIn<T>>[2]) => withServiceRoleIn("lifecycle.workflow", tx.db, fn);

interface State {
  status: string | null;
  reason: string | null;
  /** When the status last changed (UTC, microseconds): each change is a transaction of its own, so this names it. */
  changedAt: string | null;
}

async function stateNow(tx: TenantTx, id: string): Promise<State> {
  const { rows } = await tx.client.query<{ status: string; reason: string | null; changed_at: string | null }>(
    `select status::text as status, status_reason as reason,
            ${utcMicrosSql("status_changed_at")} as changed_at
       from public.tenants where id = $1`,
    [id],
  );
  return { status: rows[0]?.status ?? null, reason: rows[0]?.reason ?? null, changedAt: rows[0]?.changed_at ?? null };
}
const statusNow = async (tx: TenantTx, id: string) => (await stateNow(tx, id)).status;

/** What the item's `after` holds: the change the run made (runs recorded before it was kept hold the status alone). */
interface Made {
  status: "suspended" | "active";
  changed_at?: string | null;
  reason?: string | null;
}

async function suspend(tx: TenantTx, t: Target, reason: string, actorId: string): Promise<Applied> {
  const status = await statusNow(tx, t.id);
  if (status === "suspended") return { status: "skipped", message: "Already suspended." };
  if (status !== "active") return { status: "skipped", message: `It is ${TENANT_STATUS_LABELS[status as keyof typeof TENANT_STATUS_LABELS]?.toLowerCase() ?? "not active"}: only an active tenant is suspended.` };
  const change = await asLifecycle(tx, (db) => suspendTenant(db, t.id, reason, actorId));
  const made = await stateNow(tx, t.id);
  const after: Made = { status: "suspended", changed_at: made.changedAt, reason: made.reason };
  return { status: "done", before: { status: "active" }, after, message: "Suspended.", details: { reason, below: change.below } };
}

async function resume(tx: TenantTx, t: Target, actorId: string): Promise<Applied> {
  const { status, reason } = await stateNow(tx, t.id);
  if (status !== "suspended") return { status: "skipped", message: status === "active" ? "Already active." : "Not suspended." };
  const change = await asLifecycle(tx, (db) => resumeTenant(db, t.id, actorId));
  const after: Made = { status: "active", changed_at: (await stateNow(tx, t.id)).changedAt };
  return { status: "done", before: { status: "suspended", reason }, after, message: "Active again.", details: { below: change.below } };
}

function planLines(targets: readonly Target[], want: "suspend" | "resume") {
  return Promise.resolve(
    targets.map((t) => {
      if (want === "suspend") {
        if (t.status === "suspended") return { planned: "Already suspended: skipped.", skip: true };
        if (t.status !== "active") return { planned: `${TENANT_STATUS_LABELS[t.status]}: skipped.`, skip: true };
        return { planned: "Active → suspended", skip: false };
      }
      if (t.status === "active") return { planned: "Already active: skipped.", skip: true };
      if (t.status !== "suspended") return { planned: `${TENANT_STATUS_LABELS[t.status]}: skipped.`, skip: true };
      return { planned: "Suspended → active", skip: false };
    }),
  );
}

/**
 * Undoes a suspend by resuming (and the reverse), if nobody changed it since: the status is still the one
 * the run set, and still from the run's own change (same time, same reason). Runs recorded before the
 * change was kept (no `changed_at`) compare the status alone.
 */
async function back(tx: TenantTx, t: Target, to: "active" | "suspended", actorId: string, reason: string, made: Made | null): Promise<Undone> {
  const now = await stateNow(tx, t.id);
  const from = to === "active" ? "suspended" : "active";
  if (now.status !== from) return { status: "undo_skipped", message: "Its state changed since this run: left as it is now." };
  const kept = made?.changed_at !== undefined;
  if (kept && (made!.changed_at !== now.changedAt || (from === "suspended" && (made!.reason ?? null) !== now.reason))) {
    return {
      status: "undo_skipped",
      message:
        from === "suspended"
          ? `Suspended again since this run${now.reason ? ` ("${now.reason}")` : ""}: left as it is now.`
          : "Suspended and resumed again since this run: left as it is now.",
    };
  }
  if (to === "active") await asLifecycle(tx, (db) => resumeTenant(db, t.id, actorId));
  else await asLifecycle(tx, (db) => suspendTenant(db, t.id, reason, actorId));
  return { status: "undone", message: to === "active" ? "Active again." : "Suspended again.", details: { restored: to } };
}

export const suspendOperation: OperationImpl<Suspend> = {
  actions: () => ["tenants:suspend"],
  validate: async () => "Suspend: the tenants' users lose access at their next click; staff above still read them",
  plan: (_tx, targets) => planLines(targets, "suspend"),
  apply: (tx, t, p, actorId) => suspend(tx, t, p.reason, actorId),
  undo: (tx, t, _p, _b, after, actorId) => back(tx, t, "active", actorId, "", after as Made | null),
};

export const resumeOperation: OperationImpl<Resume> = {
  actions: () => ["tenants:suspend"],
  validate: async () => "Resume: suspended tenants become active again",
  plan: (_tx, targets) => planLines(targets, "resume"),
  apply: (tx, t, _p, actorId) => resume(tx, t, actorId),
  // The reason it was suspended for comes back with it (runs recorded before reasons were kept say so).
  undo: (tx, t, _p, before, after, actorId) =>
    back(tx, t, "suspended", actorId, (before as { reason?: string | null }).reason ?? "Bulk run undone: suspended again", after as Made | null),
};
