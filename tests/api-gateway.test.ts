// The API gateway over HTTP semantics (lib/api/gateway), called the way
// Next calls the route handler (app/api/v1/[...path]/route.ts): a Request
// with a Host header. Real Postgres (RLS, the key claims function, the shared
// buckets), real PDP. What it tries: no key, malformed, tampered, expired and
// revoked keys; a key on another tenant's host; an MSSP key addressing a
// customer by path and a tenant outside its subtree; bad bodies; the rate,
// concurrency and statement-time limits; a second process sharing a bucket.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { before, describe, test } from "node:test";
import { z } from "zod";
import { defineEndpoint, ApiProblem, type Endpoint } from "@/lib/api/endpoint";
import { apiHandler } from "@/lib/api/gateway";
import { meEndpoint } from "@/lib/api/gateway/me";
import { revokeApiKey } from "@/lib/api/keys/store";
import { withTenant } from "@/lib/db/with-tenant";
import { API_ROUTES } from "@/lib/api/routes";
import { createKeyAs } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";
import { routeCustomDomain } from "./helpers/custom-domains";
import type { TenantSlug } from "./helpers/fixtures";

// Set before the database and its pool are created (useFixtureEnv's before hook).
process.env.DB_POOL_MAX = "12";
const env = useFixtureEnv();
const ACME_DOMAIN = "soc.acme-gateway.example";
env.before(() => routeCustomDomain(env, env.fx.tenants.acme, ACME_DOMAIN));

// Test-only endpoints beside GET /me: a JSON body, and a slow one.
const echo = defineEndpoint({
  method: "POST",
  path: "/echo",
  scope: "alerts:write",
  summary: "echo",
  tag: "Test",
  body: z.object({ title: z.string().max(50), items: z.array(z.number()).max(5).optional() }),
  success: { status: 201, schema: z.unknown() },
  quotaCost: ({ body }) => body.items?.length ?? 0,
  async handle({ tenantSlug }, { body }) {
    if (body.title === "refuse") throw new ApiProblem(409, "Conflict", "refused by the handler", {}, "conflict");
    return { status: 201, body: { tenant: tenantSlug, title: body.title } };
  },
});
const slow = defineEndpoint({
  method: "GET",
  path: "/slow",
  scope: "alerts:read",
  summary: "slow",
  tag: "Test",
  query: z.object({ ms: z.coerce.number().int().min(0).max(5000) }),
  success: { status: 200, schema: z.unknown() },
  async handle({ tx }, { query }) {
    await tx.client.query("select pg_sleep($1::float / 1000)", [query.ms]);
    return { status: 200, body: { slept: query.ms } };
  },
});
const handler = apiHandler([...API_ROUTES, echo as unknown as Endpoint, slow as unknown as Endpoint]);

