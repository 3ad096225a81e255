// The reports page's schedule list (lib/reports/page-data.ts loadReportsPage)
// on a real Postgres with real RLS and the real PDP: the schedules of the
// tenants the page lists (customers and sites the PDP allows reports:export
// on, by name), oldest first within one. A schedule RLS shows but the PDP
// denies, or of a tenant that is no customer or site, is left out.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { withTenant } from "@/lib/db/with-tenant";
import { loadReportsPage } from "@/lib/reports/page-data";
import { ensureCerbos } from "@/scripts/lib/cerbos";
import { insertDemoGlobex, insertFixtures, type Fixtures, type TenantSlug } from "./helpers/fixtures";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
let globex = "";
let globexAnalyst = "";
let initech = "";
const owner = (sql: string, params: unknown[] = []) => withClient(db.url, (c) => c.query(sql, params));

/** One weekly schedule of `tenantId`, created `hoursAgo` hours ago; returns its id. */
async function schedule(tenantId: string, hoursAgo: number): Promise<string> {
  const { rows } = await owner(
    `insert into public.report_schedules (tenant_id, kind, format, cadence, recipients, next_run_at, created_at)
     values ($1, 'executive', 'pdf', 'weekly', array['lead@example.test'], now() + interval '1 day', now() - $2 * interval '1 hour')
     returning id`,
    [tenantId, hoursAgo],
  );
  return rows[0].id;
}

const ids: Record<string, string[]> = {};

before(async () => {
  process.env.CERBOS_URL = (await ensureCerbos({ quiet: true })).url;
  db = await createTestDatabase();
  // Prefixed slugs, so the demo's Globex (scope sentinel.globex: its analysts may not export reports) fits beside them.
  fx = await insertFixtures(db.url, { prefix: "rs-" });
  const demo = await insertDemoGlobex(db.url, "globex-analyst@schedules.test");
  ({ globex, globexAnalyst } = demo);
  await withClient(db.url, async (c) => {
    // The same person is an analyst at Initech too, where nothing denies the export.
    initech = (await c.query("insert into public.tenants (parent_id, slug, name, kind) values ($1, 'initech', 'Initech', 'customer') returning id", [demo.sentinel])).rows[0].id;
    await c.query("insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'tenant_analyst')", [initech, globexAnalyst]);
  });
  const plan: [TenantSlug | "sentinel-globex" | "initech", number[]][] = [
    ["acme", [5, 50]],
    ["acme-eu", [20]],
    ["acme-us", [1]],
    ["globex", [30]],
    ["mssp-a", [10]], // the MSSP's own tenant: not a customer or site, never listed
    ["other-co", [3]],
    ["sentinel-globex", [7]],
    ["initech", [2]],
  ];
  for (const [slug, ages] of plan) {
    const tenantId = slug === "sentinel-globex" ? globex : slug === "initech" ? initech : fx.tenants[slug];
    ids[slug] = [];
    for (const age of ages) ids[slug].push(await schedule(tenantId, age));
  }
});
after(() => db?.drop());

/** Owner's answer: the schedules of these tenants, by tenant name, oldest first within one. */
async function expected(tenantIds: string[]): Promise<string[]> {
  const { rows } = await owner(
    `select s.id from public.report_schedules s join public.tenants t on t.id = s.tenant_id
      where s.tenant_id = any ($1::uuid[]) order by t.name, t.id, s.created_at, s.id`,
    [tenantIds],
  );
  return rows.map((r) => r.id);
}

describe("the reports page's schedules", () => {
  test("the MSSP admin: every customer's and site's schedules in its tree, by tenant name, oldest first; not its own tenant's, not another MSSP's", async () => {
    const page = await withTenant({ userId: fx.users.msspAdmin, activeTenantId: null }, (tx) => loadReportsPage(tx));
    const listed = ["acme", "acme-eu", "acme-us", "globex"].map((s) => fx.tenants[s as TenantSlug]);
    assert.deepEqual(page.schedules.map((s) => s.id), await expected(listed));
    assert.equal(page.schedules.length, 5);
    assert.deepEqual(page.schedules.filter((s) => s.tenantId === fx.tenants.acme).map((s) => s.id), [ids.acme[1], ids.acme[0]], "oldest first");
    const names = new Map(page.tenants.map((t) => [t.id, t.name]));
    for (const s of page.schedules) assert.equal(s.tenant.name, names.get(s.tenantId));
    for (const hidden of [...ids["mssp-a"], ...ids["other-co"], ...ids["sentinel-globex"], ...ids.initech]) {
      assert.ok(!page.schedules.some((s) => s.id === hidden), `${hidden} is not listed`);
    }
  });

  test("a site's admin: its own site's schedules only (RLS)", async () => {
    const page = await withTenant({ userId: fx.users.acmeEuAdmin, activeTenantId: null }, (tx) => loadReportsPage(tx));
    assert.deepEqual(page.schedules.map((s) => s.id), ids["acme-eu"]);
  });

  test("the tenant host narrows to the host's subtree", async () => {
    const page = await withTenant({ userId: fx.users.msspAdmin, activeTenantId: fx.tenants["acme-eu"] }, (tx) =>
      loadReportsPage(tx, { withinTenant: fx.tenants["acme-eu"] }),
    );
    assert.deepEqual(page.schedules.map((s) => s.id), ids["acme-eu"]);
  });

  test("a schedule RLS shows but the PDP denies reports:export on is left out", async () => {
    const caller = { userId: globexAnalyst, activeTenantId: null };
    // RLS shows the analyst both customers' schedules (analysts may read schedules) ...
    const seen = await withTenant(caller, (tx) => tx.client.query("select id from public.report_schedules order by id"));
    assert.deepEqual(seen.rows.map((r) => r.id), [...ids["sentinel-globex"], ...ids.initech].sort());
    // ... Globex's policy denies its analysts reports:export, so the page lists Initech's only.
    const page = await withTenant(caller, (tx) => loadReportsPage(tx));
    assert.deepEqual(page.tenants.map((t) => t.id), [initech]);
    assert.deepEqual(page.schedules.map((s) => s.id), ids.initech);
  });
});
