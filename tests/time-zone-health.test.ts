// locale.time_zone (lib/locale/time.ts) on the health pages and the settings
// history: their times are in the zone of the tenant whose host they are on
// (inherited down the tree), the MSSP's on the console whatever tenant is
// viewed, UTC where nothing is set. Real Postgres, real RLS and PDP, the
// settings resolver; then the markup the pages render from that data, whose
// times must be the Paris clock (UTC+1 in December), not UTC's.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { HealthBoardView } from "@/components/health/health-board";
import { TenantHealthView } from "@/components/health/tenant-health-view";
import { SettingsHistory } from "@/components/settings/settings-history";
import { loadHealthBoard, loadTenantHealth } from "@/lib/health/page-data";
import { formatTimeWithZone } from "@/lib/locale/time";
import { loadSettingsPage, type SettingsPageData } from "@/lib/settings/page-data";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug } from "./helpers/fixtures";

const env = useFixtureEnv();
const CHANGED = new Date("2026-12-01T11:30:00Z");
const EVALUATED = new Date("2026-12-01T11:45:00Z");
const NOW = new Date("2026-12-01T12:00:00Z");

async function setZone(tenant: TenantSlug, zone: string | null) {
  await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'locale.time_zone'", [env.fx.tenants[tenant]]);
  if (zone) await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', $2::jsonb)", [env.fx.tenants[tenant], JSON.stringify(zone)]);
}

env.before(async () => {
  // Acme degraded since 11:30 UTC (12:30 in Paris), evaluated at 11:45; healthy from the day before.
  const acme = env.fx.tenants.acme;
  await env.owner(
    `insert into public.tenant_health (tenant_id, state, signals, since, evaluated_at)
     values ($1, 'degraded', '[{"kind":"collectors","level":"warn","reason":"Collector silent for 20 min"}]', $2, $3)`,
    [acme, CHANGED, EVALUATED],
  );
  await env.owner(
    `insert into public.tenant_health_transitions (tenant_id, from_state, to_state, reasons, occurred_at, notified)
     values ($1, null, 'healthy', '[]', '2026-11-30T08:00:00Z', 0),
            ($1, 'healthy', 'degraded', '[{"kind":"collectors","level":"warn","reason":"Collector silent for 20 min"}]', $2, 2)`,
    [acme, CHANGED],
  );
  // A settings change in Acme's history (the trail stamps its own time: the assertions format what it stored).
  await env.owner(
    `insert into public.audit_log (tenant_id, action, target_type, target_id, outcome, details)
     values ($1, 'setting.set', 'setting', 'locale.time_zone', 'success', '{"from":"UTC","to":"America/New_York"}')`,
    [acme],
  );
});

function history(data: SettingsPageData) {
  assert.ok(data.allowed, "the settings page is allowed");
  assert.ok(data.history.length > 0, "the history has the change");
  return data;
}

