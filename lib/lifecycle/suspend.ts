// Suspending and resuming a customer or a site. The database does the
// enforcing (20261130000400_tenant_lifecycle.sql): the tenant's users, and its
// sites' users, see nothing from their next request; staff above it read it
// and nobody writes to it; its jobs pause. These functions only change the
// state, in the caller's service-role transaction, after the PDP said yes.
import type { Db } from "@/lib/db/with-tenant";
import { LifecycleRefusal } from "./errors";
import { TENANT_STATUS_LABELS } from "./states";
import { requireTenant, setStatus, subtree, type LifecycleTenant } from "./tenant-row";

export interface StatusChange {
  tenant: LifecycleTenant;
  /** Tenants below it, now locked out with it (or open again with it). */
  below: number;
}

export async function suspendTenant(db: Db, tenantId: string, reason: string, actorId: string | null): Promise<StatusChange> {
  const t = await requireTenant(db, tenantId);
  if (t.kind === "mssp") throw new LifecycleRefusal("An MSSP cannot be suspended here; suspend its customers or sites.");
  if (t.status === "suspended") throw new LifecycleRefusal(`${t.name} is already suspended.`);
  if (t.status !== "active") throw new LifecycleRefusal(`${t.name} is ${TENANT_STATUS_LABELS[t.status].toLowerCase()}; only an active tenant can be suspended.`);
  if (!(await setStatus(db, t.id, { from: ["active"], to: "suspended", reason, by: actorId }))) {
    throw new LifecycleRefusal(`${t.name} changed state meanwhile; reload and try again.`);
  }
  return { tenant: { ...t, status: "suspended" }, below: (await subtree(db, t)).length - 1 };
}

export async function resumeTenant(db: Db, tenantId: string, actorId: string | null): Promise<StatusChange> {
  const t = await requireTenant(db, tenantId);
  if (t.status !== "suspended") throw new LifecycleRefusal(`${t.name} is not suspended (it is ${TENANT_STATUS_LABELS[t.status].toLowerCase()}).`);
  await setStatus(db, t.id, { from: ["suspended"], to: "active", by: actorId });
  // Jobs that paused while it was suspended are handed to the engine again.
  await db.$client.query("select jobs_engine.dispatch_pending()");
  return { tenant: { ...t, status: "active" }, below: (await subtree(db, t)).length - 1 };
}
