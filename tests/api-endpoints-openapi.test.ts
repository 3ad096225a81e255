// The OpenAPI 3.1 document (lib/api/openapi) and its reference page, without
// a database: the document is built from the endpoint list and their zod
// schemas; every operation is there on both paths with its scope, bearer
// security and the problem+json errors; request schemas refuse unknown
// fields; the reference page renders every operation and is served on the
// console and tenant hosts without the host rewrite (no session needed).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NextRequest } from "next/server";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ApiReference } from "@/components/api-docs/api-reference";
import { apiHandler } from "@/lib/api/gateway";
import { parseInput } from "@/lib/api/gateway/input";
import { notFound } from "@/lib/api/endpoints/problems";
import { problems } from "@/lib/api/problem";
import { API_ROUTES } from "@/lib/api/routes";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { referenceModel } from "@/lib/api/openapi/reference";
import { routeRequest } from "../proxy";

const doc = buildOpenApiDocument();

describe("the document", () => {
  test("is OpenAPI 3.1 with relative servers, a bearer scheme for msp_live_ keys and the problem schema", () => {
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(doc.servers.map((s) => s.url), ["/api/v1"]);
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
      type: "http",
      scheme: "bearer",
      bearerFormat: "msp_live_<key>",
      description: (doc.components.securitySchemes.bearerAuth as { description: string }).description,
    });
    assert.deepEqual((doc.components.schemas.Problem as { required: string[] }).required, ["type", "title", "status"]);
    // A 422's field errors have exactly the shape the document gives them (it said {pointer, detail}).
    const item = (doc.components.schemas.Problem as { properties: { errors: { items: { properties: Record<string, unknown>; required: string[] } } } }).properties.errors.items;
    const ingest = API_ROUTES.find((e) => e.method === "POST" && e.path === "/alerts")!;
    let errors: Record<string, unknown>[] = [];
    try {
      parseInput(ingest, { params: {}, query: {}, body: { alerts: "not a list", unknown_field: 1 } });
    } catch (e) {
      errors = (e as { extensions: { errors: Record<string, unknown>[] } }).extensions.errors;
    }
    assert.ok(errors.length > 0);
    for (const err of errors) {
      assert.deepEqual(Object.keys(err).sort(), Object.keys(item.properties).sort(), JSON.stringify(err));
      for (const k of item.required) assert.equal(typeof err[k], "string", k);
    }
    // The whole document survives JSON (what /api/v1/openapi.json serves).
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  test("every endpoint appears on its path and on /tenants/{slug}, with its scope, security and its 4xx and 5xx problem responses", () => {
    for (const e of API_ROUTES) {
      for (const path of [e.path, `/tenants/{slug}${e.path}`]) {
        const op = doc.paths[path]?.[e.method.toLowerCase()];
        assert.ok(op, `${e.method} ${path}`);
        assert.equal(op["x-required-scope"], e.scope);
        assert.deepEqual(op.security, [{ bearerAuth: [] }]);
        const codes = Object.keys(op.responses);
        for (const c of ["400", "401", "403", "404", "422", "429", "500", "503"]) assert.ok(codes.includes(c), `${e.method} ${path} documents ${c}`);
        if (e.body) for (const c of ["413", "415"]) assert.ok(codes.includes(c), `${e.method} ${path} documents ${c}`);
        assert.ok(codes.includes(String(e.success.status)));
        if (path.startsWith("/tenants/")) assert.deepEqual(op.parameters?.[0], { $ref: "#/components/parameters/TenantSlug" });
      }
    }
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
  });

  test("says what the gateway does: RateLimit headers on success, an integer limit, one 404 title, 405 with Allow", () => {
    for (const e of API_ROUTES) {
      const op = doc.paths[e.path][e.method.toLowerCase()];
      const ok = op.responses[String(e.success.status)] as { headers: Record<string, unknown> };
      for (const h of ["X-Request-Id", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"]) assert.ok(ok.headers[h], `${e.method} ${e.path} documents ${h}`);
    }
    const limit = doc.paths["/alerts"].get.parameters!.find((p) => (p as { name?: string }).name === "limit") as { schema: Record<string, unknown> };
    assert.deepEqual(limit.schema, { type: "integer", minimum: 1, maximum: 200 });
    // The query parser still takes only a plain whole number in range.
    const list = API_ROUTES.find((e) => e.method === "GET" && e.path === "/alerts")!;
    assert.equal((parseInput(list, { params: {}, query: { limit: "200" }, body: undefined }) as { query: { limit: number } }).query.limit, 200);
    for (const bad of ["0", "201", "1e2", "0x10", " 5", "5.0"]) assert.throws(() => parseInput(list, { params: {}, query: { limit: bad }, body: undefined }), bad);
    // An endpoint's own 404 and the gateway's share a title.
    assert.equal(notFound("alert").title, problems.notFound("x").title);
    assert.match(doc.info.description, /405 \(`method-not-allowed`\) with an `Allow` header/);
  });

  test("its paths and operations are exactly the gateway's routes (API_ROUTES), checkpoints, /me and /usage included", () => {
    const expected = API_ROUTES.flatMap((e) => [e.path, `/tenants/{slug}${e.path}`].map((p) => `${e.method.toLowerCase()} ${p}`)).sort();
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
    assert.deepEqual(documented, expected);
    for (const op of ["get /me", "get /usage", "get /collectors/{name}/checkpoints", "post /collectors/{name}/checkpoints"]) {
      assert.ok(documented.includes(op), op);
    }
  });

  test("request bodies are strict: additionalProperties false on the body and on each batch item", () => {
    const body = doc.paths["/alerts"].post.requestBody!.content["application/json"].schema as any;
    assert.equal(body.additionalProperties, false);
    assert.equal(body.properties.alerts.items.additionalProperties, false);
    assert.equal(body.properties.alerts.maxItems, 1000);
    assert.ok(!("tenant_id" in body.properties.alerts.items.properties));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const s = op.requestBody?.content["application/json"].schema as any;
        if (s) assert.equal(s.additionalProperties, false, `${method} ${path}`);
      }
    }
  });
});

