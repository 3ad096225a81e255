// Who reads usage (migration 20261201012000, lib/usage), on a real Postgres
// with real RLS and the real PDP:
//   - a tenant admin sees its own tenant and its sites, never a sibling's;
//     a site admin only its site; the MSSP admin every customer of its MSSP;
//     the other MSSP nothing of it; analysts, viewers and MSSP analysts
//     nothing (usage is billing data: billing:view holders only);
//   - nobody writes through authenticated, the MSSP admin included;
//   - API keys: usage:read reads through GET /api/v1/usage (its subtree's
//     totals), a key without it is refused by the gateway, and an MSSP key
//     with write scopes (an mssp_analyst for the table policies) reads no row;
//   - the hooks: an ingested batch records alerts_ingested once (re-sent:
//     nothing more), each admitted API request counts in its minute, and the
//     per-request cost of that count is measured.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiHandler } from "@/lib/api/gateway";
import { parseKey } from "@/lib/api/keys/format";
import { API_ROUTES } from "@/lib/api/routes";
import { usageEndpoint } from "@/lib/api/endpoints/usage";
import type { Endpoint } from "@/lib/api/endpoint";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { recordUsage } from "@/lib/usage/record";
import { takeRequestTokens } from "@/lib/api/gateway/limits";
import { DAY_MS, rollupDirty } from "@/lib/usage/rollup";
import { subtreeTotals } from "@/lib/usage/read";
import { createKeyAs } from "./helpers/api-keys";
import { useFixtureEnv } from "./helpers/fixture-env";
import { TENANT_SLUGS, type TenantSlug, type UserName } from "./helpers/fixtures";
import { attempt } from "./helpers/sql";

const env = useFixtureEnv();
const TODAY = Math.floor(Date.now() / DAY_MS) * DAY_MS;

env.before(async () => {
  // Every tenant: 10 alerts ingested (own), today.
  await withServiceRole("usage.rollup", (d) =>
    recordUsage(
      d,
      TENANT_SLUGS.map((s) => ({ tenantId: env.fx.tenants[s], metric: "alerts_ingested" as const, quantity: 10, occurredAt: new Date(TODAY + 60_000), key: "seed", source: "test" })),
    ),
  );
  await rollupDirty();
});


const seen = (user: UserName, table: string) =>
  env.as(user, async (tx) => {
    const { rows } = await tx.client.query<{ tenant_id: string }>(`select distinct tenant_id from public.${table}`);
    return rows.map((r) => env.fx.slugOf(r.tenant_id)).sort();
  });

const EXPECTED: Record<string, TenantSlug[]> = {
  msspAdmin: ["acme", "acme-eu", "acme-us", "globex", "mssp-a"],
  msspBAdmin: ["mssp-b", "other-co"],
  acmeAdmin: ["acme", "acme-eu", "acme-us"],
  acmeEuAdmin: ["acme-eu"],
  globexAdmin: ["globex"],
  otherCoAdmin: ["other-co"],
  msspAnalyst: [],
  acmeAnalyst: [],
  acmeViewer: [],
  twoCustomers: [],
  noMemberships: [],
};

