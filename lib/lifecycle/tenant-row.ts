// The tenant rows the lifecycle reads and changes, through the service role
// (the commands check the PDP first; workflows re-check as their creator).
import type pg from "pg";
import type { Db } from "@/lib/db/with-tenant";
import type { Plan } from "./plans";
import type { TenantStatus } from "./states";
import { LifecycleRefusal } from "./errors";

export interface LifecycleTenant {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
  kind: "mssp" | "customer" | "site";
  status: TenantStatus;
  plan: Plan;
  path: string;
  rootId: string;
  rootSlug: string;
  deprovisionAfter: Date | null;
}

const SELECT = `
  select t.id, t.parent_id as "parentId", t.slug, t.name, t.kind, t.status, t.plan, t.path::text as path,
         r.id as "rootId", r.slug as "rootSlug", t.deprovision_after as "deprovisionAfter"
    from public.tenants t
    join public.tenants r on r.parent_id is null and t.path operator(extensions.<@) r.path`;

/** What the readers below need: a Db, or a bare client wrapped as one (the archive's restore plan). */
type Querying = { $client: Pick<pg.ClientBase, "query"> };

export async function findTenant(db: Querying, id: string): Promise<LifecycleTenant | null> {
  const { rows } = await db.$client.query<LifecycleTenant>(`${SELECT} where t.id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * The nearest tenant above `t` (never `t` itself) whose status is one of `statuses`, or null. A
 * lifecycle change looks above as well as at the tenant: offboarding sets only the root of the
 * subtree to deprovisioning, and the workflow then freezes, exports and purges everything below it.
 */
export async function ancestorIn(db: Querying, t: Pick<LifecycleTenant, "path">, statuses: readonly TenantStatus[]): Promise<LifecycleTenant | null> {
  const { rows } = await db.$client.query<LifecycleTenant>(
    `${SELECT} where t.path operator(extensions.@>) $1::extensions.ltree and extensions.nlevel(t.path) < extensions.nlevel($1::extensions.ltree) and t.status = any ($2::text[])
      order by extensions.nlevel(t.path) desc limit 1`,
    [t.path, statuses],
  );
  return rows[0] ?? null;
}

/** The statuses of a tenant whose subtree its offboarding workflow will purge. */
export const CLOSING_STATUSES: readonly TenantStatus[] = ["deprovisioning", "deprovisioned"];

/**
 * The tenant `id` if it is being offboarded (or was), else the nearest such tenant above it, else null:
 * nothing is restored, imported, moved or provisioned below one (the workflow purges the subtree).
 */
export async function offboardingAtOrAbove(db: Querying, id: string): Promise<LifecycleTenant | null> {
  const t = await findTenant(db, id);
  if (!t) return null;
  return CLOSING_STATUSES.includes(t.status) ? t : ancestorIn(db, t, CLOSING_STATUSES);
}

export async function findTenantBySlugForLifecycle(db: Db, slug: string): Promise<LifecycleTenant | null> {
  const { rows } = await db.$client.query<LifecycleTenant>(`${SELECT} where t.slug = $1`, [slug]);
  return rows[0] ?? null;
}

export async function requireTenant(db: Db, id: string): Promise<LifecycleTenant> {
  const t = await findTenant(db, id);
  if (!t) throw new LifecycleRefusal("That tenant does not exist.");
  return t;
}

/** The tenant and everything below it, deepest first (the order a purge empties them in). */
export async function subtree(db: Db, t: Pick<LifecycleTenant, "path">): Promise<LifecycleTenant[]> {
  const { rows } = await db.$client.query<LifecycleTenant>(
    `${SELECT} where t.path operator(extensions.<@) $1::extensions.ltree order by extensions.nlevel(t.path) desc, t.slug`,
    [t.path],
  );
  return rows;
}

/** Sets the status of one tenant, recording who and why; only from the states given. Returns whether it changed. */
export async function setStatus(
  db: Db,
  id: string,
  change: { from: readonly TenantStatus[]; to: TenantStatus; reason?: string | null; by: string | null; deprovisionAfter?: Date | null },
): Promise<boolean> {
  const { rowCount } = await db.$client.query(
    `update public.tenants
        set status = $3, status_reason = $4, status_changed_at = now(), status_changed_by = $5,
            deprovision_after = $6, updated_at = now()
      where id = $1 and status = any ($2::text[])`,
    [id, change.from, change.to, change.reason ?? null, change.by, change.deprovisionAfter ?? null],
  );
  return rowCount === 1;
}
