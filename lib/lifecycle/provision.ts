// Provisioning a customer under an MSSP, or a site under a customer or a site
// (any depth): provisionTenant() creates the tenant row (status
// "provisioning") and queues the provisioning workflow in one service-role
// transaction; the workflow (lib/lifecycle/provision-workflow.ts) does the rest.
// Called by the console action, `npm run tenants -- create`, and whatever
// else needs a tenant (the tenant API).
import type { Db } from "@/lib/db/with-tenant";
import { enqueueServiceJobIn, getJobAsService, type JobView } from "@/lib/jobs";
import { LifecycleRefusal } from "./errors";
import { defaultPlanFor, planInfo, type Plan } from "./plans";
import type { ProvisionInput } from "./schemas";
import { ancestorIn, findTenant, findTenantBySlugForLifecycle, requireTenant, type LifecycleTenant } from "./tenant-row";
import { lockTree } from "./tree-lock";

export const PROVISION_KIND = "lifecycle.provision";

export interface Provisioned {
  tenant: LifecycleTenant;
  job: JobView;
  /**
   * Who the workflow's invite-admin step emails the first admin's invitation
   * to (lib/team/invite.ts). The link itself is shown to nobody else.
   */
  invitationTo: string;
  /**
   * false: the same tenant was already being provisioned (a double submission, same first admin and
   * plan); nothing new was made, and invitationTo is the first submission's (its job's payload).
   */
  created: boolean;
}

function childKind(parent: LifecycleTenant): "customer" | "site" {
  return parent.kind === "mssp" ? "customer" : "site";
}

async function existingProvisioning(db: Db, t: LifecycleTenant): Promise<JobView | null> {
  const { rows } = await db.$client.query<{ id: string }>(
    `select id from public.jobs where tenant_id = $1 and kind = $2 order by created_at desc limit 1`,
    [t.id, PROVISION_KIND],
  );
  if (!rows[0]) return null;
  return getJobAsService(t.id, rows[0].id);
}

/**
 * A second submission for a tenant still being provisioned (same parent, name
 * and address): a double click or a reload, answered with the first tenant and
 * its workflow, but only when it asks for the same first admin and plan. The
 * workflow invites the address in the first job's payload; answering a
 * corrected address with "the invitation goes to <new>" would hide that the
 * first (perhaps mistyped, perhaps someone else's) address gets control of the
 * new tenant, and a changed plan would be silently dropped. So anything else is
 * refused, naming what the first submission asked for, and nothing changes.
 */
function repeatedSubmission(same: LifecycleTenant, job: JobView, input: ProvisionInput, plan: Plan): Provisioned {
  const first = typeof job.payload.adminEmail === "string" ? job.payload.adminEmail : "";
  const sameAdmin = first.toLowerCase() === input.adminEmail.trim().toLowerCase();
  if (sameAdmin && same.plan === plan) return { tenant: same, job, invitationTo: first, created: false };
  const asked = [!sameAdmin && `its first admin's invitation going to ${first}`, same.plan !== plan && `the ${planInfo(same.plan).label} isolation plan`].filter(Boolean).join(" and ");
  throw new LifecycleRefusal(
    `${same.name} (${same.slug}) is already being provisioned, with ${asked}; nothing was changed. ` +
      `If that is wrong, wait until it is active, then revoke the invitation under Team and invite the right person, or offboard it.`,
  );
}

/**
 * Creates the tenant and queues its provisioning, in the caller's service-role
 * transaction (with its audit row). `actorId`: the user the PDP allowed
 * (tenants:provision on the parent), or null for an operator command.
 */
export async function provisionTenant(db: Db, input: ProvisionInput, actorId: string | null): Promise<Provisioned> {
  // The parent's statuses are checked after any offboarding or move of it that committed first (tree-lock.ts).
  await lockTree(db);
  const parent = await requireTenant(db, input.tenantId);
  if (parent.status !== "active") throw new LifecycleRefusal(`${parent.name} is ${parent.status}: new tenants go under active tenants only.`);
  const above = await ancestorIn(db, parent, ["suspended", "deprovisioning", "deprovisioned", "provisioning"]);
  if (above) throw new LifecycleRefusal(`${parent.name} is below ${above.name}, which is ${above.status}: new tenants go under active tenants only.`);
  const kind = childKind(parent);
  const plan: Plan = input.plan ?? defaultPlanFor({ kind, parentPlan: parent.plan });
  const same = await findTenantBySlugForLifecycle(db, input.slug);
  if (same) {
    // The same form submitted twice: one tenant, and the second answer is the first one's.
    if (same.parentId === parent.id && same.name === input.name && same.status === "provisioning") {
      const job = await existingProvisioning(db, same);
      if (job) return repeatedSubmission(same, job, input, plan);
    }
    throw new LifecycleRefusal(`The address "${input.slug}" is taken; choose another.`);
  }
  await db.$client.query("savepoint provision_insert");
  let id: string;
  try {
    const { rows } = await db.$client.query<{ id: string }>(
      `insert into public.tenants (parent_id, slug, name, kind, status, plan, status_changed_at, status_changed_by)
       values ($1, $2, $3, $4, 'provisioning', $5, now(), $6)
       returning id`,
      [parent.id, input.slug, input.name, kind, plan, actorId],
    );
    id = rows[0].id;
  } catch (error) {
    await db.$client.query("rollback to savepoint provision_insert");
    if ((error as { code?: string }).code === "23505") throw new LifecycleRefusal(`The address "${input.slug}" is taken; choose another.`);
    throw error;
  }
  const tenant = (await findTenant(db, id))!;
  const { job } = await enqueueServiceJobIn(
    db,
    {
      tenantId: tenant.id,
      kind: PROVISION_KIND,
      // The address only: the workflow makes the invitation and emails it (no token in a payload).
      payload: { adminEmail: input.adminEmail, parentId: parent.id },
      maxAttempts: 5,
    },
    actorId,
  );
  return { tenant, job, invitationTo: input.adminEmail, created: true };
}
