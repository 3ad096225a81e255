// Refusals as a tenant sees them (lib/api/gateway), called the way Next calls
// the route handler, on a real Postgres and the real PDP:
//   - a right key of a suspended tenant (or of a site whose customer is
//     suspended) is answered 403 tenant-inactive, saying so, and is not a
//     failed authentication: no 401, no WWW-Authenticate, nothing counted in
//     the failed-authentication buckets; a flood of it is bounded by a bucket
//     of the key's own (429 saying why);
//   - the refusal-audit budget is the tenant's written to (per reason), not
//     the key's: another tenant's admin who makes more keys and sends them all
//     to this tenant's host still writes at most ten rows a minute into its trail.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiHandler } from "@/lib/api/gateway";
import { parseKey } from "@/lib/api/keys/format";
import { AUTH_FAILURES_PER_MINUTE } from "@/lib/api/gateway/refusal";
import { API_ROUTES } from "@/lib/api/routes";
import { insertKey } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug } from "./helpers/fixtures";

const env = useFixtureEnv();
const handler = apiHandler(API_ROUTES);

function get(host: string, path: string, key: string) {
  return handler(new Request(`http://${host}/api/v1${path}`, { headers: { host, authorization: `Bearer ${key}` } }));
}

async function setStatus(tenant: TenantSlug, status: "active" | "suspended") {
  await env.owner("update public.tenants set status = $2 where id = $1", [env.fx.tenants[tenant], status]);
}

async function deniedRows(tenant: TenantSlug, reason: string) {
  return env.owner<{ actor_id: string | null; details: { status: number } }>(
    "select actor_id, details from public.audit_log where tenant_id = $1 and action = 'api.request' and outcome = 'denied' and details ->> 'reason' = $2",
    [env.fx.tenants[tenant], reason],
  );
}

describe("a key of a suspended tenant", () => {
  test("403 tenant-inactive, audited in the key's tenant, not counted as failed authentication; a flood bounded per key; works again once resumed", async () => {
    const key = await insertKey(env.db.url, env.fx, "globex", ["alerts:read"]);
    await setStatus("globex", "suspended");
    try {
      const statuses: number[] = [];
      for (let i = 0; i < AUTH_FAILURES_PER_MINUTE; i++) {
        const res = await get("globex.localhost:3000", "/me", key);
        statuses.push(res.status);
        const body = (await res.json()) as { type: string; detail: string };
        if (i === 0) {
          assert.equal(res.status, 403);
          assert.equal(res.headers.get("content-type"), "application/problem+json");
          assert.equal(res.headers.get("www-authenticate"), null, "not an authentication challenge");
          assert.equal(body.type, "/api/v1/problems/tenant-inactive");
          assert.equal(body.detail, "The tenant is suspended; the key works again when it is resumed.");
        }
      }
      assert.deepEqual([...new Set(statuses)], [403], "never a 401 nor the failed-authentication 429");
      const failures = await env.owner("select key from ratelimit.buckets where key like 'api:authfail:%'");
      assert.deepEqual(failures, [], "nothing counted as a failed authentication");
      // Still bounded: past that many a minute, this key (only) is answered 429, saying why.
      const flood = await get("globex.localhost:3000", "/me", key);
      assert.equal(flood.status, 429);
      assert.ok(Number(flood.headers.get("retry-after")) >= 1);
      const flooded = (await flood.json()) as { type: string; detail: string };
      assert.equal(flooded.type, "/api/v1/problems/rate-limited");
      assert.match(flooded.detail, /^The tenant is suspended; the key works again when it is resumed\./);
      const rows = await deniedRows("globex", "key_tenant_inactive");
      assert.ok(rows.length >= 1);
      assert.equal(rows[0].actor_id, parseKey(key)!.id);
      assert.equal(rows[0].details.status, 403);
    } finally {
      await setStatus("globex", "active");
    }
    assert.equal((await get("globex.localhost:3000", "/me", key)).status, 200, "resumed: the key works again");
  });

  test("a site's key while its customer is suspended: the same 403", async () => {
    const key = await insertKey(env.db.url, env.fx, "acme-eu", ["alerts:read"]);
    await setStatus("acme", "suspended");
    try {
      const res = await get("acme-eu.localhost:3000", "/me", key);
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { type: string }).type, "/api/v1/problems/tenant-inactive");
    } finally {
      await setStatus("acme", "active");
    }
  });
});

describe("the refusal-audit budget", () => {
  test("five keys of another tenant sent to this tenant's host: at most ten denied rows a minute in its trail", async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => insertKey(env.db.url, env.fx, "acme", ["alerts:read"])));
    for (const key of keys) {
      for (let i = 0; i < 4; i++) assert.equal((await get("other-co.localhost:3000", "/me", key)).status, 403);
    }
    assert.equal((await deniedRows("other-co", "host_mismatch")).length, 10, "the host's tenant: ten rows, whatever the number of keys");
    assert.equal((await deniedRows("acme", "host_mismatch")).length, 10, "the keys' own tenant: ten too");
  });
});
