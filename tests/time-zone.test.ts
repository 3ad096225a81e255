// locale.time_zone (lib/locale/time.ts): the alert list, an alert's page and
// the audit trail show times in the zone of the tenant whose host they are on,
// inherited down the tree, the MSSP's on the console (an operator reads an
// Acme alert in the MSSP's zone, not Acme's), UTC where nothing is set. Real
// Postgres, real RLS, the settings resolver; the timeline's markup last.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AlertTimeline } from "@/components/alerts/alert-timeline";
import { AuditTable } from "@/components/audit/audit-table";
import { parseAuditFilters } from "@/lib/audit/list";
import { loadAuditPage } from "@/lib/audit/page";
import { loadAlertDetail } from "@/lib/alerts/detail";
import { parseAlertFilters } from "@/lib/alerts/list";
import { loadAlertListPage } from "@/lib/alerts/page-data";
import { formatTimeWithZone } from "@/lib/locale/time";
import { useFixtureEnv } from "./helpers/fixture-env";
import type { TenantSlug } from "./helpers/fixtures";

const env = useFixtureEnv();
const filters = parseAlertFilters({}).filters;

async function setZone(tenant: TenantSlug, zone: string | null) {
  await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'locale.time_zone'", [env.fx.tenants[tenant]]);
  if (zone) await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', $2::jsonb)", [env.fx.tenants[tenant], JSON.stringify(zone)]);
}
async function alertIn(tenant: TenantSlug): Promise<string> {
  const [row] = await env.owner<{ id: string }>(
    `insert into public.alerts (tenant_id, title, severity, source, status, detected_at) values ($1, 'zone check', 'high', 'edr', 'new', '2026-12-01T11:30:00Z') returning id`,
    [env.fx.tenants[tenant]],
  );
  return row.id;
}

describe("locale.time_zone on the alert pages", () => {
  test("nothing set: UTC on both hosts", async () => {
    const id = await alertIn("acme");
    const list = await env.as("acmeAnalyst", (tx) => loadAlertListPage(tx, filters, env.fx.tenants.acme, new Date()), "acme");
    assert.equal(list.timeZone, "UTC");
    const detail = await env.as("msspAdmin", (tx) => loadAlertDetail(tx, id, new Date()));
    assert.equal(detail?.timeZone, "UTC");
  });

  test("the host tenant's zone, inherited; the MSSP's on the console whatever the alert's tenant", async () => {
    await setZone("mssp-a", "Europe/Paris");
    await setZone("acme", "America/New_York");
    try {
      const acmeAlert = await alertIn("acme");
      const siteAlert = await alertIn("acme-eu");
      // Acme's host: Acme's own zone, for Acme's alerts and its site's.
      const list = await env.as("acmeAnalyst", (tx) => loadAlertListPage(tx, filters, env.fx.tenants.acme, new Date()), "acme");
      assert.equal(list.timeZone, "America/New_York");
      const onAcme = await env.as("acmeAnalyst", (tx) => loadAlertDetail(tx, siteAlert, new Date(), env.fx.tenants.acme), "acme");
      assert.equal(onAcme?.timeZone, "America/New_York");
      // The site's own host inherits Acme's; Globex (nothing of its own) inherits the MSSP's.
      const onSite = await env.as("acmeEuAdmin", (tx) => loadAlertDetail(tx, siteAlert, new Date(), env.fx.tenants["acme-eu"]), "acme-eu");
      assert.equal(onSite?.timeZone, "America/New_York");
      const globex = await env.as("globexAdmin", (tx) => loadAlertListPage(tx, filters, env.fx.tenants.globex, new Date()), "globex");
      assert.equal(globex.timeZone, "Europe/Paris");
      // The console: the operator's MSSP zone, also on an Acme alert.
      const consoleList = await env.as("msspAdmin", (tx) => loadAlertListPage(tx, filters, null, new Date()));
      assert.equal(consoleList.timeZone, "Europe/Paris");
      const consoleDetail = await env.as("msspAdmin", (tx) => loadAlertDetail(tx, acmeAlert, new Date()));
      assert.equal(consoleDetail?.timeZone, "Europe/Paris");
      // The audit trail: the host's zone, the MSSP's on the console; refused: UTC and no rows.
      const auditFilters = parseAuditFilters({}).filters;
      const acmeAudit = await env.as("acmeAdmin", (tx) => loadAuditPage(tx, auditFilters, env.fx.tenants.acme), "acme");
      assert.equal(acmeAudit.allowed && acmeAudit.timeZone, "America/New_York");
      const consoleAudit = await env.as("msspAdmin", (tx) => loadAuditPage(tx, auditFilters, env.fx.tenants["mssp-a"]));
      assert.equal(consoleAudit.timeZone, "Europe/Paris");
      // Another MSSP's zone is none of this: mssp-b sees UTC.
      const other = await env.as("msspBAdmin", (tx) => loadAlertListPage(tx, filters, null, new Date()));
      assert.equal(other.timeZone, "UTC");
    } finally {
      await setZone("acme", null);
      await setZone("mssp-a", null);
    }
  });

  test("the timeline names the zone after each time, in that zone's clock", () => {
    const at = new Date("2026-12-01T11:30:00Z");
    const entry = { id: "1", kind: "created", at, actorName: null, body: null } as Parameters<typeof AlertTimeline>[0]["entries"][number];
    const paris = renderToStaticMarkup(createElement(AlertTimeline, { entries: [entry], timeZone: "Europe/Paris" }));
    assert.match(paris, /<time dateTime="2026-12-01T11:30:00.000Z">01 Dec 2026, 12:30 Europe\/Paris<\/time>/);
    const utc = renderToStaticMarkup(createElement(AlertTimeline, { entries: [entry], timeZone: "UTC" }));
    assert.match(utc, />01 Dec 2026, 11:30 UTC<\/time>/);
    assert.equal(formatTimeWithZone(at, "Asia/Kolkata"), "01 Dec 2026, 17:00 Asia/Kolkata");
  });

  test("the audit table names the zone in its header and shows seconds in that zone", () => {
    const row = {
      id: "1",
      occurredAt: new Date("2026-12-01T11:30:07Z"),
      tenantId: "t",
      tenantName: "Acme",
      actorId: null,
      actorEmail: "a@example.test",
      action: "setting.set",
      targetType: "setting",
      targetId: "locale.time_zone",
      target: { type: "setting", name: "locale.time_zone" },
      outcome: "success",
      details: {},
    } as unknown as Parameters<typeof AuditTable>[0]["page"]["rows"][number];
    const html = renderToStaticMarkup(
      createElement(AuditTable, { page: { rows: [row], total: 1, page: 1, pageCount: 1 } as Parameters<typeof AuditTable>[0]["page"], filters: parseAuditFilters({}).filters, showTenant: false, timeZone: "Europe/Paris" }),
    );
    assert.match(html, />Time<span class="[^"]*normal-case[^"]*">Europe\/Paris<\/span><\/th>/);
    assert.match(html, />01 Dec 2026, 12:30:07<\/td>/);
  });
});
