// The usage pages (issue 12 point 1) called as people, with real session
// cookies, Host headers, RLS and the real PDP (billing:view):
//   - tenant host /usage: acme's admin sees acme's month (its sites included)
//     against its limits; acme's analyst gets the "not allowed" state (no
//     numbers); globex's admin is refused on acme's host;
//   - console /usage: the MSSP admin sees acme and globex (never the other
//     MSSP's customer), sortable; an MSSP analyst sees no customer (left out,
//     counted); a tenant admin is refused;
//   - console /usage/<slug>: another MSSP's customer reads as none.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { enrolMfa, inRequest, sessionCookie } from "./helpers/actions";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReactElement } from "react";
import { withServiceRole } from "@/lib/db/service-role";
import { withTenant } from "@/lib/db/with-tenant";
import { clearSettingValue, setSettingValue } from "@/lib/settings";
import { applyUsageQuery, parseUsageListQuery } from "@/lib/usage/list-query";
import { loadCustomerUsage, nothingMetered, type TenantUsageData } from "@/lib/usage/page-data";
import { recordUsage } from "@/lib/usage/record";
import { rollupDirty } from "@/lib/usage/rollup";
import { useFixtureEnv } from "./helpers/fixture-env";
import { TENANT_SLUGS, type UserName } from "./helpers/fixtures";

const env = useFixtureEnv();

env.before(async () => {
  const now = new Date();
  await withServiceRole("usage.rollup", (d) =>
    recordUsage(d, [
      ...TENANT_SLUGS.map((s, i) => ({ tenantId: env.fx.tenants[s], metric: "alerts_ingested" as const, quantity: 100 * (i + 1), occurredAt: now, key: "p1", source: "test" })),
      ...TENANT_SLUGS.map((s) => ({ tenantId: env.fx.tenants[s], metric: "assets_managed" as const, quantity: 9_000, occurredAt: now, key: "p2", source: "test" })),
    ]),
  );
  await rollupDirty();
  await enrolMfa(env.person("msspAdmin"));
  await enrolMfa(env.person("msspAnalyst"));
  await enrolMfa(env.person("msspBAdmin"));
  for (const u of ["msspAdmin", "msspAnalyst", "msspBAdmin", "acmeAdmin", "acmeAnalyst", "globexAdmin"] as const) await sessionCookie(env.person(u));
});

process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
const refused = (status: string) => (e: unknown) => String((e as { digest?: string }).digest ?? "").includes(`;${status}`);

async function tenantUsage(user: UserName, host: string, slug: string) {
  const { default: Page } = await import("@/app/t/[tenant]/usage/page");
  return (await inRequest({ person: env.person(user), host }, () => Page({ params: Promise.resolve({ tenant: slug }) }))) as ReactElement<{ data: TenantUsageData }>;
}
async function consoleCustomer(user: UserName, slug: string) {
  const { default: Page } = await import("@/app/console/usage/[slug]/page");
  return (await inRequest({ person: env.person(user), host: "localhost:3000" }, () => Page({ params: Promise.resolve({ slug }) }))) as ReactElement<{ data?: TenantUsageData }>;
}
async function consoleList(user: UserName, search: Record<string, string> = {}) {
  const { default: Page } = await import("@/app/console/usage/page");
  return inRequest({ person: env.person(user), host: "localhost:3000" }, () => Page({ searchParams: Promise.resolve(search) }));
}

test("tenant /usage: acme's admin sees its month with its sites, against limits.assets", async () => {
  const el = await tenantUsage("acmeAdmin", "acme.localhost:3000", "acme");
  const data = el.props.data;
  assert.equal(data.allowed, true);
  assert.equal(data.hasData, true);
  const alerts = data.metrics.find((m) => m.metric === "alerts_ingested")!;
  // acme (200) + acme-eu (300) + acme-us (400).
  assert.equal(alerts.totals.value, 900);
  const assets = data.metrics.find((m) => m.metric === "assets_managed")!;
  assert.equal(assets.totals.value, 27_000, "three tenants' peaks summed");
  // Each tenant has its own limit of 10,000 and uses 9,000 of it: 90 %, not the subtree's 27,000 (270 %).
  // On a tie the page's own tenant is shown.
  assert.deepEqual(
    { key: assets.limit?.key, limit: assets.limit?.limit, used: assets.limit?.used, percent: assets.limit?.percent, tenant: assets.limit?.tenant.slug },
    { key: "limits.assets", limit: 10_000, used: 9_000, percent: 90, tenant: "acme" },
  );
  // The busiest day per tenant: acme-us's 400 is the closest to its own 100,000 a day (not the subtree's 900).
  assert.deepEqual({ used: alerts.limit?.used, tenant: alerts.limit?.tenant.slug }, { used: 400, tenant: "acme-us" });
  assert.equal(data.days.length, 30);
});

