// Issue 10, item 6: the alert pages ask the PDP for alerts:read, so a
// tenant's own Cerbos policy denying it takes effect even though RLS shows
// the rows. A PDP started over a copy of policies/ plus a scoped policy for
// globex (mssp_a.globex) that denies alerts:read to every role; the real
// pages are called as people with real session cookies and Host headers.
// Controls: acme (no such policy) renders; with the stock policies globex does.
// First: installs Next's request storage before any next/* module loads (see the helper).
import { enrolMfa, inRequest, sessionCookie } from "./helpers/actions";
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { loadAlertListPage } from "@/lib/alerts/page-data";
import { parseAlertFilters } from "@/lib/alerts/list";
import { readableAlertTenants } from "@/lib/alerts/access";
import { withTenant } from "@/lib/db/with-tenant";
import { flattenTree, loadTenantTree, totalOf } from "@/lib/tenancy/tree";
import { useFixtureEnv } from "./helpers/fixture-env";
import { type UserName } from "./helpers/fixtures";
import { startScopedPdp, type DerivedRole, type ScopedPdp } from "./helpers/scoped-pdp";

// The stock PDP is env.pdp.
const env = useFixtureEnv();
let tightened: ScopedPdp;
const ROLES: DerivedRole[] = ["mssp_admin", "mssp_analyst", "tenant_admin", "tenant_analyst", "tenant_viewer"];

env.before(async () => {
  tightened = await startScopedPdp(env.db.url, env.fx, {
    denies: [{ tenant: "globex", name: "nobody-reads-globex-alerts-here", actions: ["alerts:read"], derivedRoles: ROLES }],
  });
  process.env.CERBOS_URL = tightened.url;
  await enrolMfa(env.person("msspAdmin"));
  for (const user of ["msspAdmin", "globexAdmin", "acmeAdmin"] as const) await sessionCookie(env.person(user));
});
after(async () => {
  await tightened?.stop();
});

// next.config.ts enables experimental.authInterrupts; Next's build inlines it as this variable.
process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
const FORBIDDEN = (e: unknown) => String((e as { digest?: string }).digest ?? "").includes(";403");

async function tenantList(user: UserName, slug: "acme" | "globex") {
  const { default: Page } = await import("@/app/t/[tenant]/alerts/page");
  return inRequest({ person: env.person(user), host: `${slug}.localhost:3000` }, () => Page({ params: Promise.resolve({ tenant: slug }), searchParams: Promise.resolve({}) }));
}
async function consoleDetail(user: UserName, id: string) {
  const { default: Page } = await import("@/app/console/alerts/[id]/page");
  return inRequest({ person: env.person(user), host: "localhost:3000" }, () => Page({ params: Promise.resolve({ id }) }));
}
async function tenantDetail(user: UserName, slug: "acme" | "globex", id: string) {
  const { default: Page } = await import("@/app/t/[tenant]/alerts/[id]/page");
  return inRequest({ person: env.person(user), host: `${slug}.localhost:3000` }, () => Page({ params: Promise.resolve({ tenant: slug, id }) }));
}

test("globex's own policy denies alerts:read: its alert list refuses (403) though RLS shows the rows; acme's renders", async () => {
  await assert.rejects(tenantList("globexAdmin", "globex"), FORBIDDEN);
  assert.ok(await tenantList("acmeAdmin", "acme"), "control: a tenant without the rule renders");
  process.env.CERBOS_URL = env.pdp.url;
  try {
    assert.ok(await tenantList("globexAdmin", "globex"), "control: with the stock policies globex's list renders");
  } finally {
    process.env.CERBOS_URL = tightened.url;
  }
});

test("an alert's page refuses (403) on globex's host and on the console; acme's alert opens", async () => {
  await assert.rejects(tenantDetail("globexAdmin", "globex", env.fx.alerts.globex[0]), FORBIDDEN);
  await assert.rejects(consoleDetail("msspAdmin", env.fx.alerts.globex[0]), FORBIDDEN);
  assert.ok(await consoleDetail("msspAdmin", env.fx.alerts.acme[0]));
  assert.ok(await tenantDetail("acmeAdmin", "acme", env.fx.alerts.acme[0]));
});

test("the console's list leaves globex's alerts out (and its tenant filter choice), keeps everyone else's", async () => {
  const load = () =>
    withTenant({ userId: env.fx.users.msspAdmin }, (tx) => loadAlertListPage(tx, parseAlertFilters({}).filters, null, new Date()));
  const page = await load();
  const tenantsShown = new Set(page.alerts.rows.map((r) => r.tenantSlug));
  assert.ok(!tenantsShown.has("globex"), [...tenantsShown].join(","));
  assert.ok(tenantsShown.has("acme") && tenantsShown.has("acme-eu"));
  assert.ok(!page.tenants.some((t) => t.slug === "globex"));
  process.env.CERBOS_URL = env.pdp.url;
  try {
    assert.ok((await load()).alerts.rows.some((r) => r.tenantSlug === "globex"), "control: the stock policies show globex's alerts");
  } finally {
    process.env.CERBOS_URL = tightened.url;
  }
});

test("the console overview's open-alert counts leave globex out (marked hidden), count acme", async () => {
  const load = () =>
    withTenant({ userId: env.fx.users.msspAdmin }, async (tx) => flattenTree(await loadTenantTree(tx.db, await readableAlertTenants(tx))));
  const nodes = await load();
  const globex = nodes.find((n) => n.slug === "globex")!;
  const acme = nodes.find((n) => n.slug === "acme")!;
  assert.equal(globex.alertsHidden, true);
  assert.equal(totalOf(globex.own), 0, "globex's own alerts are not counted");
  assert.equal(acme.alertsHidden, false);
  assert.ok(totalOf(acme.own) > 0, "acme's open alerts are counted");
  process.env.CERBOS_URL = env.pdp.url;
  try {
    const control = (await load()).find((n) => n.slug === "globex")!;
    assert.equal(control.alertsHidden, false);
    assert.ok(totalOf(control.own) > 0, "control: the stock policies count globex's open alerts");
  } finally {
    process.env.CERBOS_URL = tightened.url;
  }
});
