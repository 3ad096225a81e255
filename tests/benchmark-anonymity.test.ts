// The tenant's /benchmark tries to single a peer out, on a real Postgres with
// RLS and the real PDP (migration 20261201029600, lib/analytics/peers-benchmark.ts):
//   1. "all" with 7 anonymous peers and a size or industry group of 6: the
//      group is withheld (set against "all" it would isolate the seventh), and
//      no exact count leaves the database, only a band; a group equal to "all",
//      or leaving out 5 or more, is shown;
//   2. an admin of 2 of the 6 customers of an MSSP gets nothing (4 anonymous
//      peers), on the tenant's host too; so does a caller holding a viewer role
//      or a site in another customer, and the MSSP's staff; the admin of one
//      customer gets its percentile among the 5 others;
//   4. a site the PDP denies alerts:read is left out of the customer's own
//      value (as the dashboard), counted on the page;
//   5. a suspended or provisioning customer says benchmarks cover active customers.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { COMPARE_METRICS } from "@/lib/analytics/compare-metrics";
import { presetRange } from "@/lib/analytics/compare-query";
import { loadBenchmark, type BenchmarkData } from "@/lib/analytics/peers-benchmark";
import { percentileAmong } from "@/lib/analytics/percentile";
import { withTenant, type TenantTx } from "@/lib/db/with-tenant";
import { type UserName } from "./helpers/fixtures";
import { useFixtureEnv } from "./helpers/fixture-env";
import { startScopedPdp, type ScopedPdp } from "./helpers/scoped-pdp";

const env = useFixtureEnv();
const NOW = new Date();
const RANGE = presetRange(30, NOW);
const ids = new Map<string, string>();
const users = new Map<string, string>();
let denyingPdp: ScopedPdp | undefined;
after(async () => {
  await denyingPdp?.stop();
});

/** A tenant under `parent` with `assets` assets and `alerts` alerts acknowledged after `mtta` minutes and resolved. */
async function addTenant(parent: string, slug: string, kind: "customer" | "site", assets: number, alerts: number, mtta: number) {
  const [{ id }] = await env.owner<{ id: string }>("insert into public.tenants (parent_id, slug, name, kind) values ($1, $2, $3, $4) returning id", [parent, slug, `Tenant ${slug}`, kind]);
  ids.set(slug, id);
  await fill(id, assets, alerts, mtta);
  return id;
}
async function fill(tenant: string, assets: number, alerts: number, mtta: number) {
  await env.owner("insert into public.assets (tenant_id, hostname) select $1, 'h-' || md5(random()::text) from generate_series(1, $2::int)", [tenant, assets]);
  await env.owner(
    `insert into public.alerts (tenant_id, title, severity, status, source, detected_at, acknowledged_at, resolved_at, close_reason)
     select $1, 'a' || g, (array['critical','high','medium','low'])[1 + g % 4], 'resolved', 'test',
            now() - (g * 5 || ' hours')::interval, now() - (g * 5 || ' hours')::interval + ($3::int || ' minutes')::interval,
            now() - (g * 5 || ' hours')::interval + ($3::int * 3 || ' minutes')::interval, 'done'
       from generate_series(1, $2::int) g`,
    [tenant, alerts, mtta],
  );
}
async function addUser(name: string, roles: [string, string][]) {
  const [{ id }] = await env.owner<{ id: string }>("insert into public.users (email, name) values ($1, $2) returning id", [`${name.toLowerCase()}@example.test`, name]);
  for (const [tenant, role] of roles) await env.owner("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, $3)", [tenant, id, role]);
  users.set(name, id);
}
const setIndustry = (tenant: string, industry: string) =>
  env.owner(
    "insert into public.tenant_settings (tenant_id, key, value) values ($1, 'profile.industry', to_jsonb($2::text)) on conflict (tenant_id, key) do update set value = excluded.value",
    [tenant, industry],
  );

type Group = "all" | "industry" | "size";
/** As a fixture user or one made here, with an optional active tenant (the tenant host's). */
function asCaller<T>(who: UserName | string, fn: (tx: TenantTx) => Promise<T>, active?: string) {
  const userId = users.get(who) ?? env.fx.users[who as UserName];
  return withTenant({ userId, activeTenantId: active ?? null }, fn);
}
const bench = (who: UserName | string, tenant: string, group: Group, active?: string): Promise<BenchmarkData | null> =>
  asCaller(who, (tx) => loadBenchmark(tx, tenant, { group, days: 30 }, NOW), active);
const raw = (who: UserName | string, tenant: string, group: Group) =>
  asCaller(who, async (tx) =>
    (await tx.client.query<{ metric: string; percentile: number | null; group_size: string | null; status: string }>(
      "select * from analytics.peer_benchmark($1, $2, $3::date, ($4::date + 1))", [tenant, group, RANGE.from, RANGE.to],
    )).rows,
  );