describe("locale.time_zone on the health pages and the settings history", () => {
  test("nothing set: UTC, on the host and on the console", async () => {
    const status = await env.as("acmeAnalyst", (tx) => loadTenantHealth(tx, "acme", env.fx.tenants.acme), "acme");
    assert.equal(status?.timeZone, "UTC");
    assert.equal((await env.as("msspAdmin", (tx) => loadHealthBoard(tx))).timeZone, "UTC");
    const settings = history(await env.as("acmeAdmin", (tx) => loadSettingsPage(tx, { scopeId: env.fx.tenants.acme }), "acme"));
    assert.equal(settings.timeZone, "UTC");
    assert.equal(settings.history[0].when, formatTimeWithZone(new Date(settings.history[0].at), "UTC"));
  });

  test("the host tenant's zone, inherited; the MSSP's on the console whatever tenant is viewed", async () => {
    await setZone("mssp-a", "Europe/Paris");
    await setZone("acme", "America/New_York");
    await setZone("acme-eu", "Asia/Tokyo");
    try {
      // Acme's /status: Acme's own zone.
      const status = await env.as("acmeAnalyst", (tx) => loadTenantHealth(tx, "acme", env.fx.tenants.acme), "acme");
      assert.equal(status?.allowed, true);
      assert.equal(status?.timeZone, "America/New_York");
      // acme-us sets nothing: its /status inherits Acme's.
      const site = await env.as("acmeUsAdmin", (tx) => loadTenantHealth(tx, "acme-us", env.fx.tenants["acme-us"]), "acme-us");
      assert.equal(site?.timeZone, "America/New_York");
      // Globex sets nothing: the MSSP's.
      const globex = await env.as("globexAdmin", (tx) => loadTenantHealth(tx, "globex", env.fx.tenants.globex), "globex");
      assert.equal(globex?.timeZone, "Europe/Paris");
      // The console: the operator's MSSP's zone on Acme's page and on the board, not Acme's.
      const consolePage = await env.as("msspAdmin", (tx) => loadTenantHealth(tx, "acme"));
      assert.equal(consolePage?.timeZone, "Europe/Paris");
      assert.equal((await env.as("msspAdmin", (tx) => loadHealthBoard(tx))).timeZone, "Europe/Paris");
      // Another MSSP's zone is none of this.
      assert.equal((await env.as("msspBAdmin", (tx) => loadHealthBoard(tx))).timeZone, "UTC");

      // Settings on Acme's host: the host's zone, also for its site's page (Tokyo is acme-eu's, not the page's).
      const onHost = history(await env.as("acmeAdmin", (tx) => loadSettingsPage(tx, { scopeId: env.fx.tenants.acme }), "acme"));
      assert.equal(onHost.timeZone, "America/New_York");
      const at = new Date(onHost.history[0].at);
      assert.equal(onHost.history[0].when, formatTimeWithZone(at, "America/New_York"));
      const siteOnHost = await env.as("acmeAdmin", (tx) => loadSettingsPage(tx, { scopeId: env.fx.tenants.acme, slug: "acme-eu" }), "acme");
      assert.ok(siteOnHost.allowed);
      assert.equal(siteOnHost.tenant.slug, "acme-eu");
      assert.equal(siteOnHost.timeZone, "America/New_York");
      // Settings of Acme from the console: the MSSP's zone.
      const onConsole = history(await env.as("msspAdmin", (tx) => loadSettingsPage(tx, { slug: "acme" })));
      assert.equal(onConsole.timeZone, "Europe/Paris");
      assert.equal(onConsole.history[0].when, formatTimeWithZone(at, "Europe/Paris"));
    } finally {
      await setZone("acme-eu", null);
      await setZone("acme", null);
      await setZone("mssp-a", null);
    }
  });

  test("the markup: the Paris clock, the zone named after each time or once above a column", async () => {
    await setZone("mssp-a", "Europe/Paris");
    try {
      const data = await env.as("msspAdmin", (tx) => loadTenantHealth(tx, "acme"));
      assert.ok(data?.allowed);
      const page = renderToStaticMarkup(createElement(TenantHealthView, { data, settingsHint: "Thresholds.", now: NOW }));
      assert.match(page, /since <time dateTime="2026-12-01T11:30:00.000Z">01 Dec 2026, 12:30 Europe\/Paris<\/time>/);
      assert.match(page, /Last evaluated <time dateTime="2026-12-01T11:45:00.000Z">01 Dec 2026, 12:45 Europe\/Paris<\/time>/);
      assert.match(page, />When<span class="block font-normal normal-case tracking-normal">Europe\/Paris<\/span><\/th>/);
      assert.match(page, /<time dateTime="2026-12-01T11:30:00.000Z">01 Dec 2026, 12:30<\/time><\/td>/);
      assert.match(page, /<time dateTime="2026-11-30T08:00:00.000Z">30 Nov 2026, 09:00<\/time><\/td>/);
      // The chart's axis and tooltip are drawn in the browser; its caption and name say the zone.
      assert.match(page, /<figcaption[^>]*>Times in Europe\/Paris\.<\/figcaption>/);
      assert.match(page, /aria-label="State of [^"]* over time \(Europe\/Paris\)/);
      // No text says UTC or the UTC clock (the dateTime attributes do, as they should).
      assert.doesNotMatch(page, />[^<]*(UTC|11:30|11:45)[^<]*</);

      const board = await env.as("msspAdmin", (tx) => loadHealthBoard(tx));
      const html = renderToStaticMarkup(createElement(HealthBoardView, { board }));
      assert.match(html, /Recent changes <span[^>]*>· times in Europe\/Paris<\/span>/);
      assert.match(html, /<time dateTime="2026-12-01T11:30:00.000Z" class="[^"]*">01 Dec 2026, 12:30<\/time>/);
      assert.match(html, /Since <time dateTime="2026-12-01T11:30:00.000Z">01 Dec 2026, 12:30 Europe\/Paris<\/time>/);
      assert.doesNotMatch(html, />[^<]*(UTC|11:30)[^<]*</);

      const settings = history(await env.as("msspAdmin", (tx) => loadSettingsPage(tx, { slug: "acme" })));
      const row = settings.history[0];
      const list = renderToStaticMarkup(createElement(SettingsHistory, { rows: settings.history, auditHref: "/audit" }));
      assert.ok(list.includes(`<time dateTime="${row.at}">${formatTimeWithZone(new Date(row.at), "Europe/Paris")}</time>`), list);
      assert.ok(!list.includes(formatTimeWithZone(new Date(row.at), "UTC")), "not the UTC clock");
    } finally {
      await setZone("mssp-a", null);
    }
  });
});
