// The customer page's Data card (lib/lifecycle/data-labels.ts): it names a
// tenant's records as an operator would, not by table, and leaves out the
// portal's bookkeeping and the rollups kept from the alerts.
//   - every tenant-scoped table the migrations create has a name on the card
//     or is known to be left out, so a table a later migration adds fails
//     here until someone names it (it would show as its table name);
//   - the card of a customer with alerts lists alerts under that name and
//     neither lists nor counts the rollups its alerts fed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadTenantCatalog } from "@/lib/lifecycle/catalog";
import { isClassified, isTenantRecords, tableLabel } from "@/lib/lifecycle/data-labels";
import { loadTenantDetail } from "@/lib/lifecycle/detail-page";
import { useFixtureEnv } from "./helpers/fixture-env";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();

test("every tenant-scoped table is named on the Data card or deliberately left out", async () => {
  const tables = await withClient(env.db.url, (c) => loadTenantCatalog(c));
  assert.ok(tables.length > 30, `the catalog lists the tenant tables (${tables.length})`);
  const unnamed = tables.map((t) => t.name).filter((name) => !isClassified(name));
  assert.deepEqual(unnamed, [], "name these in lib/lifecycle/data-labels.ts, or list them as derived or bookkeeping");
  // A table nobody named yet still reads as words, not as schema.table_name.
  assert.equal(tableLabel("public.asset_notes"), "asset notes");
  assert.equal(tableLabel("public.alert_raw_events"), "raw events");
});

test("a customer's Data card lists its alerts by name and leaves out the rollups kept from them", async () => {
  const detail = await env.as("msspAdmin", (tx) => loadTenantDetail(tx, "acme"));
  assert.ok(detail?.rows, "the MSSP admin may act on acme, so the card is filled");
  const alerts = detail.rows.find((r) => r.table === "public.alerts");
  assert.ok(alerts && alerts.rows > 0 && alerts.label === "alerts", JSON.stringify(detail.rows));
  // The fixtures' alerts fed the trigger-kept rollups: they exist, yet are not on the card.
  const rollups = await withClient(env.db.url, async (c) =>
    Number((await c.query("select count(*) as n from public.alert_daily_rollups where tenant_id = $1", [detail.id])).rows[0].n),
  );
  assert.ok(rollups > 0, "acme's alerts have daily rollups");
  for (const r of detail.rows) {
    assert.ok(isTenantRecords(r.table), `${r.table} is not the tenant's own records`);
    assert.doesNotMatch(r.label, /[._]/, `${r.table} shows as a table name`);
  }
});

test("the customer page links only the pages the PDP lets the person use there", async () => {
  const admin = await env.as("msspAdmin", (tx) => loadTenantDetail(tx, "acme"));
  assert.deepEqual(admin?.links, { "settings:view": true, "apikeys:manage": true, "credentials:view": true, "branding:manage": true, "domains:manage": true });
  // An MSSP analyst reads settings and credentials, and manages none of the rest (their pages would refuse).
  const analyst = await env.as("msspAnalyst", (tx) => loadTenantDetail(tx, "acme"));
  assert.equal(analyst?.links["branding:manage"], false);
  assert.equal(analyst?.links["apikeys:manage"], false);
  assert.equal(analyst?.links["domains:manage"], false);
  assert.equal(analyst?.links["credentials:view"], true);
});
