// The OpenAPI 3.1 document of the tenant API, generated from the endpoint
// list the gateway serves (lib/api/routes.ts) and the very zod schemas the gateway parses with
// (z.toJSONSchema, JSON Schema 2020-12, which OpenAPI 3.1 uses as is), so the
// reference cannot drift from the code. Every operation appears twice: on the
// key's own tenant (/alerts) and addressed by slug for an MSSP key
// (/tenants/{slug}/alerts). Servers are relative: the document is right on the
// console host and on every tenant host alike.
import { z } from "zod";
import type { Endpoint } from "@/lib/api/endpoint";
import { API_ROUTES } from "@/lib/api/routes";
import { MAX_BATCH, MAX_RAW_BYTES } from "@/lib/ingest/schemas";
import { SLUG_PATTERN } from "@/lib/tenancy/slug";

export type JsonSchema = Record<string, unknown>;

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  "x-required-scope": string;
  parameters?: Record<string, unknown>[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  servers: { url: string; description: string }[];
  security: Record<string, string[]>[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    parameters: Record<string, unknown>;
  };
}

export const API_BASE_PATH = "/api/v1";
const DIALECT = "https://json-schema.org/draft/2020-12/schema";

/** A zod schema as an OpenAPI 3.1 schema object (no $schema member; what cannot be represented reads as "any"). */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any", reused: "inline", cycles: "throw" }) as JsonSchema;
  delete out.$schema;
  // A schema's .meta() may unset a member (query.ts's limit drops its string pattern): gone, not undefined.
  return JSON.parse(JSON.stringify(out)) as JsonSchema;
}

const problemSchema: JsonSchema = {
  title: "Problem",
  description: "RFC 9457 problem details.",
  type: "object",
  properties: {
    type: { type: "string", description: "A URI reference naming the kind of problem (about:blank, or /api/v1/problems/<slug>)" },
    title: { type: "string" },
    status: { type: "integer", minimum: 400, maximum: 599 },
    detail: { type: "string" },
    instance: { type: "string" },
    request_id: { type: "string", description: "The request's id, also in the X-Request-Id header" },
    retry_after_seconds: { type: "number", description: "A 429's (and a busy 503's) wait before retrying, as the Retry-After header says" },
    errors: {
      type: "array",
      description: "Per-field errors of a 422",
      items: {
        type: "object",
        properties: {
          in: { type: "string", enum: ["path", "query", "body"], description: "Which part of the request" },
          path: { type: "string", description: "The field, dotted (items.3.severity), or (root)" },
          message: { type: "string" },
        },
        required: ["in", "path", "message"],
      },
    },
  },
  required: ["type", "title", "status"],
};

// On every answer of a call that got past authentication and the rate limit, success included
// (lib/api/gateway/limits.ts rateHeaders): the tighter of the key's and the tenant's buckets.
const RATE_LIMIT_HEADERS = {
  "RateLimit-Limit": { description: "Requests a minute the tighter of the key's and the tenant's limits allows", schema: { type: "integer" } },
  "RateLimit-Remaining": { description: "Requests left before that limit refuses", schema: { type: "integer" } },
  "RateLimit-Reset": { description: "Seconds until the bucket is full again", schema: { type: "integer" } },
  "RateLimit-Policy": { description: "The limit and its window, e.g. 600;w=60", schema: { type: "string" } },
};

const problem = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

const PROBLEMS: Record<string, ReturnType<typeof problem>> = {
  BadRequest: problem(
    "Malformed request: JSON that does not parse or is not UTF-8, a key twice in one object (`detail` names where), nesting deeper than 512 levels, a body on a GET, a body that stopped before its end.",
  ),
  Unauthorized: problem("No key, or an expired, revoked or tampered one."),
  Forbidden: problem(
    "The key's scopes or the policy do not cover this call, or the key is used on another tenant's host (`forbidden`); or the key's tenant, or one above it, is suspended (`tenant-inactive`: the key works again when the tenant is resumed; not an authentication failure).",
  ),
  NotFound: problem("No such resource for this key (unknown, or another tenant's: existence is not revealed)."),
  Conflict: problem("The request conflicts with the resource's current state (e.g. a triage step the workflow does not allow)."),
  PayloadTooLarge: problem("The body is larger than the gateway accepts."),
  UnsupportedMediaType: problem("The body is not application/json, or declares a charset other than utf-8."),
  UnprocessableContent: problem("The input does not match the schema (unknown fields included); `errors` names each field."),
  TooManyRequests: problem(
    "Rate limit or daily quota reached for the tenant or the key, or the tenant's concurrency cap (requests in progress, or its share of this server's budget for request bodies in progress: refused before the body is read). `retry_after_seconds` says the wait, as Retry-After.",
    {
      "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } },
      ...RATE_LIMIT_HEADERS,
    },
  ),
  InternalServerError: problem("Something failed on the portal's side; nothing was changed. Quote `request_id`."),
  ServiceUnavailable: problem(
    "The portal is busy (no database connection came free, or this server's budget for request bodies in progress is full: refused before the body is read), the request took too long, or the authorization service did not answer; nothing was changed.",
    {
      "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } },
    },
  ),
};

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });

