// Calling an endpoint (lib/api/endpoint.ts) the way the gateway will: parse
// params, query and body with the endpoint's own zod schemas (a failure is
// the 422 problem), then run the handler in a withTenant transaction of a
// fixture user, with the EndpointContext for the addressed tenant. Until API
// keys exist the principal is a test value; RLS and the claims are the user's.
import { randomUUID } from "node:crypto";
import { API_SCOPES, ApiProblem, type Endpoint, type EndpointContext, type EndpointResult } from "@/lib/api/endpoint";
import { invalidInput } from "@/lib/api/endpoints/problems";
import type { TenantTx } from "@/lib/db/with-tenant";
import type { Fixtures, TenantSlug, UserName } from "./fixtures";
import { as } from "./sql";

export interface RawInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

export function contextFor(tx: TenantTx, fx: Fixtures, slug: TenantSlug): EndpointContext {
  return {
    tx,
    tenantId: fx.tenants[slug],
    tenantSlug: slug,
    requestId: randomUUID(),
    principal: { keyId: "test-key", keyTenantId: fx.tenants[slug], scopes: API_SCOPES },
  };
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

/** One call, committed: `user` (a fixture user, standing in for a key of that tenant) addressing `slug`. */
export function call(fx: Fixtures, user: UserName, slug: TenantSlug, e: Endpoint<any, any, any, any>, raw: RawInput = {}) {
  return as(fx, user, (tx) => runEndpoint(e, contextFor(tx, fx, slug), raw), slug);
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
