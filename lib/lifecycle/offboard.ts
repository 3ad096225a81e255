// Offboarding (deprovisioning) a customer or a site, with everything below it:
// the typed name confirms it; the tenant is locked out at once ("offboarding",
// enforced like a suspension) for a grace period (default 30 days) during
// which it can be called off; then the offboarding workflow
// (offboard-workflow.ts) exports, crypto-shreds, purges and leaves a tombstone.
import type { Db } from "@/lib/db/with-tenant";
import { cancelJob, enqueueServiceJobIn, type JobView } from "@/lib/jobs";
import { LifecycleRefusal } from "./errors";
import { CALLED_OFF, offboardingReason } from "./status-note";
import { requireTenant, setStatus, subtree, type LifecycleTenant } from "./tenant-row";
import { effectiveConfigsAsService } from "@/lib/settings/resolve";
import { LEGAL_HOLD } from "@/lib/settings/registry";
import { lockTree } from "./tree-lock";

export const OFFBOARD_KIND = "lifecycle.offboard";
const DAY_MS = 24 * 3600 * 1000;

export interface OffboardStarted {
  tenant: LifecycleTenant;
  job: JobView;
  purgeAfter: Date;
}

export async function startOffboarding(
  db: Db,
  input: { tenantId: string; confirmName: string; graceDays: number },
  actorId: string | null,
): Promise<OffboardStarted> {
  // After any move into or out of it that committed first; none commits before this does (tree-lock.ts).
  await lockTree(db);
  const t = await requireTenant(db, input.tenantId);
  if (t.kind === "mssp") throw new LifecycleRefusal("The MSSP itself cannot be offboarded; offboard its customers.");
  if (input.confirmName.trim() !== t.name) throw new LifecycleRefusal(`Type the tenant's name exactly ("${t.name}") to confirm.`);
  if (t.status === "deprovisioning") throw new LifecycleRefusal(`${t.name} is already being offboarded.`);
  if (t.status === "deprovisioned") throw new LifecycleRefusal(`${t.name} was offboarded already.`);
  if (t.status === "provisioning") throw new LifecycleRefusal(`${t.name} is still being provisioned; wait for it to finish.`);
  const held = await heldAmong(db, await subtree(db, t));
  if (held) throw new LifecycleRefusal(`${held} is on legal hold: its data must be kept, so ${t.name} cannot be offboarded until the MSSP lifts the hold.`);
  const purgeAfter = new Date(Date.now() + input.graceDays * DAY_MS);
  if (!(await setStatus(db, t.id, { from: ["active", "suspended"], to: "deprovisioning", by: actorId, deprovisionAfter: purgeAfter, reason: offboardingReason(t.status) }))) {
    throw new LifecycleRefusal(`${t.name} changed state meanwhile; reload and try again.`);
  }
  const { job } = await enqueueServiceJobIn(
    db,
    { tenantId: t.id, kind: OFFBOARD_KIND, payload: { previousStatus: t.status, graceDays: input.graceDays }, runAfter: purgeAfter, maxAttempts: 10 },
    actorId,
  );
  return { tenant: { ...t, status: "deprovisioning" }, job, purgeAfter };
}

/**
 * The name of the first of `below` (a subtree as tenant-row.ts subtree lists it, deepest first) on
 * legal hold (limits.legal_hold, its own or inherited), or null. Asked as the service path: a hold
 * binds whoever starts the offboarding.
 */
export async function heldAmong(db: Db, below: readonly Pick<LifecycleTenant, "id" | "name">[]): Promise<string | null> {
  const configs = await effectiveConfigsAsService(db, below.map((x) => x.id));
  // Shallowest first: the tenant itself, then the sites below it.
  for (const x of [...below].reverse()) if (configs.get(x.id)?.value<boolean>(LEGAL_HOLD)) return x.name;
  return null;
}

/** Calls an offboarding off during its grace period: the tenant returns to the state it was in. */
export async function cancelOffboarding(db: Db, tenantId: string, actorId: string | null): Promise<LifecycleTenant> {
  // Before the row lock below: the status change would take the tree's lock while holding it.
  await lockTree(db);
  const t = await requireTenant(db, tenantId);
  if (t.status !== "deprovisioning") throw new LifecycleRefusal(`${t.name} is not being offboarded.`);
  // Once the grace period is over, or once the workflow has begun a step (its data may be exported, its
  // keys destroyed, its rows partly purged), there is nothing to go back to: a failed step is retried,
  // never undone by bringing the tenant back. A tenant with no offboarding left to run (restored from an
  // archive taken during its offboarding: the restore cancels the job it carried) is past its grace
  // period but nothing will purge it, so it can be brought back. The tenant row is locked so the check
  // holds until commit.
  const { rows: [state] } = await db.$client.query<{ over: boolean; started: boolean; pending: boolean }>(
    `select t.deprovision_after is not null and t.deprovision_after <= now() as over,
            exists (select 1 from public.jobs j join public.job_steps s on s.tenant_id = j.tenant_id and s.job_id = j.id
                     where j.tenant_id = t.id and j.kind = $2 and j.status in ('queued', 'running', 'failed')
                       and (s.started_at is not null or s.status <> 'pending')) as started,
            exists (select 1 from public.jobs j where j.tenant_id = t.id and j.kind = $2 and j.status in ('queued', 'running', 'failed')) as pending
       from public.tenants t where t.id = $1 for update of t`,
    [t.id, OFFBOARD_KIND],
  );
  if (state?.started || (state?.over && state.pending)) {
    throw new LifecycleRefusal(`The grace period of ${t.name} is over and its offboarding has begun; it can no longer be called off.`);
  }
  const { rows } = await db.$client.query<{ id: string; payload: { previousStatus?: string } }>(
    `select id, payload from public.jobs where tenant_id = $1 and kind = $2 and status in ('queued', 'running') for update`,
    [t.id, OFFBOARD_KIND],
  );
  const job = rows[0];
  if (job && !(await cancelJob(db, t.id, job.id, "Called off during the grace period."))) {
    throw new LifecycleRefusal(`The grace period of ${t.name} is over and its data is being removed; it can no longer be called off.`);
  }
  const back = job?.payload.previousStatus === "suspended" ? "suspended" : "active";
  await setStatus(db, t.id, { from: ["deprovisioning"], to: back, by: actorId, reason: back === "suspended" ? CALLED_OFF : null });
  if (back === "active") await db.$client.query("select jobs_engine.dispatch_pending()");
  return { ...t, status: back };
}
