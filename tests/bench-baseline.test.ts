// The load bench's baseline page (lib/alerts/baseline.ts, app/bench-baseline):
// never reachable without BENCH_BASELINE_PAGES=1 (the proxy does not route to
// it and its loader refuses), and when the bench enables it, it shows the
// same alerts the tenant's own signed-in page lists under RLS.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadAlertListBaseline, loadAlertListBaselineKept } from "@/lib/alerts/baseline";
import { benchBaselineEnabled, isBenchBaselinePath } from "@/lib/alerts/baseline-flag";
import { listAlerts } from "@/lib/alerts/list";
import { insertFixtures, type Fixtures } from "./helpers/fixtures";
import { as } from "./helpers/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database";

let db: TestDatabase;
let fx: Fixtures;
before(async () => {
  db = await createTestDatabase();
  fx = await insertFixtures(db.url);
});
after(() => db?.drop());

test("without BENCH_BASELINE_PAGES=1 the proxy does not route it and nothing loads", async () => {
  const saved = process.env.BENCH_BASELINE_PAGES;
  try {
    for (const value of [undefined, "", "0", "true", "yes"]) {
      if (value === undefined) delete process.env.BENCH_BASELINE_PAGES;
      else process.env.BENCH_BASELINE_PAGES = value;
      assert.equal(benchBaselineEnabled(), false, String(value));
      assert.equal(isBenchBaselinePath("/bench-baseline/acme/alerts"), false, String(value));
      assert.equal(await loadAlertListBaseline("acme", { page: 1 }, new Date()), null, String(value));
      assert.equal(await loadAlertListBaselineKept("acme", { page: 1 }, new Date()), null, String(value));
    }
  } finally {
    if (saved === undefined) delete process.env.BENCH_BASELINE_PAGES;
    else process.env.BENCH_BASELINE_PAGES = saved;
  }
});

test("with it (the load bench's server): the same alerts as the tenant admin's page under RLS", async () => {
  process.env.BENCH_BASELINE_PAGES = "1";
  try {
    assert.equal(isBenchBaselinePath("/bench-baseline/acme/alerts"), true);
    assert.equal(isBenchBaselinePath("/alerts"), false);
    const baseline = await loadAlertListBaseline("acme", { page: 1 }, new Date());
    assert.ok(baseline);
    const rls = await as(fx, "acmeAdmin", (tx) => listAlerts(tx.db, { page: 1 }), "acme");
    assert.ok(rls.rows.length > 0, "the fixtures give acme alerts");
    assert.deepEqual(baseline.data.alerts.rows.map((r) => r.id), rls.rows.map((r) => r.id));
    assert.equal(baseline.data.alerts.total, rls.total);
    assert.equal(await loadAlertListBaseline("no-such-tenant", { page: 1 }, new Date()), null);
  } finally {
    delete process.env.BENCH_BASELINE_PAGES;
  }
});
