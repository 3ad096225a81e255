// The health pages' data (lib/health/page-data.ts) with the real PDP and RLS:
// the MSSP admin's board lists every customer and site worst first with the
// reasons, and filters by state; a tenant admin's board and page show only its
// own subtree; a viewer is refused by the PDP (alerts:triage) and RLS would
// give it nothing anyway; another MSSP's admin cannot find the tenant at all.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { evaluateHealth } from "@/lib/health/evaluate";
import { loadHealthBoard, loadTenantHealth, parseBoardQuery } from "@/lib/health/page-data";
import { useFixtureEnv } from "./helpers/fixture-env";
import { withClient } from "./helpers/test-database";

const env = useFixtureEnv();
const T0 = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000);

env.before(async () => {
  await withClient(env.db.url, async (c) => {
    await c.query("insert into public.collectors (tenant_id, name, last_heartbeat_at) values ($1, 'edr-east', $2)", [env.fx.tenants.acme, T0]);
    await c.query("insert into public.collectors (tenant_id, name, last_heartbeat_at) values ($1, 'siem', $2)", [env.fx.tenants.globex, T0]);
  });
  await evaluateHealth({ now: new Date(T0.getTime() + 60_000) });
  await withClient(env.db.url, (c) => c.query("update public.collectors set last_heartbeat_at = $2 where tenant_id = $1", [env.fx.tenants.globex, new Date(T0.getTime() + 80 * 60_000)]));
  // acme: silent 15 min (degraded) then 81 (down); globex heartbeats.
  await evaluateHealth({ now: new Date(T0.getTime() + 15 * 60_000) });
  await evaluateHealth({ now: new Date(T0.getTime() + 81 * 60_000) });
});

describe("health pages' data", () => {
  test("the MSSP admin's board: every customer and site, worst first, with reasons and recent changes", async () => {
    const board = await env.as("msspAdmin", (tx) => loadHealthBoard(tx));
    assert.deepEqual(board.tiles.map((t) => [t.slug, t.state]), [["acme", "down"], ["acme-eu", "healthy"], ["acme-us", "healthy"], ["globex", "healthy"]]);
    assert.equal(board.tiles[0].reasons[0].reason, "Collector 'edr-east' silent for 81 min");
    assert.deepEqual(board.counts, { all: 4, down: 1, degraded: 0, healthy: 3, unknown: 0 });
    assert.deepEqual(board.recent.map((r) => [r.tenantSlug, r.from, r.to]), [["acme", "degraded", "down"], ["acme", "healthy", "degraded"]]);
    const down = await env.as("msspAdmin", (tx) => loadHealthBoard(tx, parseBoardQuery({ state: "down" }).query));
    assert.deepEqual(down.tiles.map((t) => t.slug), ["acme"]);
    assert.deepEqual(parseBoardQuery({ state: "on-fire" }).problems.length, 1, "a bad filter is reported, not an error page");
  });

  test("a tenant admin sees its own subtree only; its analyst too; the page has the history", async () => {
    const board = await env.as("acmeAdmin", (tx) => loadHealthBoard(tx));
    assert.deepEqual(board.tiles.map((t) => t.slug), ["acme", "acme-eu", "acme-us"]);
    const page = await env.as("acmeAnalyst", (tx) => loadTenantHealth(tx, "acme"), "acme");
    assert.equal(page?.allowed, true);
    assert.equal(page?.state, "down");
    assert.deepEqual(page?.history.map((h) => h.to), ["down", "degraded", "healthy"]);
    assert.equal(page?.signals.length, 8);
    assert.equal(await env.as("acmeAdmin", (tx) => loadTenantHealth(tx, "globex")), null, "a sibling customer does not exist for it");
  });

  test("a viewer is refused by the PDP; another MSSP finds nothing", async () => {
    const viewer = await env.as("acmeViewer", (tx) => loadTenantHealth(tx, "acme"), "acme");
    assert.equal(viewer?.allowed, false);
    assert.equal(viewer?.state, null);
    assert.deepEqual(viewer?.history, []);
    assert.equal((await env.as("acmeViewer", (tx) => loadHealthBoard(tx))).tiles.length, 0);
    assert.equal(await env.as("msspBAdmin", (tx) => loadTenantHealth(tx, "acme")), null);
    assert.deepEqual((await env.as("msspBAdmin", (tx) => loadHealthBoard(tx))).tiles.map((t) => t.slug), ["other-co"]);
  });
});
