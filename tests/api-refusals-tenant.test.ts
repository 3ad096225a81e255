// Refusals as a tenant sees them (lib/api/gateway), called the way Next calls
// the route handler, on a real Postgres and the real PDP:
//   - a right key of a suspended tenant (or of a site whose customer is
//     suspended) is answered 403 tenant-inactive, saying so, and is not a
//     failed authentication: no 401, no WWW-Authenticate, nothing counted in
//     the failed-authentication buckets; a flood of it is bounded by a bucket
//     of the key's own (429 saying why);
//   - the refusal-audit budget (lib/api/gateway/audit.ts) is per tenant written
//     to, reason and source: another tenant's keys are one source however many
//     there are (its admin who makes more keys and sends them all to this
//     tenant's host still writes at most ten rows a minute into its trail), the
//     tenant's own keys each one of their own, so the outsider cannot keep the
//     tenant's own refusals out of its trail; what is over a budget is counted
//     in one summary row a minute.
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
      // Still bounded: past that many a minute, this key (only) is answered 429, saying why. The bucket
      // refills one a second, so on a slow machine the calls above gave a few back: keep going until refused.
      let flood = await get("globex.localhost:3000", "/me", key);
      for (let extra = 0; flood.status === 403 && extra < 30; extra++) flood = await get("globex.localhost:3000", "/me", key);
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
    assert.equal((await deniedRows("acme", "host_mismatch")).length, 20, "the keys' own tenant: each of its keys a source of its own (ten a minute each)");
  });

  test("many keys of another tenant sent to this tenant's host cannot keep a refusal of this tenant's own key out of its trail", async () => {
    await env.owner("delete from ratelimit.buckets where key like 'api:audit:%'");
    const [{ start }] = await env.owner<{ start: Date }>("select clock_timestamp() as start");
    const outsiders = await Promise.all(Array.from({ length: 12 }, () => insertKey(env.db.url, env.fx, "acme", ["alerts:read"])));
    for (const key of outsiders) {
      for (let i = 0; i < 3; i++) assert.equal((await get("other-co.localhost:3000", "/me", key)).status, 403);
    }
    const outsiderIds = new Set(outsiders.map((k) => parseKey(k)!.id));
    const flooded = (await deniedRows("other-co", "host_mismatch")).filter((r) => r.actor_id !== null && outsiderIds.has(r.actor_id));
    assert.equal(flooded.length, 10, "36 refusals of acme's keys: ten rows in other-co's trail");
    // other-co's own key, refused for the same reason (sent to another tenant's host): in its own trail.
    const own = await insertKey(env.db.url, env.fx, "other-co", ["alerts:read"]);
    const ownId = parseKey(own)!.id;
    assert.equal((await get("globex.localhost:3000", "/me", own)).status, 403);
    const rows = await deniedRows("other-co", "host_mismatch");
    assert.equal(rows.filter((r) => r.actor_id === ownId).length, 1, "the tenant's own key's refusal is audited");
    // The 26 over the budget: logged, and counted in one summary row (the first of them).
    const summary = await env.owner<{ details: { count: number } }>(
      "select details from public.audit_log where tenant_id = $1 and action = 'api.request' and details ->> 'reason' = 'refusals_not_audited' and occurred_at >= $2",
      [env.fx.tenants["other-co"], start],
    );
    assert.equal(summary.length, 1, "one summary row a minute");
    assert.equal(summary[0].details.count, 1, "written at the first refusal over the budget, counting it");
    const counter = await env.owner<{ tokens: number }>("select tokens from ratelimit.buckets where key = $1", [`api:audit:${env.fx.tenants["other-co"]}:not-audited`]);
    assert.equal(Math.round(1e9 - Number(counter[0].tokens)), 25, "the next 25 counted for the next minute's summary");
  });
});
