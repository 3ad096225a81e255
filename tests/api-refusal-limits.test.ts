// What refused API requests cost (lib/api/gateway/refusal.ts), called the way
// Next calls the route handler: a Request with a Host header, on a real
// Postgres (RLS, the key claims, the shared buckets) and the real PDP.
//   - A request refused after the key check (no such endpoint, a method the
//     path does not take, a broken path, a tenant outside the key's reach, a
//     missing scope, another tenant's host) spends a token of the key's bucket:
//     a key flooding refusals gets 429 with Retry-After like any other. It
//     spends nothing of the tenant's bucket and is not usage; its audit row is
//     written as before, and health counts each request once.
//   - Without TRUST_PROXY, a failed authentication naming an existing key
//     counts in that key's own bucket: a flood of made-up keys does not turn a
//     revoked key's 401 into a 429, nor stop its audit row.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiHandler } from "@/lib/api/gateway";
import { generateKey } from "@/lib/api/keys/format";
import { revokeApiKey } from "@/lib/api/keys/store";
import type { ApiScope } from "@/lib/api/keys/scopes";
import { API_ROUTES } from "@/lib/api/routes";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { NOT_AUDITED_REASON } from "@/lib/api/gateway/audit";
import { measure } from "@/lib/health/measure";
import { effectiveConfigsAsService } from "@/lib/settings";
import { createKeyAs } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug } from "./helpers/fixtures";

const env = useFixtureEnv();
const handler = apiHandler(API_ROUTES);

function call(host: string, path: string, key: string, method = "GET") {
  return handler(new Request(`http://${host}/api/v1${path}`, { method, headers: { host, authorization: `Bearer ${key}` } }));
}

async function problemType(res: Response): Promise<string> {
  assert.equal(res.headers.get("content-type"), "application/problem+json", `a problem document (status ${res.status})`);
  return ((await res.json()) as { type: string }).type;
}

async function deniedRows(tenant: TenantSlug, reason: string, keyId: string) {
  return env.owner<{ details: { reason: string; status: number; admitted?: boolean } }>(
    `select details from public.audit_log
      where tenant_id = $1 and action = 'api.request' and outcome = 'denied' and details ->> 'reason' = $2 and actor_id = $3`,
    [env.fx.tenants[tenant], reason, keyId],
  );
}

async function setLimit(tenant: TenantSlug, key: string, value: number) {
  await env.owner(
    `insert into public.tenant_settings (tenant_id, key, value) values ($1, $2, to_jsonb($3::int))
     on conflict (tenant_id, key) do update set value = excluded.value`,
    [env.fx.tenants[tenant], key, value],
  );
}

const counted = async (tenant: TenantSlug) =>
  Number((await env.owner<{ n: string }>("select coalesce(sum(requests), 0) as n from usage.api_request_counts where tenant_id = $1", [env.fx.tenants[tenant]]))[0].n);

