// The alert list counts matches only up to ALERT_COUNT_CAP (issue 13 point 7:
// an exact count over a million rows is not needed on a page): under the cap
// the count is exact; past it the page gets the cap and says "more than",
// and the pages it offers stop there. Real Postgres, under RLS.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { ALERT_COUNT_CAP, ALERT_SEARCH_COUNT_CAP, listAlerts } from "@/lib/alerts/list";
import { withTenant } from "@/lib/db/with-tenant";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;

async function addAlerts(tenantId: string, n: number, severity: string) {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(
      `insert into public.alerts (tenant_id, title, severity, source)
       select $1, 'bulk alert ' || g, $3, 'edr' from generate_series(1, $2::int) g`,
      [tenantId, n, severity],
    );
  } finally {
    await c.end();
  }
}

before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
  // Acme gets more than the cap of medium alerts; globex a few hundred (under it).
  await addAlerts(fx.tenants.acme, ALERT_COUNT_CAP + 25, "medium");
  await addAlerts(fx.tenants.globex, 300, "medium");
});
after(async () => {
  await db?.drop();
});

const asAdmin = (user: "acmeAdmin" | "globexAdmin", tenant: "acme" | "globex") => ({ userId: fx.users[user], activeTenantId: fx.tenants[tenant] });

test("under the cap the count is exact, and so are the pages", async () => {
  const page = await withTenant(asAdmin("globexAdmin", "globex"), (tx) => listAlerts(tx.db, { page: 1, severity: "medium" }, 50));
  assert.equal(page.total, 300);
  assert.equal(page.totalIsLowerBound, false);
  assert.equal(page.pageCount, 6);
});

test("past the cap the count stops there and says so; another tenant's rows never count", async () => {
  const page = await withTenant(asAdmin("acmeAdmin", "acme"), (tx) => listAlerts(tx.db, { page: 1, severity: "medium" }, 50));
  assert.equal(page.total, ALERT_COUNT_CAP);
  assert.equal(page.totalIsLowerBound, true);
  assert.equal(page.pageCount, ALERT_COUNT_CAP / 50);
  assert.equal(page.rows.length, 50);
  assert.ok(page.rows.every((r) => r.tenantId === fx.tenants.acme || r.tenantSlug.startsWith("acme")));
  // A page past the last offered one is the last one.
  const last = await withTenant(asAdmin("acmeAdmin", "acme"), (tx) => listAlerts(tx.db, { page: 10_000, severity: "medium" }, 50));
  assert.equal(last.page, ALERT_COUNT_CAP / 50);
  assert.equal(last.rows.length, 50);
  // The page just past the cap, where alerts still exist beyond the count: the last offered page's rows, not those.
  const [offered, past] = await withTenant(asAdmin("acmeAdmin", "acme"), async (tx) => [
    await listAlerts(tx.db, { page: ALERT_COUNT_CAP / 50, severity: "medium" }, 50),
    await listAlerts(tx.db, { page: ALERT_COUNT_CAP / 50 + 1, severity: "medium" }, 50),
  ]);
  assert.equal(past.page, ALERT_COUNT_CAP / 50);
  assert.deepEqual(past.rows.map((r) => r.id), offered.rows.map((r) => r.id));
  assert.deepEqual(last.rows.map((r) => r.id), offered.rows.map((r) => r.id));
});

test("a filter that narrows below the cap is exact again", async () => {
  const page = await withTenant(asAdmin("acmeAdmin", "acme"), (tx) => listAlerts(tx.db, { page: 1, q: "bulk alert 77" }, 50));
  assert.equal(page.totalIsLowerBound, false);
  assert.ok(page.total >= 1 && page.total < ALERT_COUNT_CAP, `narrowed count ${page.total}`);
});

test("a search counts to its own, lower cap, and offers the pages up to it", async () => {
  const page = await withTenant(asAdmin("acmeAdmin", "acme"), (tx) => listAlerts(tx.db, { page: 1, q: "bulk alert" }, 50));
  assert.equal(page.total, ALERT_SEARCH_COUNT_CAP);
  assert.equal(page.totalIsLowerBound, true);
  assert.equal(page.pageCount, ALERT_SEARCH_COUNT_CAP / 50);
  const last = await withTenant(asAdmin("acmeAdmin", "acme"), (tx) => listAlerts(tx.db, { page: 10_000, q: "bulk alert" }, 50));
  assert.equal(last.page, ALERT_SEARCH_COUNT_CAP / 50);
  assert.equal(last.rows.length, 50);
  const globex = await withTenant(asAdmin("globexAdmin", "globex"), (tx) => listAlerts(tx.db, { page: 1, q: "bulk alert" }, 50));
  assert.deepEqual([globex.total, globex.totalIsLowerBound], [300, false], "under the search cap the count is exact");
});