describe("RLS: who reads usage", () => {
  for (const [user, tenants] of Object.entries(EXPECTED)) {
    test(`${user} reads usage of exactly ${tenants.join(", ") || "nothing"}`, async () => {
      assert.deepEqual(await seen(user as UserName, "usage_events"), [...tenants].sort());
      assert.deepEqual(await seen(user as UserName, "usage_rollups"), [...tenants].sort());
    });
  }

  test("subtree totals as the acme admin: acme's include its sites; globex and the other MSSP's customer read as zero", async () => {
    const totals = await env.as("acmeAdmin", (tx) =>
      subtreeTotals(tx, [env.fx.tenants.acme, env.fx.tenants["acme-eu"], env.fx.tenants.globex, env.fx.tenants["other-co"]], new Date(TODAY), new Date(TODAY + DAY_MS)),
    );
    assert.equal(totals.get(env.fx.tenants.acme)!.alerts_ingested.value, 30);
    assert.equal(totals.get(env.fx.tenants["acme-eu"])!.alerts_ingested.value, 10);
    assert.equal(totals.get(env.fx.tenants.globex)!.alerts_ingested.value, 0);
    assert.equal(totals.get(env.fx.tenants["other-co"])!.alerts_ingested.value, 0);
    // The MSSP admin sees the MSSP's whole tree; the other MSSP's admin none of it.
    const mssp = await env.as("msspAdmin", (tx) => subtreeTotals(tx, [env.fx.tenants["mssp-a"]], new Date(TODAY), new Date(TODAY + DAY_MS)));
    assert.equal(mssp.get(env.fx.tenants["mssp-a"])!.alerts_ingested.value, 50);
    const other = await env.as("msspBAdmin", (tx) => subtreeTotals(tx, [env.fx.tenants["mssp-a"], env.fx.tenants.acme], new Date(TODAY), new Date(TODAY + DAY_MS)));
    assert.equal(other.get(env.fx.tenants["mssp-a"])!.alerts_ingested.value, 0);
    assert.equal(other.get(env.fx.tenants.acme)!.alerts_ingested.value, 0);
  });

  for (const user of ["msspAdmin", "acmeAdmin", "acmeAnalyst"] as const) {
    test(`${user} cannot insert, update or delete usage, at home or elsewhere (42501)`, async () => {
      const outcomes = await env.as(user, async (tx) => [
        await attempt(
          tx.client,
          "insert into public.usage_events (tenant_id, metric, quantity, occurred_at, idempotency_key, source) values ($1, 'alerts_ingested', 1, now(), 'forged', 'x')",
          [env.fx.tenants.acme],
        ),
        await attempt(tx.client, "update public.usage_events set quantity = 0"),
        await attempt(tx.client, "delete from public.usage_events"),
        await attempt(tx.client, "update public.usage_rollups set quantity = 0"),
        await attempt(tx.client, "delete from public.usage_rollups"),
        await attempt(tx.client, "insert into usage.api_request_counts (tenant_id, minute, requests) values ($1, now(), 1)", [env.fx.tenants.acme]),
        await attempt(tx.client, "update usage.rollup_state set scanned_to = now()"),
      ]);
      for (const o of outcomes) assert.equal(o.ok ? "ok" : o.code, "42501", JSON.stringify(o));
      const [{ n }] = await env.owner<{ n: number }>("select sum(quantity)::int as n from public.usage_events");
      assert.equal(n, 70);
    });
  }

  test("usage.readable_tenant_ids answers only the caller's own scope", async () => {
    const ids = await env.as("globexAdmin", async (tx) => (await tx.client.query<{ id: string }>("select usage.readable_tenant_ids() as id")).rows.map((r) => env.fx.slugOf(r.id)));
    assert.deepEqual(ids, ["globex"]);
  });
});

const routes = API_ROUTES.some((r) => r.path === "/usage") ? API_ROUTES : [...API_ROUTES, usageEndpoint as unknown as Endpoint];
const handler = apiHandler(routes);
const call = (host: string, path: string, key: string) =>
  handler(new Request(`http://${host}/api/v1${path}`, { headers: { host, authorization: `Bearer ${key}` } }));

describe("GET /api/v1/usage", () => {
  test("a key with usage:read gets its subtree's totals; without the scope, 403; an MSSP ingestion key reads no usage row", async () => {
    const reader = await createKeyAs(env.fx, "acmeAdmin", "acme", ["usage:read"]);
    const res = await call("acme.localhost:3000", "/usage", reader.key);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { tenant: string; this_month: Record<string, { value: number }>; days: { day: string; metrics: Record<string, number> }[] };
    assert.equal(body.tenant, "acme");
    assert.equal(body.this_month.alerts_ingested.value, 30, "acme and its two sites");
    assert.equal(body.days.find((d) => d.day === new Date(TODAY).toISOString().slice(0, 10))?.metrics.alerts_ingested, 30);

    const noScope = await createKeyAs(env.fx, "acmeAdmin", "acme", ["alerts:read"]);
    assert.equal((await call("acme.localhost:3000", "/usage", noScope.key)).status, 403);

    // An MSSP key with write scopes holds mssp_analyst for the table policies: no usage rows.
    const ingest = await createKeyAs(env.fx, "msspAdmin", "mssp-a", ["alerts:write"]);
    const parsed = parseKey(ingest.key)!;
    const [isKey, rows] = await withTenant({ userId: parsed.id, apiKey: parsed, activeTenantId: null }, async (tx) => [
      Boolean(tx.claims.api_key),
      (await tx.client.query("select 1 from public.usage_rollups union all select 1 from public.usage_events")).rowCount,
    ]);
    assert.equal(isKey, true, "control: it runs as the key");
    assert.equal(rows, 0);
  });

  test("an MSSP key with usage:read addresses a customer by path; a range is checked", async () => {
    const key = await createKeyAs(env.fx, "msspAdmin", "mssp-a", ["usage:read"]);
    const res = await call("localhost:3000", "/tenants/globex/usage", key.key);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { this_month: Record<string, { value: number }> }).this_month.alerts_ingested.value, 10);
    assert.equal((await call("localhost:3000", "/tenants/other-co/usage", key.key)).status, 404);
    assert.equal((await call("localhost:3000", "/usage?from=2026-02-10&to=2026-02-01", key.key)).status, 422);
    assert.equal((await call("localhost:3000", "/usage?from=2024-01-01&to=2026-01-01", key.key)).status, 422);
    assert.equal((await call("localhost:3000", "/usage?from=2026-02-30", key.key)).status, 422);
  });
});