describe("refusals after the key check spend the key's request tokens", () => {
  // acme-eu keys may make 2 requests a minute (one token back every 30 s: none comes back during a case).
  const cases: { name: string; reason: string | null; scopes: ApiScope[]; host?: string; path: string; method?: string; status: number; audited?: TenantSlug[] }[] = [
    { name: "no such endpoint", reason: null, scopes: ["alerts:read"], path: "/nope", status: 404 },
    { name: "a method the path does not take", reason: null, scopes: ["alerts:read"], path: "/me", method: "DELETE", status: 405 },
    { name: "a broken %-encoding", reason: null, scopes: ["alerts:read"], path: "/alerts/%ff", status: 400 },
    { name: "a tenant outside the key's subtree", reason: "tenant_not_found", scopes: ["alerts:read"], path: "/tenants/globex/me", status: 404, audited: ["acme-eu"] },
    { name: "a missing scope", reason: "scope", scopes: ["assets:read"], path: "/me", status: 403, audited: ["acme-eu"] },
    { name: "another tenant's host", reason: "host_mismatch", scopes: ["alerts:read"], host: "globex.localhost:3000", path: "/me", status: 403, audited: ["acme-eu", "globex"] },
  ];

  for (const c of cases) {
    test(`${c.name}: ${c.status} while the key has tokens (audited as before), then 429 with Retry-After; the tenant's other keys pass`, async () => {
      await setLimit("acme-eu", "limits.api_key_requests_per_minute", 2);
      // The refusal-audit budgets (lib/api/gateway/audit.ts: per tenant, reason and source, and a ceiling per
      // tenant): each case starts with full ones, as a case a minute later would.
      await env.owner("delete from ratelimit.buckets where key like 'api:audit:%'");
      const usageBefore = await counted("acme-eu");
      const key = await createKeyAs(env.fx, "acmeEuAdmin", "acme-eu", c.scopes);
      const host = c.host ?? "acme-eu.localhost:3000";
      const first = await call(host, c.path, key.key, c.method);
      assert.equal(first.status, c.status);
      assert.equal(first.headers.get("ratelimit-limit"), "2", "the refusal says what it cost");
      assert.equal(first.headers.get("ratelimit-remaining"), "1");
      if (c.status === 405) assert.equal(first.headers.get("allow"), "GET, HEAD");
      await first.body?.cancel();
      assert.equal((await call(host, c.path, key.key, c.method)).status, c.status);
      const limited = await call(host, c.path, key.key, c.method);
      assert.equal(limited.status, 429, "the key's bucket is spent by its refused requests");
      assert.ok(Number(limited.headers.get("retry-after")) >= 1);
      assert.equal(limited.headers.get("ratelimit-remaining"), "0");
      assert.equal(await problemType(limited), "/api/v1/problems/rate-limited");
      // The same bucket as its good requests.
      const good = await call("acme-eu.localhost:3000", c.scopes.includes("alerts:read") ? "/me" : "/assets", key.key);
      assert.equal(good.status, 429);
      // Audited as before: the refusal (not admitted: it is not usage), and the 429 in the key's tenant.
      for (const tenant of c.audited ?? []) {
        const rows = await deniedRows(tenant, c.reason!, key.id);
        assert.equal(rows.length, 2, `${c.reason} in ${tenant}'s trail`);
        assert.ok(rows.every((r) => r.details.status === c.status && r.details.admitted === undefined));
      }
      const limitedRows = await deniedRows("acme-eu", "rate_limited_key", key.id);
      assert.equal(limitedRows.length, 2);
      assert.ok(limitedRows.every((r) => r.details.admitted === undefined));
      assert.equal((await counted("acme-eu")) - usageBefore, 0, "no refused request is counted as usage");
      // The tenant's bucket is untouched: another key of the tenant passes.
      const other = await createKeyAs(env.fx, "acmeEuAdmin", "acme-eu", ["alerts:read"]);
      assert.equal((await call("acme-eu.localhost:3000", "/me", other.key)).status, 200);
    });
  }

  test("health counts each request once: admitted ones as usage, refusals before the limits as refusals only", async () => {
    await setLimit("other-co", "limits.api_key_requests_per_minute", 3);
    const key = await createKeyAs(env.fx, "otherCoAdmin", "other-co", ["alerts:read"]);
    const measured = () =>
      withServiceRole("health.evaluate", async (db) => {
        const ids = [env.fx.tenants["other-co"]];
        return (await measure(db, ids, await effectiveConfigsAsService(db, ids), new Date(Date.now() + 1000))).get(ids[0])!;
      });
    const before = await measured();
    const statuses = [];
    for (const path of ["/me", "/me", "/assets", "/assets"]) statuses.push((await call("other-co.localhost:3000", path, key.key)).status);
    assert.deepEqual(statuses, [200, 200, 403, 429]);
    const after = await measured();
    assert.equal(after.apiRequests - before.apiRequests, 2, "the two admitted requests are usage");
    assert.equal(after.apiRefused - before.apiRefused, 2, "the scope refusal and the 429 are refusals");
    assert.equal(after.apiRefusedAdmitted - before.apiRefusedAdmitted, 0, "neither was admitted");
    // A summary row of refusals past the audit budget counts as the refusals it counts, not as one.
    await env.owner(
      `insert into public.audit_log (tenant_id, actor_id, action, target_type, outcome, details)
       values ($1, null, 'api.request', 'api_client', 'denied', jsonb_build_object('reason', $2::text, 'count', 40))`,
      [env.fx.tenants["other-co"], NOT_AUDITED_REASON],
    );
    assert.equal((await measured()).apiRefused - after.apiRefused, 40);
  });
});

describe("failed authentications without TRUST_PROXY", () => {
  test("a flood of made-up keys fills the shared bucket, yet a revoked key is still answered 401 'revoked' and audited", async () => {
    assert.ok(!process.env.TRUST_PROXY, "every caller is the one source 'unknown' here");
    const reset = () => env.owner("delete from ratelimit.buckets where key like 'api:authfail:%'");
    await reset();
    try {
      const revoked = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
      await withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: null }, (tx) => revokeApiKey(tx, { tenantId: env.fx.tenants.acme, keyId: revoked.id }));
      // Well-formed keys naming no key at all: past 60 a minute, 429.
      let flooded = 0;
      let last = 0;
      while (last !== 429 && flooded < 100) {
        last = (await call("acme.localhost:3000", "/me", generateKey().key)).status;
        flooded++;
      }
      assert.equal(last, 429, `the made-up keys were throttled (${flooded} sent)`);
      const res = await call("acme.localhost:3000", "/me", revoked.key);
      assert.equal(res.status, 401, "the revoked key's own bucket is not the flood's");
      assert.match(((await res.json()) as { detail: string }).detail, /revoked/);
      assert.equal((await deniedRows("acme", "key_revoked", revoked.id)).length, 1, "and it is audited");
      // A key's own failures are still throttled: past 60 a minute it is 429 too.
      const codes: number[] = [];
      while (codes.at(-1) !== 429 && codes.length < 90) codes.push((await call("acme.localhost:3000", "/me", revoked.key)).status);
      assert.deepEqual(codes.slice(0, 59), Array(59).fill(401));
      assert.equal(codes.at(-1), 429);
    } finally {
      await reset();
    }
  });
});