test("usage limits: a site with a lower limit of its own is the one shown, on the customer's page and the console's row", async () => {
  await withTenant({ userId: env.fx.users.msspAdmin }, (tx) => setSettingValue(tx, { tenantId: env.fx.tenants["acme-eu"], key: "limits.assets", raw: "9500" }));
  try {
    const data = (await tenantUsage("acmeAdmin", "acme.localhost:3000", "acme")).props.data;
    const assets = data.metrics.find((m) => m.metric === "assets_managed")!.limit!;
    assert.deepEqual({ tenant: assets.tenant.slug, used: assets.used, limit: assets.limit, percent: assets.percent }, { tenant: "acme-eu", used: 9_000, limit: 9_500, percent: 94 });
    const row = (await withTenant({ userId: env.fx.users.msspAdmin }, (tx) => loadCustomerUsage(tx))).rows.find((r) => r.slug === "acme")!;
    assert.equal(row.maxPercent, 94);
    assert.equal(row.metrics.assets_managed.limit?.tenant.slug, "acme-eu");
    // The site's own page: its own figures.
    const site = (await consoleCustomer("msspAdmin", "acme-eu")).props.data!;
    assert.equal(site.metrics.find((m) => m.metric === "assets_managed")!.limit!.tenant.slug, "acme-eu");
    const globex = (await withTenant({ userId: env.fx.users.msspAdmin }, (tx) => loadCustomerUsage(tx))).rows.find((r) => r.slug === "globex")!;
    assert.equal(globex.metrics.assets_managed.limit?.tenant.slug, "globex", "another customer's tenants never count");
  } finally {
    await withTenant({ userId: env.fx.users.msspAdmin }, (tx) => clearSettingValue(tx, { tenantId: env.fx.tenants["acme-eu"], key: "limits.assets" }));
  }
});

test("tenant /usage: acme's analyst gets the not-allowed state, no numbers; globex's admin is refused on acme's host", async () => {
  const data = (await tenantUsage("acmeAnalyst", "acme.localhost:3000", "acme")).props.data;
  assert.equal(data.allowed, false);
  assert.deepEqual(data.metrics, []);
  await assert.rejects(tenantUsage("globexAdmin", "acme.localhost:3000", "acme"), refused("403"));
});

test("console /usage: the MSSP admin's customers only, sortable; an MSSP analyst sees none (left out, counted); a tenant admin is refused", async () => {
  const load = (user: UserName) => withTenant({ userId: env.fx.users[user] }, (tx) => loadCustomerUsage(tx));
  const admin = await load("msspAdmin");
  assert.deepEqual(admin.rows.map((r) => r.slug).sort(), ["acme", "globex"]);
  assert.equal(admin.rows.find((r) => r.slug === "acme")!.metrics.alerts_ingested.value, 900);
  const { query } = parseUsageListQuery({ sort: "alerts_ingested", dir: "asc" });
  assert.deepEqual(applyUsageQuery(admin.rows, query).rows.map((r) => r.slug), ["globex", "acme"]);
  const bad = parseUsageListQuery({ sort: "bananas", page: "0" });
  assert.equal(bad.problems.length, 2);
  const other = await load("msspBAdmin");
  assert.deepEqual(other.rows.map((r) => r.slug), ["other-co"]);
  const analyst = await load("msspAnalyst");
  assert.deepEqual(analyst.rows, []);
  assert.equal(analyst.hidden, 2);
  // The page's "nothing metered yet" notice: only when no listed customer has any reading this month.
  assert.equal(nothingMetered(admin.rows), false);
  const zeroed = admin.rows.map((r) => ({ ...r, metrics: Object.fromEntries(Object.entries(r.metrics).map(([m, v]) => [m, { ...v, value: 0 }])) as typeof r.metrics }));
  assert.equal(nothingMetered(zeroed), true);
  assert.equal(nothingMetered([zeroed[0], admin.rows[1]]), false, "one customer with a reading is enough to hide the notice");
  assert.ok(await consoleList("msspAdmin", { sort: "limit", q: "ac" }));
  await assert.rejects(consoleList("acmeAdmin"), refused("403"));
});

test("console /usage/<slug>: a customer of the MSSP opens; another MSSP's reads as none", async () => {
  const el = await consoleCustomer("msspAdmin", "globex");
  assert.equal(el.props.data?.allowed, true);
  assert.equal(el.props.data?.metrics.find((m) => m.metric === "alerts_ingested")?.totals.value, 500);
  const foreign = await consoleCustomer("msspAdmin", "other-co");
  assert.equal(foreign.props.data, undefined, "the 'no customer here' state");
  const foreignToo = await consoleCustomer("msspBAdmin", "acme");
  assert.equal(foreignToo.props.data, undefined);
});
