// Calling an endpoint (lib/api/endpoint.ts) the way the gateway will: parse
// params, query and body with the endpoint's own zod schemas (a failure is
// the 422 problem), then run the handler in a withTenant transaction with the
// EndpointContext for the addressed tenant. `call` and `refused` run as a real
// API key standing in for a fixture user (keyFor): RLS and the claims are the
// key's, as behind the gateway, which takes keys only (the database lets only
// keys create alerts and assets, migration 20261201031100, and raw events, collectors and
// checkpoints, 20261201031500). contextFor and runEndpoint still take any transaction.
import { randomUUID } from "node:crypto";
import { API_SCOPES, ApiProblem, type ApiScope, type Endpoint, type EndpointContext, type EndpointResult } from "@/lib/api/endpoint";
import { invalidInput } from "@/lib/api/endpoints/problems";
import { generateKey, parseKey } from "@/lib/api/keys/format";
import { inTransaction, withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { subtree, USERS, type Fixtures, type TenantSlug, type UserName } from "./fixtures";

export interface RawInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

export function contextFor(tx: TenantTx, fx: Fixtures, slug: TenantSlug, key?: StandIn): EndpointContext {
  return {
    tx,
    tenantId: fx.tenants[slug],
    tenantSlug: slug,
    requestId: randomUUID(),
    principal: key
      ? { keyId: key.id, keyTenantId: fx.tenants[key.tenant], scopes: key.scopes }
      : { keyId: "test-key", keyTenantId: fx.tenants[slug], scopes: API_SCOPES },
  };
}

interface StandIn {
  id: string;
  key: string;
  tenant: TenantSlug;
  scopes: ApiScope[];
}

const READ_SCOPES: ApiScope[] = ["alerts:read", "assets:read"];
const keys = new WeakMap<Fixtures, Map<string, Promise<StandIn>>>();

/**
 * A live key standing in for `user` addressing `slug`: of the user's membership covering `slug`
 * (else its first, whose key then sees nothing of `slug`), with the scopes its role could hold
 * (admins all; analysts all but usage:read; anyone else read only, so its key writes nothing).
 * Made once per fixture set, as the service role (a fixture, not a path under test).
 */
export function keyFor(fx: Fixtures, user: UserName, slug: TenantSlug): Promise<StandIn> {
  const memberships = USERS[user] as [TenantSlug, string][];
  const [tenant, role] = memberships.find(([root]) => subtree(root).includes(slug)) ?? memberships[0] ?? [];
  if (!tenant) throw new Error(`${user} has no membership a key could stand in for`);
  const scopes: ApiScope[] = ["mssp_admin", "tenant_admin"].includes(role)
    ? [...API_SCOPES]
    : ["mssp_analyst", "tenant_analyst"].includes(role)
      ? API_SCOPES.filter((s) => s !== "usage:read")
      : READ_SCOPES;
  let byUser = keys.get(fx);
  if (!byUser) keys.set(fx, (byUser = new Map()));
  const name = `${user}@${tenant}`;
  let made = byUser.get(name);
  if (!made) {
    const fresh = generateKey();
    made = inTransaction(async (client) => {
      await client.query("set local role service_role");
      await client.query(
        `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, expires_at, created_by)
         values ($1, $2, $3, $4, $5, now() + interval '30 days', $6)`,
        [fx.tenants[tenant], fresh.id, `stand-in for ${name}`, fresh.secretHash, scopes, fx.users[user]],
      );
      return { id: fresh.id, key: fresh.key, tenant, scopes };
    });
    byUser.set(name, made);
  }
  return made;
}

/** withTenant as the stand-in key of `user`, addressing `slug` (as the gateway opens a call). */
export async function asKeyOf<T>(fx: Fixtures, user: UserName, slug: TenantSlug, fn: (tx: TenantTx, key: StandIn) => Promise<T>): Promise<T> {
  const key = await keyFor(fx, user, slug);
  return withTenant({ userId: key.id, apiKey: parseKey(key.key)!, activeTenantId: fx.tenants[slug] }, (tx) => fn(tx, key));
}

/** Parses the raw input with the endpoint's schemas and runs the handler inside `tx`. */
export async function runEndpoint(e: Endpoint<any, any, any, any>, ctx: EndpointContext, raw: RawInput): Promise<EndpointResult<any>> {
  const parse = (schema: Endpoint["body"], value: unknown, where: "params" | "query" | "body") => {
    if (!schema) return undefined;
    const r = schema.safeParse(value ?? (where === "body" ? undefined : {}));
    if (!r.success) throw invalidInput(r.error, where);
    return r.data;
  };
  const input = { params: parse(e.params, raw.params, "params"), query: parse(e.query, raw.query, "query"), body: parse(e.body, raw.body, "body") };
  return e.handle(ctx, input as never);
}

/** One call, committed: the key standing in for `user` (keyFor) addressing `slug`. */
export function call(fx: Fixtures, user: UserName, slug: TenantSlug, e: Endpoint<any, any, any, any>, raw: RawInput = {}) {
  return asKeyOf(fx, user, slug, (tx, key) => runEndpoint(e, contextFor(tx, fx, slug, key), raw));
}

/** The same, returning the ApiProblem a refused call threw (rolled back), or failing if it succeeded. */
export async function refused(fx: Fixtures, user: UserName, slug: TenantSlug, e: Endpoint<any, any, any, any>, raw: RawInput = {}): Promise<ApiProblem> {
  try {
    const r = await call(fx, user, slug, e, raw);
    throw new Error(`expected a problem, got ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  } catch (error) {
    if (error instanceof ApiProblem) return error;
    throw error;
  }
}
