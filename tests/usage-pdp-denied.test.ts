// The usage pages against a PDP that denies billing:view below the page's
// tenant (a scoped policy: the MSSP admin may not see globex's nor acme-eu's
// usage). The console list already left a denied customer out; a subtree page
// (the MSSP's own, or a customer's with its sites) must leave the denied
// tenants out of every figure too (sums, days, the limit shown) and say how
// many, rather than sum them in under the root's allow.
import assert from "node:assert/strict";
import { test } from "node:test";
import { withServiceRole } from "@/lib/db/service-role";
import { loadCustomerUsage, loadTenantUsage } from "@/lib/usage/page-data";
import { DAY_MS, rollupDirty, utcDay } from "@/lib/usage/rollup";
import { monthStart, ownMonthAndDays, subtreeMonthAndDays } from "@/lib/usage/read";
import { recordUsage } from "@/lib/usage/record";
import { useFixtureEnv } from "./helpers/fixture-env";
import { TENANT_SLUGS } from "./helpers/fixtures";
import { startScopedPdp, type ScopedPdp } from "./helpers/scoped-pdp";

let scoped: ScopedPdp | undefined;
const env = useFixtureEnv({ beforeDrop: () => scoped?.stop() });
// alerts_ingested: mssp-a 100, acme 200, acme-eu 300, acme-us 400, globex 500 (mssp-b and other-co are another MSSP's).
const ALERTS = Object.fromEntries(TENANT_SLUGS.map((s, i) => [s, 100 * (i + 1)]));

env.before(async () => {
  const now = new Date();
  await withServiceRole("usage.rollup", (d) =>
    recordUsage(d, [
      ...TENANT_SLUGS.map((s) => ({ tenantId: env.fx.tenants[s], metric: "alerts_ingested" as const, quantity: ALERTS[s], occurredAt: now, key: "d1", source: "test" })),
      // acme-eu is the tenant closest to its limit (9,900 of 10,000): a page that may not see it must not show it.
      ...TENANT_SLUGS.map((s) => ({ tenantId: env.fx.tenants[s], metric: "assets_managed" as const, quantity: s === "acme-eu" ? 9_900 : 1_000, occurredAt: now, key: "d2", source: "test" })),
    ]),
  );
  await rollupDirty();
  scoped = await startScopedPdp(env.db.url, env.fx, {
    denies: [
      { tenant: "globex", name: "mssp-admins-do-not-see-globex-billing", actions: ["billing:view"], derivedRoles: ["mssp_admin"] },
      { tenant: "acme-eu", name: "mssp-admins-do-not-see-acme-eu-billing", actions: ["billing:view"], derivedRoles: ["mssp_admin"] },
    ],
  });
});

const withScoped = async <T>(fn: () => Promise<T>): Promise<T> => {
  process.env.CERBOS_URL = scoped!.url;
  try {
    return await fn();
  } finally {
    process.env.CERBOS_URL = env.pdp.url;
  }
};
const metric = (data: NonNullable<Awaited<ReturnType<typeof loadTenantUsage>>>, m: string) => data.metrics.find((x) => x.metric === m)!;
const daysSum = (data: NonNullable<Awaited<ReturnType<typeof loadTenantUsage>>>) => data.days.reduce((n, d) => n + d.values.alerts_ingested, 0);

test("the MSSP's own usage page leaves out the tenants the PDP denies billing:view on, and counts them", async () => {
  const data = (await withScoped(() => env.as("msspAdmin", (tx) => loadTenantUsage(tx, "mssp-a"))))!;
  assert.equal(data.allowed, true);
  assert.equal(data.hidden, 2);
  const own = ALERTS["mssp-a"] + ALERTS.acme + ALERTS["acme-us"];
  assert.equal(metric(data, "alerts_ingested").totals.value, own, "globex's and acme-eu's alerts are not summed in");
  assert.equal(daysSum(data), own, "nor in the days");
  assert.equal(metric(data, "assets_managed").totals.value, 3_000);
  const limit = metric(data, "assets_managed").limit!;
  assert.notEqual(limit.tenant.slug, "acme-eu", "the limit shown is never a denied tenant's");
  assert.equal(limit.used, 1_000);
  const named = JSON.stringify(data);
  assert.ok(!named.includes(env.fx.tenants.globex) && !named.includes(env.fx.tenants["acme-eu"]), "no denied tenant's id in the page's data");
});

test("a customer's page leaves out its denied site; the console list still leaves globex out", async () => {
  const acme = (await withScoped(() => env.as("msspAdmin", (tx) => loadTenantUsage(tx, "acme"))))!;
  assert.equal(acme.hidden, 1);
  assert.equal(metric(acme, "alerts_ingested").totals.value, ALERTS.acme + ALERTS["acme-us"]);
  assert.equal(metric(acme, "assets_managed").limit?.used, 1_000);
  const list = await withScoped(() => env.as("msspAdmin", (tx) => loadCustomerUsage(tx)));
  assert.equal(list.hidden, 1);
  assert.deepEqual(list.rows.map((r) => r.slug), ["acme"]);
});

test("with the stock PDP nothing is left out: the whole subtree is summed, as before", async () => {
  const data = (await env.as("msspAdmin", (tx) => loadTenantUsage(tx, "mssp-a")))!;
  assert.equal(data.hidden, 0);
  assert.equal(metric(data, "alerts_ingested").totals.value, ALERTS["mssp-a"] + ALERTS.acme + ALERTS["acme-eu"] + ALERTS["acme-us"] + ALERTS.globex);
  assert.equal(metric(data, "assets_managed").limit?.tenant.slug, "acme-eu");
});

test("ownMonthAndDays over a whole subtree gives what subtreeMonthAndDays gives", async () => {
  const now = new Date();
  const tomorrow = new Date(utcDay(now).getTime() + DAY_MS);
  const from = new Date(tomorrow.getTime() - 30 * DAY_MS);
  const ids = ["mssp-a", "acme", "acme-eu", "acme-us", "globex"].map((s) => env.fx.tenants[s as (typeof TENANT_SLUGS)[number]]);
  const [subtree, own] = await env.as("msspAdmin", async (tx) => [
    await subtreeMonthAndDays(tx, env.fx.tenants["mssp-a"], monthStart(now), from, tomorrow),
    await ownMonthAndDays(tx, ids, monthStart(now), from, tomorrow),
  ]);
  assert.deepEqual(own, subtree);
});

test("the alerts bar says what it compares: alerts created on the busiest UTC day, not the API's rolling 24-hour quota", async () => {
  const data = (await env.as("acmeAdmin", (tx) => loadTenantUsage(tx, "acme")))!;
  const limit = metric(data, "alerts_ingested").limit!;
  assert.equal(limit.key, "limits.api_ingest_per_day");
  assert.doesNotMatch(limit.label, /items ingested per day/i, "the rollups count created alerts, not the items the quota counts");
  assert.match(limit.label, /alerts created/i);
  assert.match(limit.basis, /busiest UTC day/);
  assert.match(limit.basis, /rolling 24 hours/);
});
