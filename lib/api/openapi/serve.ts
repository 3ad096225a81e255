// GET /api/v1/openapi.json: the OpenAPI document of exactly the endpoints the
// gateway serves (the same list it routes with), without a key: it names no
// tenant and no data, only the contract. Built once per endpoint list and
// kept as its JSON text (building runs z.toJSONSchema over every schema).
import type { Endpoint } from "@/lib/api/endpoint";
import { API_BASE_PATH, buildOpenApiDocument } from "./document";

export const OPENAPI_PATH = `${API_BASE_PATH}/openapi.json`;

const cache = new WeakMap<readonly Endpoint[], string>();

export function openApiJson(routes: readonly Endpoint[]): string {
  let text = cache.get(routes);
  if (text === undefined) cache.set(routes, (text = JSON.stringify(buildOpenApiDocument(routes))));
  return text;
}

/** Whether this request asks for the document (GET or HEAD, the exact path, trailing slash tolerated). */
export function isOpenApiRequest(method: string, pathname: string): boolean {
  return (method === "GET" || method === "HEAD") && (pathname === OPENAPI_PATH || pathname === `${OPENAPI_PATH}/`);
}

export function openApiResponse(routes: readonly Endpoint[], method: string, requestId: string): Response {
  const text = openApiJson(routes);
  return new Response(method === "HEAD" ? null : text, {
    status: 200,
    headers: {
      "content-type": "application/json",
      "cache-control": "public, max-age=300",
      "x-request-id": requestId,
      // Any origin may read the contract (tooling, API explorers); it carries no credentials and no data.
      "access-control-allow-origin": "*",
    },
  });
}
