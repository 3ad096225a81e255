// The tenant an action is about, loaded under RLS inside the caller's
// transaction, plus the two helpers most callers want: authorize() for server
// actions and route handlers, permissions() for pages. Both build the
// principal from the same transaction's claims, so the memberships the PDP
// sees are the ones the database holds right now.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { tenants } from "@/drizzle/schema";
import type { Db, TenantTx } from "@/lib/db/with-tenant";
import type { Action, TenantResource } from "./actions";
import { AuthorizationError } from "./errors";
import { checkActions, requireAction } from "./pdp";
import { principalFromClaims } from "./principal";

const uuid = z.string().uuid();

/**
 * {id, path, kind, status} of a tenant the caller can see, or null: RLS hides
 * tenants outside the caller's memberships (narrowed to the active tenant's
 * subtree), so a resource outside them cannot even be built.
 */
export async function tenantResource(db: Db, tenantId: string): Promise<TenantResource | null> {
  if (!uuid.safeParse(tenantId).success) return null;
  const rows = await db
    .select({ id: tenants.id, path: tenants.path, kind: tenants.kind, status: tenants.status })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * For a server action or route handler, first thing inside withTenant:
 * returns the tenant if the caller may perform `action` on it; throws
 * AuthorizationError (deny, or a tenant the caller cannot see) or
 * PdpUnavailableError (no answer).
 */
export async function authorize(tx: TenantTx, action: Action, tenantId: string): Promise<TenantResource> {
  const resource = await tenantResource(tx.db, tenantId);
  if (!resource) throw new AuthorizationError(action, tenantId);
  await requireAction(principalFromClaims(tx.claims), action, resource);
  return resource;
}

/**
 * For a page: which of `actions` the caller may perform on the tenant, in one
 * PDP call. All false for a tenant the caller cannot see. Rejects with
 * PdpUnavailableError when the PDP cannot answer: render the
 * "authorization service unavailable" state, never the controls.
 */
export async function permissions<A extends Action>(
  tx: TenantTx,
  actions: readonly A[],
  tenantId: string,
): Promise<Record<A, boolean>> {
  const resource = await tenantResource(tx.db, tenantId);
  if (!resource) return Object.fromEntries(actions.map((a) => [a, false])) as Record<A, boolean>;
  return checkActions(principalFromClaims(tx.claims), actions, resource);
}