describe("the reference page", () => {
  test("shows every operation with its fields and a curl example", () => {
    const model = referenceModel(doc);
    const ops = model.tags.flatMap((t) => t.operations);
    assert.equal(ops.length, API_ROUTES.length);
    const ingest = ops.find((o) => o.method === "POST" && o.path === "/alerts")!;
    assert.ok(ingest.body.some((r) => r.name === "alerts[].external_id" && r.required));
    assert.ok(ingest.response.some((r) => r.name === "results[].status"));
    const html = renderToStaticMarkup(createElement(ApiReference, { model }));
    assert.equal(html.match(/data-testid="api-operation"/g)?.length, API_ROUTES.length);
    assert.match(html, /Authorization: Bearer msp_live_…/);
    assert.match(html, /\/api\/v1\/openapi\.json/);
  });

  test("GET /api/v1/openapi.json answers the document without a key, on the console and tenant hosts; HEAD too", async () => {
    const handler = apiHandler(API_ROUTES);
    for (const host of ["localhost:3000", "acme.localhost:3000", "globex.localhost:3000"]) {
      const res = await handler(new Request(`http://${host}/api/v1/openapi.json`, { headers: { host } }));
      assert.equal(res.status, 200, host);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.ok(res.headers.get("x-request-id"));
      const text = await res.text();
      const served = JSON.parse(text) as typeof doc;
      assert.deepEqual(Object.keys(served.paths).sort(), Object.keys(doc.paths).sort());
      // The same document on every host, white-labelled ones included: no product's or MSSP's name in it.
      assert.equal(served.info.title, "Tenant API", host);
      assert.doesNotMatch(text, /MSSP portal|MSSP Portal|Sentinel/, host);
      assert.equal(served.openapi, "3.1.0");
    }
    const head = await handler(new Request("http://localhost:3000/api/v1/openapi.json", { method: "HEAD", headers: { host: "localhost:3000" } }));
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    // Not a way around the key: other methods, other names, a tenant prefix stay the gateway's (401 without a key).
    for (const [method, path] of [["POST", "/api/v1/openapi.json"], ["GET", "/api/v1/openapi.yaml"], ["GET", "/api/v1/tenants/acme/openapi.json"], ["GET", "/api/v1/openapi.json/x"]]) {
      const res = await handler(new Request(`http://localhost:3000${path}`, { method, headers: { host: "localhost:3000" } }));
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
    }
    // An unknown host is not the API, for the document either.
    assert.equal((await handler(new Request("http://evil.example/api/v1/openapi.json", { headers: { host: "evil.example" } }))).status, 404);
  });

  test("/api-docs is served as is on the console and on a tenant host (no rewrite to a tenant's pages)", () => {
    for (const host of ["localhost:3000", "acme.localhost:3000"]) {
      const res = routeRequest(new NextRequest(`http://${host}/api-docs`, { headers: { host } }));
      assert.equal(res.headers.get("x-middleware-rewrite"), null, host);
      assert.equal(res.headers.get("x-middleware-next"), "1", host);
    }
    // Control: another path on a tenant host is rewritten.
    const other = routeRequest(new NextRequest("http://acme.localhost:3000/alerts", { headers: { host: "acme.localhost:3000" } }));
    assert.match(other.headers.get("x-middleware-rewrite") ?? "", /\/t\/acme\/alerts$/);
  });
});