function ready(d: BenchmarkData | null) {
  assert.ok(d?.state === "ready", JSON.stringify(d));
  return d;
}

env.before(async () => {
  const a = env.fx.tenants["mssp-a"];
  // mssp-a: acme (6 assets with its sites), globex and p1..p6: 7 peers acme's admin cannot see.
  // Under 50 assets each but p6 (60: 50-249); healthcare each but p6 (finance).
  await fill(env.fx.tenants.acme, 4, 9, 12);
  await fill(env.fx.tenants.globex, 3, 6, 4);
  for (let i = 1; i <= 6; i++) await addTenant(a, `p${i}`, "customer", i === 6 ? 60 : 3 + 4 * i, 4 + i, 3 + 5 * i);
  for (const id of [env.fx.tenants.acme, env.fx.tenants.globex, ...[1, 2, 3, 4, 5].map((i) => ids.get(`p${i}`)!)]) await setIndustry(id, "healthcare");
  await setIndustry(ids.get("p6")!, "finance");
  // acme-eu acknowledges very slowly: the own MTTA with and without it differ.
  await fill(env.fx.tenants["acme-eu"], 1, 5, 900);

  // mssp-b: other-co and b1..b5, six customers; b2 has a site.
  const b = env.fx.tenants["mssp-b"];
  await fill(env.fx.tenants["other-co"], 2, 7, 9);
  for (let i = 1; i <= 5; i++) await addTenant(b, `b${i}`, "customer", 2 + 3 * i, 3 + i, 2 + 7 * i);
  await addTenant(ids.get("b2")!, "b2-site", "site", 1, 2, 30);
  await addUser("twoAdmin", [[env.fx.tenants["other-co"], "tenant_admin"], [ids.get("b1")!, "tenant_admin"]]);
  await addUser("adminAndViewer", [[env.fx.tenants["other-co"], "tenant_admin"], [ids.get("b1")!, "tenant_viewer"]]);
  await addUser("adminAndSite", [[env.fx.tenants["other-co"], "tenant_admin"], [ids.get("b2-site")!, "tenant_analyst"]]);
});

/** Owner-side figures of `customers` (whole subtrees unless `only`). */
async function figures(customers: string[], only: string[] | null = null) {
  const rows = await env.owner("select * from analytics.customer_metrics($1::uuid[], $2::date, ($3::date + 1), $4::uuid[])", [customers, RANGE.from, RANGE.to, only]);
  return new Map(rows.map((r) => [r.customer_id as string, r as Record<string, number | null>]));
}

describe("1. a group set against all customers", () => {
  test("7 peers in all, 6 in the size group and 6 in the industry group: all is shown as a band, both groups are withheld", async () => {
    const all = ready(await bench("acmeAdmin", env.fx.tenants.acme, "all"));
    const ok = all.metrics.filter((m) => m.status === "ok");
    assert.equal(ok.length, COMPARE_METRICS.length, JSON.stringify(all.metrics));
    // The percentile among the 7, computed directly; the count only as a band.
    const peers = [env.fx.tenants.globex, ...[1, 2, 3, 4, 5, 6].map((i) => ids.get(`p${i}`)!)];
    const f = await figures([env.fx.tenants.acme, ...peers]);
    for (const m of ok) {
      assert.equal(m.peersBand, "5-9");
      assert.equal(m.percentile, percentileAmong(f.get(env.fx.tenants.acme)![m.metric] as number, peers.map((p) => f.get(p)![m.metric] as number)), m.metric);
    }
    assert.ok(!JSON.stringify(all).includes('"groupSize"'), "no exact count");
    for (const r of await raw("acmeAdmin", env.fx.tenants.acme, "all")) assert.equal(r.group_size, "5-9", r.metric);

    for (const group of ["size", "industry"] as const) {
      const data = ready(await bench("acmeAdmin", env.fx.tenants.acme, group));
      assert.equal(data.nearAll, true, group);
      assert.equal(data.tooFewPeers, false, group);
      assert.deepEqual(data.metrics, [], `${group}: nothing but the reason`);
      // The database itself answers neither a percentile nor a size.
      const rows = await raw("acmeAdmin", env.fx.tenants.acme, group);
      assert.equal(rows.length, 6);
      for (const r of rows) assert.deepEqual([r.status, r.percentile, r.group_size], ["group_near_all", null, null], `${group} ${r.metric}`);
    }
  });

  test("a group equal to all, or leaving out 5 or more, is shown", async () => {
    await setIndustry(ids.get("p6")!, "healthcare");
    const industry = ready(await bench("acmeAdmin", env.fx.tenants.acme, "industry"));
    assert.ok(industry.metrics.every((m) => m.status === "ok" && m.peersBand === "5-9"), JSON.stringify(industry.metrics));

    // Four more customers of 50-249 assets: the size group (6 peers) leaves out 5 of the 11.
    for (let i = 7; i <= 10; i++) await addTenant(env.fx.tenants["mssp-a"], `p${i}`, "customer", 60 + i, 4 + i, 3 + 5 * i);
    const size = ready(await bench("acmeAdmin", env.fx.tenants.acme, "size"));
    assert.ok(size.metrics.every((m) => m.status === "ok" && m.peersBand === "5-9"), JSON.stringify(size.metrics));
    const all = ready(await bench("acmeAdmin", env.fx.tenants.acme, "all"));
    assert.ok(all.metrics.every((m) => m.status === "ok" && m.peersBand === "10-19"), JSON.stringify(all.metrics));
  });
});

