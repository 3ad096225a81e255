// The contract between the API gateway (lib/api/gateway) and the endpoints
// (lib/api/endpoints): an endpoint is data (method, path, scope, zod schemas)
// plus one handler. The gateway authenticates the key, resolves the tenant,
// rate-limits, parses the input with these schemas and opens the withTenant
// transaction the handler runs in; the OpenAPI document (lib/api/openapi) is
// generated from the same list, so the reference cannot drift from the code.
import type { z } from "zod";
import type { TenantTx } from "@/lib/db/with-tenant";

/** What a key may be granted. Each maps to a PDP action the creator must hold. */
export const API_SCOPES = [
  "alerts:read",
  "alerts:write",
  "alerts:triage",
  "assets:read",
  "assets:write",
  "collectors:write",
  "usage:read",
] as const;

export type ApiScope = (typeof API_SCOPES)[number];

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** Who is calling: always an API key of one tenant (the key's own tenant). */
export interface ApiPrincipal {
  keyId: string;
  /** The tenant the key belongs to (may be an ancestor of the addressed tenant for an MSSP key). */
  keyTenantId: string;
  scopes: readonly ApiScope[];
}

export interface EndpointContext {
  /** Under RLS, with the key's claims; the transaction commits when the handler returns. */
  tx: TenantTx;
  /** The tenant this call addresses (from the key, or by path for an MSSP key). */
  tenantId: string;
  tenantSlug: string;
  requestId: string;
  principal: ApiPrincipal;
}

export interface EndpointInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

export interface EndpointResult<O> {
  status: number;
  body: O;
  headers?: Record<string, string>;
}

export interface Endpoint<P = unknown, Q = unknown, B = unknown, O = unknown> {
  method: HttpMethod;
  /** Relative to the addressed tenant, OpenAPI style: "/alerts", "/alerts/{id}". */
  path: string;
  /** The scope a key needs; the gateway also asks the PDP for `action`. */
  scope: ApiScope;
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Success status and body schema (for the OpenAPI document and tests). */
  success: { status: number; schema: z.ZodType<O> };
  /** Largest request body the gateway reads, in bytes (default 1 MiB, at most 16 MiB); past it, 413. */
  maxBodyBytes?: number;
  /** Costs in the per-tenant ingestion quota (e.g. alerts in a batch); default 0. */
  quotaCost?: (input: EndpointInput<P, Q, B>) => number;
  handle(ctx: EndpointContext, input: EndpointInput<P, Q, B>): Promise<EndpointResult<O>>;
}

/**
 * A refusal the caller should read, rendered by the gateway as an RFC 9457
 * problem document. Anything else a handler throws is a 500 with no detail.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    /** Extra members of the problem document, e.g. per-field errors. */
    readonly extensions: Record<string, unknown> = {},
    /** A short type slug: the document's `type` becomes `/api/v1/problems/<type>`. */
    readonly type = "about:blank",
  ) {
    super(detail ?? title);
    this.name = "ApiProblem";
  }
}

/** Identity helper that keeps the generic types of one endpoint. */
export function defineEndpoint<P, Q, B, O>(e: Endpoint<P, Q, B, O>): Endpoint<P, Q, B, O> {
  return e;
}