function call(host: string, path: string, init: { key?: string; method?: string; body?: string; type?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { host, ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.type) headers["content-type"] = init.type;
  return handler(new Request(`http://${host}/api/v1${path}`, { method: init.method ?? "GET", headers, body: init.body }));
}

async function problem(res: Response) {
  assert.equal(res.headers.get("content-type"), "application/problem+json", `a problem document (status ${res.status})`);
  const body = (await res.json()) as { type: string; title: string; status: number; detail?: string; request_id: string; errors?: unknown[] };
  assert.equal(body.status, res.status);
  assert.equal(body.request_id, res.headers.get("x-request-id"));
  return body;
}

async function deniedRows(tenant: TenantSlug, reason: string) {
  return env.owner<{ actor_id: string | null; details: { reason: string; admitted?: boolean } }>(
    "select actor_id, details from public.audit_log where tenant_id = $1 and action = 'api.request' and outcome = 'denied' and details ->> 'reason' = $2",
    [env.fx.tenants[tenant], reason],
  );
}

describe("authentication", () => {
  test("GET /me with the tenant's own key on its host: 200, the key's identity, request id and RateLimit headers", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    const res = await call("acme.localhost:3000", "/me", { key: key.key });
    assert.equal(res.status, 200);
    const me = (await res.json()) as { key_id: string; tenant: { slug: string }; scopes: string[]; expires_at: string };
    assert.equal(me.key_id, key.id);
    // Written like every other timestamp of the API (RFC 3339, UTC, microseconds), not as the claims carry it.
    assert.match(me.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const [stored] = await env.owner<{ expires_at: string }>(`select to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as expires_at from public.api_keys where id = $1`, [key.id]);
    assert.equal(me.expires_at, stored.expires_at);
    assert.equal(me.tenant.slug, "acme");
    assert.deepEqual(me.scopes, ["alerts:read"]);
    assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    for (const h of ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]) assert.ok(res.headers.get(h), h);
    // Also on the console host. The proxy does not see the API (proxy.ts's matcher): the gateway
    // gives every request its own id and never takes a client's.
    const c = await call("localhost:3000", "/me", { key: key.key, headers: { "x-request-id": "client-chosen-id" } });
    assert.equal(c.status, 200);
    assert.match(c.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    // The headers the proxy gives pages: a policy under which nothing loads, nosniff, and HSTS over https.
    assert.match(c.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    assert.equal(c.headers.get("x-content-type-options"), "nosniff");
    assert.equal(c.headers.get("strict-transport-security"), null, "not over plain http");
    const overHttps = await call("acme.localhost:3000", "/me", { key: key.key, headers: { "x-forwarded-proto": "https" } });
    assert.match(overHttps.headers.get("strict-transport-security") ?? "", /includeSubDomains/);
  });

  test("a refusal's audit row carries the gateway's request id, never the client's", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    const res = await call("globex.localhost:3000", "/me", { key: key.key, headers: { "x-request-id": "forged-request-id" } });
    assert.equal(res.status, 403);
    const rows = await env.owner<{ request_id: string | null }>("select request_id from public.audit_log where actor_id = $1 and action = 'api.request' and details->>'reason' = 'host_mismatch' order by occurred_at desc limit 1", [key.id]);
    assert.equal(rows[0]?.request_id, res.headers.get("x-request-id"));
    const forged = await env.owner("select 1 from public.audit_log where request_id = 'forged-request-id'");
    assert.equal(forged.length, 0);
  });

  test("no key, another scheme, a malformed key: 401 problem with WWW-Authenticate", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: "Basic Zm9vOmJhcg==" }, { authorization: "Bearer msp_live_nope" }, { authorization: "Bearer " + "x".repeat(5000) }]) {
      const res = await call("acme.localhost:3000", "/me", { headers });
      assert.equal(res.status, 401);
      assert.ok(res.headers.get("www-authenticate")?.startsWith("Bearer"));
      assert.equal((await problem(res)).type, "/api/v1/problems/unauthorized");
    }
  });

  test("a tampered key (one secret character changed, or another key's id): 401, audited in the key's tenant", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    const last = key.key.at(-2) === "a" ? "b" : "a";
    const tampered = key.key.slice(0, -2) + last + key.key.at(-1);
    const res = await call("acme.localhost:3000", "/me", { key: tampered });
    assert.equal(res.status, 401);
    await problem(res);
    const rows = await deniedRows("acme", "key_bad_secret");
    assert.ok(rows.some((r) => r.actor_id === key.id), "the refusal is in acme's audit trail, naming the key");
    // Another key's secret with this key's id is just as wrong.
    const other = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    const swapped = key.key.split("_").slice(0, 3).join("_") + "_" + other.key.split("_")[3];
    assert.equal((await call("acme.localhost:3000", "/me", { key: swapped })).status, 401);
    // The control: the real key works.
    assert.equal((await call("acme.localhost:3000", "/me", { key: key.key })).status, 200);
  });

  test("failed authentications from one source: past 60 a minute, 429 auth_failures (the count survives the refused key's rollback)", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    // The secret's second-to-last character (the last is a check character: changing it is a malformed key, refused with no lookup).
    const tampered = key.key.slice(0, -2) + (key.key.at(-2) === "a" ? "b" : "a") + key.key.at(-1);
    // Without TRUST_PROXY every caller is one source here, and a failure naming an existing key counts in
    // that key's bucket (tests/api-refusal-limits.test.ts); start from empty buckets and leave them so.
    const reset = () => env.owner("delete from ratelimit.buckets where key like 'api:authfail:%'");
    await reset();
    try {
      // A bucket of 60 that refills one a second: the 61st failure within the first second or so is refused,
      // and the few the requests' own time refilled after it.
      const statuses: number[] = [];
      let refused: Response | undefined;
      while (!refused && statuses.length < 90) {
        const res = await call("acme.localhost:3000", "/me", { key: tampered });
        statuses.push(res.status);
        if (res.status === 429) refused = res;
      }
      assert.deepEqual(statuses.slice(0, 60), Array(60).fill(401));
      assert.ok(refused, `no 429 in ${statuses.length} failures`);
      assert.equal((await problem(refused)).type.endsWith("rate-limited"), true);
      assert.ok(Number(refused.headers.get("retry-after")) >= 1);
      // A good key from the same source is not refused for others' failures.
      assert.equal((await call("acme.localhost:3000", "/me", { key: key.key })).status, 200);
    } finally {
      await reset();
    }
  });

  test("only the hash is stored: the secret is in no column", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    const secret = key.key.split("_")[3];
    const [row] = await env.owner<{ t: string }>("select row_to_json(k)::text as t from public.api_keys k where id = $1", [key.id]);
    assert.ok(!row.t.includes(secret), "secret not stored");
    assert.ok(!row.t.includes(Buffer.from(secret).toString("hex")));
  });

  test("an expired key: 401 'expired'; a revoked key: 401 at the very next request", async () => {
    const [expired] = await env.owner<{ id: string }>(
      `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, created_at, expires_at)
       values ($1, gen_random_uuid(), 'old', $2, '{alerts:read}', now() - interval '10 days', now() - interval '1 day') returning id`,
      [env.fx.tenants.acme, Buffer.alloc(32, 7)],
    );
    // The owner cannot know the secret of that row; build a key with the same secret text whose hash is stored.
    const { generateKey, keyPrefix, hashSecret } = await import("@/lib/api/keys/format");
    const fresh = generateKey();
    const secret = fresh.key.split("_")[3];
    await env.owner("update public.api_keys set secret_hash = $2 where id = $1", [expired.id, hashSecret(secret)]).catch(async () => {
      // secret_hash is immutable by trigger: recreate the row instead.
      await env.owner("delete from public.api_keys where id = $1", [expired.id]);
      await env.owner(
        `insert into public.api_keys (tenant_id, id, name, secret_hash, scopes, created_at, expires_at)
         values ($1, $2, 'old', $3, '{alerts:read}', now() - interval '10 days', now() - interval '1 day')`,
        [env.fx.tenants.acme, expired.id, hashSecret(secret)],
      );
    });
    const res = await call("acme.localhost:3000", "/me", { key: `${keyPrefix(expired.id)}_${secret}` });
    assert.equal(res.status, 401);
    assert.match((await problem(res)).detail ?? "", /expired/);

    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    assert.equal((await call("acme.localhost:3000", "/me", { key: key.key })).status, 200);
    await withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: null }, (tx) => revokeApiKey(tx, { tenantId: env.fx.tenants.acme, keyId: key.id }));
    const after = await call("acme.localhost:3000", "/me", { key: key.key });
    assert.equal(after.status, 401);
    assert.match((await problem(after)).detail ?? "", /revoked/);
  });

  test("a key used on another tenant's host: 403, audited in the key's tenant and the host's", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    const res = await call("globex.localhost:3000", "/me", { key: key.key });
    assert.equal(res.status, 403);
    await problem(res);
    assert.ok((await deniedRows("acme", "host_mismatch")).some((r) => r.actor_id === key.id));
    assert.ok((await deniedRows("globex", "host_mismatch")).some((r) => r.actor_id === key.id));
    // A customer key on its MSSP's host, and on its own site's host, is refused too.
    assert.equal((await call("mssp-a.localhost:3000", "/me", { key: key.key })).status, 403);
    assert.equal((await call("acme-eu.localhost:3000", "/me", { key: key.key })).status, 403);
    // An unknown host is not the API.
    assert.equal((await call("evil.example", "/me", { key: key.key })).status, 404);
  });

  test("on a verified custom domain (looked up by the gateway) the API is that tenant's host; a client cannot name one", async () => {
    const acme = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    const globex = await createKeyAs(env.fx, "globexAdmin", "globex", ["alerts:read"]);
    const onDomain = (key: string) => call(ACME_DOMAIN, "/me", { key });
    assert.equal((await onDomain(acme.key)).status, 200);
    const other = await onDomain(globex.key);
    assert.equal(other.status, 403, "another tenant's key on acme's domain");
    await problem(other);
    // The contract too.
    assert.equal((await call(ACME_DOMAIN, "/openapi.json")).status, 200);
    // A domain that is not routed is not the API, whatever header names a tenant (the proxy, which
    // sets that header for pages, does not run for the API; the gateway never reads it).
    for (const [host, key] of [["soc.unrouted.example", globex.key], [ACME_DOMAIN, globex.key]] as const) {
      const forged = await call(host, "/me", { key, headers: { "x-portal-custom-domain-tenant": "globex" } });
      assert.equal(forged.status, host === ACME_DOMAIN ? 403 : 404, host);
    }
  });
});