describe("2. the caller's own other customers are no anonymous peers", () => {
  test("the admin of one of 6 customers gets its percentile among the 5 others", async () => {
    const data = ready(await bench("otherCoAdmin", env.fx.tenants["other-co"], "all"));
    assert.equal(data.holdsOtherCustomers, false);
    assert.ok(data.metrics.every((m) => m.status === "ok" && m.peersBand === "5-9"), JSON.stringify(data.metrics));
  });

  for (const [who, what] of [
    ["twoAdmin", "the admin of 2 of the 6"],
    ["adminAndViewer", "an admin of one holding a viewer role on another"],
    ["adminAndSite", "an admin of one holding a site of another"],
  ] as const) {
    test(`${what} gets nothing: 4 anonymous peers, on the tenant's host too`, async () => {
      for (const active of [undefined, env.fx.tenants["other-co"]]) {
        const data = ready(await bench(who, env.fx.tenants["other-co"], "all", active));
        assert.equal(data.tooFewPeers, true, `active ${active}`);
        assert.equal(data.holdsOtherCustomers, true);
        assert.deepEqual(data.metrics, []);
      }
      const rows = await raw(who, env.fx.tenants["other-co"], "all");
      assert.equal(rows.length, 6);
      for (const r of rows) assert.deepEqual([r.status, r.percentile, r.group_size], ["too_few_peers", null, null], r.metric);
    });
  }

  test("the MSSP's staff see every customer's figures: no anonymous peer, no percentile", async () => {
    const data = ready(await bench("msspBAdmin", env.fx.tenants["other-co"], "all", env.fx.tenants["other-co"]));
    assert.equal(data.tooFewPeers, true);
    assert.equal(data.holdsOtherCustomers, true);
    for (const r of await raw("msspBAdmin", env.fx.tenants["other-co"], "all")) assert.equal(r.percentile, null, r.metric);
  });
});

describe("4. the customer's own value counts the tenants the PDP lets the caller read", () => {
  test("acme-eu denied alerts:read: left out of acme's own values and counted; with the stock PDP, the whole subtree", async () => {
    const whole = (await figures([env.fx.tenants.acme])).get(env.fx.tenants.acme)!;
    const readable = (await figures([env.fx.tenants.acme], [env.fx.tenants.acme, env.fx.tenants["acme-us"]])).get(env.fx.tenants.acme)!;
    assert.notEqual(whole.mtta_minutes, readable.mtta_minutes, "the data makes the two differ");

    const stock = ready(await bench("acmeAdmin", env.fx.tenants.acme, "all", env.fx.tenants.acme));
    assert.equal(stock.hiddenTenants, 0);
    for (const m of stock.metrics) assert.equal(m.value, whole[m.metric], m.metric);

    denyingPdp = await startScopedPdp(env.db.url, env.fx, {
      denies: [{ tenant: "acme-eu", name: "acme-admins-do-not-read-eu-alerts", actions: ["alerts:read"], derivedRoles: ["tenant_admin"] }],
    });
    process.env.CERBOS_URL = denyingPdp.url;
    try {
      const denied = ready(await bench("acmeAdmin", env.fx.tenants.acme, "all", env.fx.tenants.acme));
      assert.equal(denied.hiddenTenants, 1);
      assert.equal(denied.metrics.length, COMPARE_METRICS.length);
      for (const m of denied.metrics) assert.equal(m.value, readable[m.metric], m.metric);
    } finally {
      process.env.CERBOS_URL = env.pdp.url;
    }
  });
});

describe("5. a customer that is not active", () => {
  for (const status of ["suspended", "provisioning"] as const) {
    test(`a ${status} customer: benchmarks cover active customers, not "no value"`, async () => {
      const id = await addTenant(env.fx.tenants["mssp-b"], `sleepy-${status}`, "customer", 3, 3, 10);
      await env.owner("update public.tenants set status = $2 where id = $1", [id, status]);
      assert.deepEqual(await bench("msspBAdmin", id, "all"), { state: "not-active", tenantName: `Tenant sleepy-${status}` });
    });
  }
});
