// Who is asking, as the PDP sees it. A principal is built only from the claims
// of the caller's current withTenant transaction, which the access-token hook
// assembles from the memberships table at the start of that transaction: so it
// is authoritative and never older than the transaction.
//
// Every principal principalFromClaims returns is frozen and recorded; the
// check functions refuse any other object. A principal cannot be assembled by
// hand, from a request body or a cookie, or edited after it was built.
import type { Claims } from "@/lib/db/claims";

export interface PrincipalMembership {
  readonly tenant_id: string;
  /** ltree path of the tenant the role is held on; the role applies to its subtree. */
  readonly path: string;
  readonly role: string;
}

export interface Principal {
  /** The user id (claims.sub); for an API key, the key id. */
  readonly id: string;
  readonly memberships: readonly PrincipalMembership[];
  /** "api_key" for an API key caller (claims.api_key), else a person. */
  readonly kind?: "person" | "api_key";
  /** An API key's scopes: the actions the PDP may allow it (policies/tenant.yaml). */
  readonly scopes?: readonly string[];
}

// One registry per process, even if the module is instantiated more than once.
const registryKey = Symbol.for("mssp-portal.authz.principals");
const issued: WeakSet<object> = ((globalThis as Record<symbol, unknown>)[registryKey] ??= new WeakSet()) as WeakSet<object>;

export function principalFromClaims(claims: Pick<Claims, "sub" | "tenants"> & { api_key?: Claims["api_key"] }): Principal {
  const memberships = claims.tenants.map((m) =>
    Object.freeze({ tenant_id: m.tenant_id, path: m.path, role: m.role }),
  );
  // A key caller only when the claims' key is this very sub (as the RLS
  // helper tenancy.api_key_id() requires too).
  const key = claims.api_key && claims.api_key.id === claims.sub ? claims.api_key : null;
  const principal: Principal = Object.freeze({
    id: claims.sub,
    memberships: Object.freeze(memberships),
    ...(key ? { kind: "api_key" as const, scopes: Object.freeze([...key.scopes]) } : {}),
  });
  issued.add(principal);
  return principal;
}

/** Throws unless `principal` came from principalFromClaims. */
export function assertIssuedPrincipal(principal: Principal): void {
  if (typeof principal !== "object" || principal === null || !issued.has(principal)) {
    throw new TypeError("authorization principal was not built by principalFromClaims");
  }
}