function errorResponses(e: Endpoint<any, any, any, any>): Record<string, unknown> {
  const r: Record<string, unknown> = { "400": ref("BadRequest"), "401": ref("Unauthorized"), "403": ref("Forbidden"), "404": ref("NotFound") };
  if (e.method === "PATCH") r["409"] = ref("Conflict");
  if (e.body) {
    r["413"] = ref("PayloadTooLarge");
    r["415"] = ref("UnsupportedMediaType");
    if (e.method === "POST") r["409"] = ref("Conflict");
  }
  r["422"] = ref("UnprocessableContent");
  r["429"] = ref("TooManyRequests");
  // Every call may meet these (lib/api/gateway refusalResponse).
  r["500"] = ref("InternalServerError");
  r["503"] = ref("ServiceUnavailable");
  return r;
}

function parametersOf(schema: z.ZodType | undefined, where: "path" | "query"): Record<string, unknown>[] {
  if (!schema) return [];
  const s = jsonSchemaOf(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop as JsonSchema & { description?: string };
    return {
      name,
      in: where,
      required: where === "path" || (s.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function operationId(e: Endpoint<any, any, any, any>, forTenant: boolean): string {
  const words = e.path
    .split("/")
    .filter(Boolean)
    .map((p) => (p.startsWith("{") ? `By${p.slice(1, -1).replace(/^./, (c) => c.toUpperCase())}` : p.replace(/^./, (c) => c.toUpperCase())));
  return `${e.method.toLowerCase()}${words.join("")}${forTenant ? "ForTenant" : ""}`;
}

function operation(e: Endpoint<any, any, any, any>, forTenant: boolean): OpenApiOperation {
  const parameters = [...(forTenant ? [{ $ref: "#/components/parameters/TenantSlug" }] : []), ...parametersOf(e.params, "path"), ...parametersOf(e.query, "query")];
  const description = [
    e.description,
    forTenant ? "Addressed by slug: for an MSSP key, one of the tenants below the MSSP (checked under the same rules as a person of the MSSP)." : undefined,
    `Requires the scope \`${e.scope}\`.`,
  ]
    .filter(Boolean)
    .join("\n\n");
  return {
    operationId: operationId(e, forTenant),
    summary: e.summary,
    description,
    tags: [e.tag],
    security: [{ bearerAuth: [] }],
    "x-required-scope": e.scope,
    ...(parameters.length ? { parameters } : {}),
    ...(e.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchemaOf(e.body, "input") } } } } : {}),
    responses: {
      [String(e.success.status)]: {
        description: "Success",
        headers: { "X-Request-Id": { description: "The request's id", schema: { type: "string" } }, ...RATE_LIMIT_HEADERS },
        content: { "application/json": { schema: jsonSchemaOf(e.success.schema, "output") } },
      },
      ...errorResponses(e),
    },
  };
}

export function buildOpenApiDocument(endpoints: readonly Endpoint<any, any, any, any>[] = API_ROUTES): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const e of endpoints) {
    for (const forTenant of [false, true]) {
      const path = forTenant ? `/tenants/{slug}${e.path}` : e.path;
      paths[path] ??= {};
      paths[path][e.method.toLowerCase()] = operation(e, forTenant);
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tenant API",
      version: "1",
      description:
        "Machine access to one tenant's alerts, assets and collectors. Authenticate with an API key of the tenant " +
        "(`Authorization: Bearer msp_live_…`); the tenant is the key's, never a body field. An MSSP key addresses a tenant " +
        `below it with /tenants/{slug}/…. JSON only; errors are RFC 9457 problem documents. Batches hold at most ${MAX_BATCH} items; ` +
        `an alert's raw payload at most ${MAX_RAW_BYTES} bytes as JSON. With a valid key, a method a path does not take is ` +
        "answered 405 (`method-not-allowed`) with an `Allow` header naming the ones it does.",
    },
    jsonSchemaDialect: DIALECT,
    servers: [{ url: API_BASE_PATH, description: "This host: a tenant's host (the key must be that tenant's) or the console host" }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(endpoints.map((e) => e.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "msp_live_<key>",
          description: "An API key created by a tenant admin (shown once). Keys start with msp_live_ so a leaked one is recognisable.",
        },
      },
      schemas: { Problem: problemSchema },
      responses: PROBLEMS,
      parameters: {
        TenantSlug: {
          name: "slug",
          in: "path",
          required: true,
          description: "The addressed tenant's slug (an MSSP key: a tenant below the MSSP).",
          schema: { type: "string", maxLength: 63, pattern: SLUG_PATTERN.source },
        },
      },
    },
  };
}
