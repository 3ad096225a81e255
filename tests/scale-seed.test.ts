// npm run db:seed -- --tenants N (lib/demo/scale.ts): N customers under the
// demo MSSP with sites, some at depth 4, and tenant settings; idempotent;
// refuses a nonsense count; and the console's drift report reads them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { seedScale } from "@/lib/demo/scale";
import { seedDemo } from "@/lib/demo/seed";
import { withTenant } from "@/lib/db/with-tenant";
import { loadDriftReports } from "@/lib/settings/drift";
import { createTestDatabase, withClient, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await withClient(db.url, (c) => seedDemo(c as pg.Client));
});
after(() => db.drop());

test("adds the customers, sites down to depth 4 and settings, once", async () => {
  const first = await withClient(db.url, (c) => seedScale(c, { tenants: 120 }));
  assert.equal(first.customers, 120);
  assert.ok(first.sites > 20, `sites: ${first.sites}`);
  assert.ok(first.settings > 120, `settings: ${first.settings}`);
  const { rows } = await withClient(db.url, (c) =>
    c.query(`select max(extensions.nlevel(path))::int as depth, count(*)::int as n from public.tenants where slug like 'scale-%'`),
  );
  assert.equal(rows[0].depth, 4);
  assert.equal(rows[0].n, 120 + first.sites);
  assert.deepEqual(await withClient(db.url, (c) => seedScale(c, { tenants: 120 })), { customers: 0, sites: 0, settings: 0 }, "a second run adds nothing");
  await assert.rejects(withClient(db.url, (c) => seedScale(c, { tenants: 0 })), /whole number from 1/);
});

test("the demo MSSP admin's drift report reads them", async () => {
  const { rows } = await withClient(db.url, (c) => c.query("select id from public.users where email = 'mssp.admin@demo.test'"));
  const [report] = await withTenant({ userId: rows[0].id }, (tx) => loadDriftReports(tx));
  assert.ok(report.customers >= 120);
  assert.ok(report.customersWithDrift.some((c) => c.slug.startsWith("scale-")));
  assert.ok(report.settings.find((s) => s.key === "locale.time_zone")!.differing.length > 10);
});
