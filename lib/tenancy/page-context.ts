// What every page needs before it touches data: the host's tenant, the
// signed-in user, and a withTenant scoped to both. Pages call these instead
// of assembling the pieces, so the checks cannot be forgotten.
import { forbidden, notFound } from "next/navigation";
import { cache } from "react";
import type { Caller } from "@/lib/db/claims";
import type { TenantTx } from "@/lib/db/with-tenant";
import { readJoiningPage, runHostingReads } from "@/lib/db/render-transaction";
import { requireSessionUser, type SessionUser } from "@/lib/auth/session";
import { findTenantBySlug, type HostTenant } from "./resolve-host";
import { requestBrand } from "@/lib/branding/resolve";

const findTenantCached = cache(findTenantBySlug);

export interface TenantPage {
  tenant: HostTenant;
  user: SessionUser;
  /** Runs `fn` under RLS with the host's tenant active; 403 if no membership covers it. */
  run<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T>;
  /** The same for a layout's reads: on the page's transaction when it has one (lib/db/render-transaction.ts). `fn` must only read. */
  read<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T>;
}

export async function tenantPage(slug: string, returnTo: string): Promise<TenantPage> {
  // Signed out, every well-formed tenant host answers alike (sign in first),
  // so a page cannot tell outsiders which tenants exist (issue 9, finding 7).
  // The session check, the host's tenant (lib/cache'd) and its brand are independent reads: asked
  // at once. The answer does not change: a signed-out request still gets the sign-in redirect
  // (requireSessionUser's) whatever the tenant lookup found, and only then an unknown host its 404.
  const [user, found, brand] = await Promise.all([requireSessionUser(returnTo), findTenantCached(slug), requestBrand()]);
  if (!found) notFound();
  // With "hide the MSSP's brand" (lib/branding), pages name the reseller's brand wherever they
  // would name the provider (billing, lock notices): nothing of the MSSP shows on this host.
  const tenant = brand.hideMsspBrand ? { ...found, providerName: brand.productName } : found;
  const caller: Caller = { userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: tenant.id };
  const checked = <T>(fn: (tx: TenantTx) => Promise<T>) => async (tx: TenantTx): Promise<T> => {
    // The hook keeps the active tenant only if a membership covers it.
    if (tx.claims.tenant_id !== tenant.id) forbidden();
    // A suspended (or offboarded) tenant's own users: RLS already hides
    // everything; the 403 page says why and whom to contact. Staff above
    // the locked tenant still see it (read-only: the database refuses writes).
    if (tenant.lockedAs && !(await visibleUnderRls(tx, tenant.id))) forbidden();
    return fn(tx);
  };
  return {
    tenant,
    user,
    run: (fn) => runHostingReads(caller, checked(fn)),
    read: (fn) => readJoiningPage(caller, checked(fn)),
  };
}

async function visibleUnderRls(tx: TenantTx, tenantId: string): Promise<boolean> {
  const { rows } = await tx.client.query(`select 1 from public.tenants where id = $1`, [tenantId]);
  return rows.length > 0;
}

export interface ConsolePage {
  user: SessionUser;
  run<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T>;
  /** A layout's reads, on the page's transaction when it has one (lib/db/render-transaction.ts). */
  read<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T>;
}

/** The MSSP console: the user's whole scope, no tenant active. */
export async function consolePage(returnTo: string): Promise<ConsolePage> {
  const user = await requireSessionUser(returnTo);
  const caller: Caller = { userId: user.id, email: user.email, sessionId: user.sessionId, activeTenantId: null };
  return { user, run: (fn) => runHostingReads(caller, fn), read: (fn) => readJoiningPage(caller, fn) };
}

export function isOperator(tx: TenantTx): boolean {
  return tx.claims.tenants.some((m) => m.kind === "mssp");
}