describe("the hooks", () => {
  test("an ingested batch records alerts_ingested once: the same batch again records nothing", async () => {
    const key = await createKeyAs(env.fx, "globexAdmin", "globex", ["alerts:write"]);
    const batch = JSON.stringify({ alerts: [1, 2, 3].map((i) => ({ source: "edr", external_id: `usage-${i}`, title: `t${i}`, severity: "low" })) });
    const send = () =>
      handler(new Request("http://globex.localhost:3000/api/v1/alerts", { method: "POST", headers: { host: "globex.localhost:3000", authorization: `Bearer ${key.key}`, "content-type": "application/json" }, body: batch }));
    assert.equal((await send()).status, 200);
    assert.equal((await send()).status, 200);
    const rows = await env.owner<{ quantity: string; idempotency_key: string }>(
      "select quantity, idempotency_key from public.usage_events where tenant_id = $1 and metric = 'alerts_ingested' and source = 'api.ingest'",
      [env.fx.tenants.globex],
    );
    assert.deepEqual(rows.map((r) => Number(r.quantity)), [3]);
    // Each admitted request counted in its minute (two ingest calls, and any made above on globex's bucket).
    const [{ n }] = await env.owner<{ n: number }>("select coalesce(sum(requests), 0)::int as n from usage.api_request_counts where tenant_id = $1", [env.fx.tenants.globex]);
    assert.ok(n >= 2, `counted ${n}`);
  });

  test("the per-request count rides on the gateway's rate-limit statement: an admitted request counts once, a refused one not at all", async () => {
    // Its cost is the bench's ("rate-limit check per request", npm run bench -- --only=ingest, goal
    // < 1 ms with the counter): a timed test here measured the machine's load, not the count.
    const tenant = env.fx.tenants["acme-us"];
    const counted = async () =>
      (await env.owner<{ n: number }>("select coalesce(sum(requests), 0)::int as n from usage.api_request_counts where tenant_id = $1", [tenant]))[0].n;
    const keyId = crypto.randomUUID();
    const limits = { tenantPerMinute: 1000, keyPerMinute: 2, concurrent: 10, ingestPerDay: 1000 };
    const before = await counted();
    assert.equal((await takeRequestTokens(tenant, keyId, limits)).allowed, true);
    assert.equal((await takeRequestTokens(tenant, keyId, limits)).allowed, true);
    assert.equal(await counted(), before + 2, "each admitted request counted once");
    const refused = await takeRequestTokens(tenant, keyId, limits);
    assert.equal(refused.allowed, false);
    assert.equal(await counted(), before + 2, "a request the key's bucket refuses is not counted");
    const tight = { ...limits, tenantPerMinute: 1, keyPerMinute: 1000 };
    const otherKey = crypto.randomUUID();
    const tenantBucketEmptied = async () => {
      for (let i = 0; i < 5; i++) if (!(await takeRequestTokens(tenant, otherKey, tight)).allowed) return true;
      return false;
    };
    const atStart = await counted();
    assert.ok(await tenantBucketEmptied(), "the tenant's bucket runs out");
    const admitted = (await counted()) - atStart;
    assert.ok(admitted <= 1, `only the requests the tenant's bucket admitted are counted (${admitted})`);
  });
});