describe("addressing a tenant by path", () => {
  test("an MSSP key reaches its customers by /tenants/{slug}; outside its subtree is the same 404 as no tenant at all", async () => {
    const key = await createKeyAs(env.fx, "msspAdmin", "mssp-a", ["alerts:read"]);
    const res = await call("localhost:3000", "/tenants/acme/me", { key: key.key });
    assert.equal(res.status, 200);
    const me = (await res.json()) as { tenant: { slug: string }; addressed_tenant: { slug: string } };
    assert.deepEqual([me.tenant.slug, me.addressed_tenant.slug], ["mssp-a", "acme"]);
    assert.equal((await call("localhost:3000", "/tenants/acme-eu/me", { key: key.key })).status, 200);

    const foreign = await call("localhost:3000", "/tenants/other-co/me", { key: key.key });
    const missing = await call("localhost:3000", "/tenants/no-such-tenant/me", { key: key.key });
    assert.equal(foreign.status, 404);
    assert.equal(missing.status, 404);
    const [a, b] = [await problem(foreign), await problem(missing)];
    assert.equal(a.title, b.title);
    assert.equal(a.type, b.type);
    // Malformed slugs are 404 too, not a 5xx ("/tenants/../me" is "/me" by URL rules, before any of this).
    for (const slug of ["%ff", "UPPER", "a".repeat(300), "a%2Fb", "-x"]) {
      assert.equal((await call("localhost:3000", `/tenants/${slug}/me`, { key: key.key })).status, 404, slug);
    }
  });

  test("a customer key reaches its sites by path and not a sibling customer", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    assert.equal((await call("acme.localhost:3000", "/tenants/acme-eu/me", { key: key.key })).status, 200);
    assert.equal((await call("acme.localhost:3000", "/tenants/globex/me", { key: key.key })).status, 404);
    assert.equal((await call("acme.localhost:3000", "/tenants/mssp-a/me", { key: key.key })).status, 404);
    assert.equal((await call("localhost:3000", "/tenants/globex/me", { key: key.key })).status, 404);
  });
});

