// HEAD on the API (lib/api/gateway): the GET of the same path, through the
// same steps (the key, the tenant, the route, the scope, the rate limits, the
// PDP, the handler, the audit of refusals), answered with the GET's status and
// headers and no body; Allow lists HEAD wherever GET is allowed. Real Postgres
// and PDP; the gateway called as Next calls the route handler, and once over
// real HTTP behind a node:http server.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiHandler } from "@/lib/api/gateway";
import { API_ROUTES } from "@/lib/api/routes";
import { apiClient, serveApi, type ApiHttpServer } from "@/scripts/bench/api-http";
import { createKeyAs } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";

let server: ApiHttpServer | undefined;
const env = useFixtureEnv({ beforeDrop: () => server?.close() });
const handler = apiHandler(API_ROUTES);

function call(host: string, path: string, method: string, key?: string) {
  const headers: Record<string, string> = { host };
  if (key) headers.authorization = `Bearer ${key}`;
  return handler(new Request(`http://${host}/api/v1${path}`, { method, headers }));
}

/** The headers that differ from one answer to the next by value, not by presence. */
const VARYING = new Set(["x-request-id", "ratelimit-remaining", "ratelimit-reset", "content-length"]);
const headersOf = (res: Response) => [...res.headers].filter(([k]) => !VARYING.has(k)).sort();
const namesOf = (res: Response) => [...res.headers.keys()].sort();

async function assertNoBody(res: Response) {
  assert.equal(await res.text(), "", `HEAD ${res.status} has no body`);
}

describe("HEAD on GET endpoints", () => {
  test("HEAD /me and HEAD /alerts: the GET's status and headers, no body", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    for (const path of ["/me", "/alerts?limit=5"]) {
      const get = await call("acme.localhost:3000", path, "GET", key.key);
      assert.equal(get.status, 200, path);
      assert.ok((await get.text()).length > 0);
      const head = await call("acme.localhost:3000", path, "HEAD", key.key);
      assert.equal(head.status, 200, path);
      assert.deepEqual(namesOf(head), namesOf(get), `the same headers (${path})`);
      assert.deepEqual(headersOf(head), headersOf(get), `with the same values (${path})`);
      assert.equal(head.headers.get("content-type"), "application/json");
      await assertNoBody(head);
    }
  });

  test("over real HTTP: HEAD /alerts is 200 with the GET's headers", async () => {
    server = await serveApi();
    const key = await createKeyAs(env.fx, "globexAdmin", "globex", ["alerts:read"]);
    const client = apiClient(server.url, "globex.localhost:3000", key.key, 1);
    try {
      const get = await client.call("GET", "/alerts?limit=1");
      const head = await client.call("HEAD", "/alerts?limit=1");
      assert.equal(get.status, 200);
      assert.equal(head.status, 200, head.body);
      assert.equal(head.body, "");
      assert.equal(head.headers["content-type"], "application/json");
      assert.equal(head.headers["cache-control"], "no-store");
      assert.equal(head.headers["ratelimit-limit"], get.headers["ratelimit-limit"]);
    } finally {
      client.close();
    }
  });

  test("authorized like GET: no key 401, another tenant's host 403, a missing scope 403 audited with method HEAD; each without a body", async () => {
    const noKey = await call("acme.localhost:3000", "/me", "HEAD");
    assert.equal(noKey.status, 401);
    assert.ok(noKey.headers.get("www-authenticate")?.startsWith("Bearer"));
    assert.equal(noKey.headers.get("content-type"), "application/problem+json");
    await assertNoBody(noKey);

    const acme = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    const mismatch = await call("globex.localhost:3000", "/me", "HEAD", acme.key);
    assert.equal(mismatch.status, 403);
    await assertNoBody(mismatch);

    const assetsOnly = await createKeyAs(env.fx, "acmeAdmin", "acme", ["assets:read"]);
    const scoped = await call("acme.localhost:3000", "/alerts", "HEAD", assetsOnly.key);
    assert.equal(scoped.status, 403);
    await assertNoBody(scoped);
    const rows = await env.owner<{ details: { method: string; path: string } }>(
      "select details from public.audit_log where action = 'api.request' and outcome = 'denied' and actor_id = $1 and details ->> 'reason' = 'scope'",
      [assetsOnly.id],
    );
    assert.deepEqual(rows.map((r) => [r.details.method, r.details.path]), [["HEAD", "/api/v1/alerts"]]);
    // A GET endpoint's HEAD with the scope is served.
    assert.equal((await call("acme.localhost:3000", "/assets", "HEAD", assetsOnly.key)).status, 200);
  });

  test("rate-limited and counted like GET: HEAD spends the key's tokens, is usage, and past the limit is 429 with Retry-After", async () => {
    await env.owner(
      `insert into public.tenant_settings (tenant_id, key, value) values ($1, 'limits.api_key_requests_per_minute', '2')
       on conflict (tenant_id, key) do update set value = excluded.value`,
      [env.fx.tenants["acme-us"]],
    );
    const counted = async () =>
      Number((await env.owner<{ n: string }>("select coalesce(sum(requests), 0) as n from usage.api_request_counts where tenant_id = $1", [env.fx.tenants["acme-us"]]))[0].n);
    const before = await counted();
    const key = await createKeyAs(env.fx, "acmeUsAdmin", "acme-us", ["alerts:read"]);
    const first = await call("acme-us.localhost:3000", "/me", "HEAD", key.key);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("ratelimit-remaining"), "1");
    assert.equal((await call("acme-us.localhost:3000", "/me", "GET", key.key)).status, 200);
    const limited = await call("acme-us.localhost:3000", "/me", "HEAD", key.key);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    await assertNoBody(limited);
    assert.equal((await counted()) - before, 2, "the HEAD and the GET admitted are usage; the 429 is not");
  });

  test("Allow lists HEAD wherever GET is allowed; HEAD on a path without GET is 405", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read", "alerts:write"]);
    const del = await call("acme.localhost:3000", "/alerts", "DELETE", key.key);
    assert.equal(del.status, 405);
    assert.equal(del.headers.get("allow"), "POST, GET, HEAD");
    assert.deepEqual(((await del.json()) as { allowed: string[] }).allowed, ["POST", "GET", "HEAD"]);
    assert.equal((await call("acme.localhost:3000", "/me", "PUT", key.key)).headers.get("allow"), "GET, HEAD");
    const postOnly = await call("acme.localhost:3000", "/collectors/heartbeat", "HEAD", key.key);
    assert.equal(postOnly.status, 405);
    assert.equal(postOnly.headers.get("allow"), "POST");
    await assertNoBody(postOnly);
  });
});