describe("scopes and the PDP", () => {
  test("a key without the endpoint's scope: 403 naming the scope, audited", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["assets:read"]);
    const res = await call("acme.localhost:3000", "/me", { key: key.key });
    assert.equal(res.status, 403);
    assert.match((await problem(res)).detail ?? "", /alerts:read/);
    assert.ok((await deniedRows("acme", "scope")).some((r) => r.actor_id === key.id));
  });
});

describe("bad input is a 4xx problem, never a 5xx, and writes nothing", () => {
  let key: string;
  before(async () => {
    key = (await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:write", "alerts:read"])).key;
  });
  const post = (body: string | undefined, type = "application/json", headers: Record<string, string> = {}) =>
    call("acme.localhost:3000", "/echo", { key, method: "POST", body, type, headers });

  test("the control: a good body", async () => {
    const res = await post(JSON.stringify({ title: "hello" }));
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { tenant: "acme", title: "hello" });
  });
  test("malformed JSON: 400", async () => {
    for (const body of ["{", "{'a': 1}", "nul", "\u0000", ""]) {
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal((await problem(res)).type, "/api/v1/problems/malformed-json");
    }
  });
  test("not JSON: 415", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]) {
      const res = await post("title=x", type);
      assert.equal(res.status, 415, type);
      await problem(res);
    }
  });
  test("an oversized body: 413, by Content-Length and by what is actually sent", async () => {
    const big = JSON.stringify({ title: "x", pad: "y".repeat(1024 * 1024 + 10) });
    const res = await post(big);
    assert.equal(res.status, 413);
    await problem(res);
    // A lying Content-Length: the stream is counted.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const lying = await handler(
      new Request("http://acme.localhost:3000/api/v1/echo", {
        method: "POST",
        headers: { host: "acme.localhost:3000", authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit),
    );
    assert.equal(lying.status, 413);
  });
  test("POST /alerts takes a batch past the 1 MiB default (a collector's page of raw payloads) and refuses one past 16 MiB", async () => {
    // 40 alerts with 48 KiB raw payloads each: about 2 MiB, as a collector's page of large vendor objects is.
    const batch = (n: number, prefix: string) =>
      JSON.stringify({ alerts: Array.from({ length: n }, (_, i) => ({ external_id: `${prefix}-${i}`, source: "edr", title: `large ${i}`, severity: "low", raw: { blob: "r".repeat(48 * 1024) } })) });
    const large = batch(40, "large-batch");
    assert.ok(large.length > 1024 * 1024);
    const res = await call("acme.localhost:3000", "/alerts", { key, method: "POST", body: large, type: "application/json" });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { results: Array<{ status: string }> };
    assert.equal(body.results.filter((r) => r.status === "created").length, 40);
    const huge = batch(360, "huge-batch");
    assert.ok(huge.length > 16 * 1024 * 1024);
    const refusedBody = await call("acme.localhost:3000", "/alerts", { key, method: "POST", body: huge, type: "application/json" });
    assert.equal(refusedBody.status, 413);
    await problem(refusedBody);
    const [stored] = await env.owner<{ n: number }>(`select count(*)::int as n from public.alerts where external_id like 'huge-batch-%'`);
    assert.equal(stored.n, 0, "nothing of the refused batch is stored");
  });
  test("unknown fields, wrong types and out-of-range values: 422 listing each", async () => {
    const res = await post(JSON.stringify({ title: "x", admin: true, tenant_id: env.fx.tenants.globex }));
    assert.equal(res.status, 422);
    const p = await problem(res);
    assert.match(JSON.stringify(p.errors), /Unknown fields: admin, tenant_id/);
    for (const body of [{ title: 5 }, { title: "x".repeat(51) }, [], "a string", { title: "x", items: [1, 2, 3, 4, 5, 6] }].map((b) => JSON.stringify(b)).concat(['{"title":"x","__proto__":{"a":1}}', '{"title":"x","constructor":{}}'])) {
      const r = await post(body);
      assert.ok([400, 422].includes(r.status), `${body} → ${r.status}`);
      await problem(r);
    }
    // Unknown query parameters on an endpoint that takes none.
    const q = await call("acme.localhost:3000", "/me?tenant=globex", { key });
    assert.equal(q.status, 422);
  });
  test("a handler's own refusal is its problem document; unknown paths and methods are 404/405", async () => {
    const r = await post(JSON.stringify({ title: "refuse" }));
    assert.equal(r.status, 409);
    assert.equal((await problem(r)).type, "/api/v1/problems/conflict");
    assert.equal((await call("acme.localhost:3000", "/nope", { key })).status, 404);
    const m = await call("acme.localhost:3000", "/me", { key, method: "DELETE" });
    assert.equal(m.status, 405);
    assert.equal(m.headers.get("allow"), "GET, HEAD");
  });
});

async function setLimit(tenant: TenantSlug, key: string, value: number) {
  await env.owner(
    `insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, to_jsonb($3::int))
     on conflict (tenant_id, key) do update set value = excluded.value`,
    [env.fx.tenants[tenant], key, value],
  );
}

describe("limits", () => {
  test("per key: past the limit, 429 with Retry-After and RateLimit headers; another key of the tenant still passes", async () => {
    await setLimit("acme-us", "limits.api_key_requests_per_minute", 3);
    const a = await createKeyAs(env.fx, "acmeUsAdmin", "acme-us", ["alerts:read"]);
    const b = await createKeyAs(env.fx, "acmeUsAdmin", "acme-us", ["alerts:read"]);
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await call("acme-us.localhost:3000", "/me", { key: a.key })).status);
    assert.deepEqual(codes, [200, 200, 200, 429]);
    const res = await call("acme-us.localhost:3000", "/me", { key: a.key });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get("retry-after")) >= 1);
    assert.equal(res.headers.get("ratelimit-limit"), "3");
    assert.equal(res.headers.get("ratelimit-remaining"), "0");
    assert.equal((await problem(res)).type, "/api/v1/problems/rate-limited");
    assert.equal((await call("acme-us.localhost:3000", "/me", { key: b.key })).status, 200, "the other key has its own bucket");
  });

  test("per tenant: all of a tenant's keys share one bucket; another tenant proceeds", async () => {
    await setLimit("globex", "limits.api_requests_per_minute", 4);
    const keys = await Promise.all([createKeyAs(env.fx, "globexAdmin", "globex", ["alerts:read"]), createKeyAs(env.fx, "globexAdmin", "globex", ["alerts:read"])]);
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await call("globex.localhost:3000", "/me", { key: keys[i % 2].key })).status);
    assert.deepEqual(codes, [200, 200, 200, 200, 429, 429]);
    const limited = (await deniedRows("globex", "rate_limited_tenant")).filter((r) => keys.some((k) => k.id === r.actor_id));
    assert.ok(limited.length > 0);
    assert.ok(limited.every((r) => r.details.admitted === undefined), "a rate-limited request was never admitted (not counted as usage)");
    const acme = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    assert.equal((await call("acme.localhost:3000", "/me", { key: acme.key })).status, 200);
  });

  test("the daily ingestion quota: a batch past it is refused whole (429 quota-exceeded)", async () => {
    await setLimit("acme-eu", "limits.api_ingest_per_day", 7);
    const key = await createKeyAs(env.fx, "acmeEuAdmin", "acme-eu", ["alerts:write"]);
    const send = (n: number) =>
      call("acme-eu.localhost:3000", "/echo", { key: key.key, method: "POST", type: "application/json", body: JSON.stringify({ title: "b", items: Array(n).fill(1) }) });
    assert.equal((await send(5)).status, 201);
    const over = await send(3);
    assert.equal(over.status, 429);
    assert.equal((await problem(over)).type, "/api/v1/problems/quota-exceeded");
    const refusal = (await deniedRows("acme-eu", "daily_quota")).find((r) => r.actor_id === key.id);
    assert.ok(refusal, "the refusal is in the tenant's audit trail");
    // Past the rate limits, so already counted as a request: health's error rate counts it once.
    assert.equal(refusal.details.admitted, true);
    assert.equal((await send(2)).status, 201, "what is left can still be used");
  });

  test("the quota is paid only by a request whose writes commit: a batch refused for concurrency, or failed by its handler, costs nothing", async () => {
    // Only these limits (an earlier test narrowed acme-us's per-minute rates).
    await env.owner("delete from public.tenant_settings where tenant_id = $1 and key like 'limits.%'", [env.fx.tenants["acme-us"]]);
    await setLimit("acme-us", "limits.api_ingest_per_day", 6);
    await setLimit("acme-us", "limits.api_concurrent_requests", 1);
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme-us", ["alerts:write", "alerts:read"]);
    const send = (n: number, title = "b") =>
      call("acme-us.localhost:3000", "/echo", { key: key.key, method: "POST", type: "application/json", body: JSON.stringify({ title, items: Array(n).fill(1) }) });
    try {
      const busy = call("acme-us.localhost:3000", "/slow?ms=1500", { key: key.key });
      await new Promise((r) => setTimeout(r, 400));
      const refused = await send(5);
      assert.equal(refused.status, 429);
      assert.equal((await problem(refused)).type, "/api/v1/problems/concurrency");
      assert.equal((await busy).status, 200);
      // The handler's own refusal: its transaction rolls back, and the charge with it.
      assert.equal((await send(5, "refuse")).status, 409);
      // All six are still there (before: the refused and the failed batch had taken ten, and this was refused).
      assert.equal((await send(5)).status, 201);
      const over = await send(2);
      assert.equal(over.status, 429);
      assert.equal((await problem(over)).type, "/api/v1/problems/quota-exceeded");
    } finally {
      await setLimit("acme-us", "limits.api_concurrent_requests", 8);
    }
  });

  test("concurrency: a tenant with every slot busy gets 429 at once while another tenant proceeds", async () => {
    await setLimit("other-co", "limits.api_concurrent_requests", 1);
    const key = await createKeyAs(env.fx, "otherCoAdmin", "other-co", ["alerts:read"]);
    const busy = call("other-co.localhost:3000", "/slow?ms=1500", { key: key.key });
    await new Promise((r) => setTimeout(r, 400));
    const t0 = Date.now();
    const second = await call("other-co.localhost:3000", "/slow?ms=0", { key: key.key });
    assert.equal(second.status, 429);
    assert.equal(second.headers.get("retry-after"), "1");
    const refusal = (await problem(second)) as Awaited<ReturnType<typeof problem>> & { retry_after_seconds?: number; limit?: number };
    assert.equal(refusal.type, "/api/v1/problems/concurrency");
    // Like every 429 (rate-limited, quota-exceeded): the wait in the body too.
    assert.equal(refusal.retry_after_seconds, 1);
    assert.equal(refusal.limit, 1);
    assert.ok((await deniedRows("other-co", "concurrency")).some((r) => r.actor_id === key.id), "the refusal is in the tenant's audit trail");
    assert.ok(Date.now() - t0 < 1000, "refused at once, not queued behind the busy request");
    const acme = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    assert.equal((await call("acme.localhost:3000", "/slow?ms=0", { key: acme.key })).status, 200, "another tenant is not held up");
    assert.equal((await busy).status, 200);
    assert.equal((await call("other-co.localhost:3000", "/slow?ms=0", { key: key.key })).status, 200, "the slot is free again");
  });

  test("statement timeout: an API statement past API_STATEMENT_TIMEOUT_MS is cancelled (503, nothing kept)", async () => {
    process.env.API_STATEMENT_TIMEOUT_MS = "300";
    try {
      const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
      const res = await call("acme.localhost:3000", "/slow?ms=2000", { key: key.key });
      assert.equal(res.status, 503);
      assert.match((await problem(res)).detail ?? "", /too long/);
      assert.equal((await call("acme.localhost:3000", "/slow?ms=10", { key: key.key })).status, 200, "control: a short one passes");
    } finally {
      delete process.env.API_STATEMENT_TIMEOUT_MS;
    }
  });

  test("withTenant (pages and actions too) cancels a statement past DB_STATEMENT_TIMEOUT_MS", async () => {
    process.env.DB_STATEMENT_TIMEOUT_MS = "300";
    try {
      await assert.rejects(
        withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: null }, (tx) => tx.client.query("select pg_sleep(2)")),
        (e: { code?: string }) => e.code === "57014",
      );
      await withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: null }, (tx) => tx.client.query("select pg_sleep(0.05)"));
    } finally {
      delete process.env.DB_STATEMENT_TIMEOUT_MS;
    }
  });

  test("last use is recorded (time and address), at most once a minute", async () => {
    const key = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    await call("acme.localhost:3000", "/me", { key: key.key });
    const [first] = await env.owner<{ last_used_at: Date | null }>("select last_used_at from public.api_keys where id = $1", [key.id]);
    assert.ok(first.last_used_at);
    await call("acme.localhost:3000", "/me", { key: key.key });
    const [second] = await env.owner<{ last_used_at: Date | null }>("select last_used_at from public.api_keys where id = $1", [key.id]);
    assert.equal(second.last_used_at?.getTime(), first.last_used_at.getTime(), "not rewritten within the minute");
  });

  test("two processes share the per-key bucket: together they get exactly the limit", async () => {
    await setLimit("acme-eu", "limits.api_key_requests_per_minute", 10);
    const key = await createKeyAs(env.fx, "acmeEuAdmin", "acme-eu", ["alerts:read"]);
    const child = `
      const { apiHandler } = await import("@/lib/api/gateway");
      const { API_ROUTES } = await import("@/lib/api/routes");
      const { closePool, getPool } = await import("@/lib/db/pool");
      const handler = apiHandler(API_ROUTES);
      await Promise.all(Array.from({ length: 3 }, () => getPool().query("select 1")));
      process.stdout.write("ready\\n");
      await new Promise((r) => process.stdin.once("data", r));
      const codes = [];
      for (let i = 0; i < 8; i++) {
        const res = await handler(new Request("http://acme-eu.localhost:3000/api/v1/me", { headers: { host: "acme-eu.localhost:3000", authorization: "Bearer ${key.key}" } }));
        codes.push(res.status);
      }
      process.stdout.write(JSON.stringify(codes) + "\\n");
      await closePool();
      process.exit(0);`;
    const proc = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], {
      env: { ...process.env, DATABASE_URL: env.db.appUrl, DB_POOL_MAX: "3" },
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    const exited = new Promise<number | null>((r) => proc.on("exit", r));
    proc.stdout.on("data", (d) => (out += d));
    while (!out.includes("ready")) {
      if (proc.exitCode !== null) throw new Error("child exited early");
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.stdin.write("go\n");
    const mine: number[] = [];
    for (let i = 0; i < 8; i++) mine.push((await call("acme-eu.localhost:3000", "/me", { key: key.key })).status);
    assert.equal(await exited, 0);
    const theirs = JSON.parse(out.trim().split("\n").at(-1)!) as number[];
    const all = [...mine, ...theirs];
    assert.equal(all.filter((c) => c === 200).length, 10, `exactly the limit across both processes: ${all}`);
    assert.equal(all.filter((c) => c === 429).length, 6);
    assert.ok(mine.includes(200) && theirs.includes(200), "both processes were served");
  });
});
