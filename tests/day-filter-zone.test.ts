// The alert list's and the audit trail's day filters (from / to) cover the days of
// the zone the rows' times are shown in: the page's tenant's locale.time_zone (the
// MSSP's on the console), not UTC days. A New York customer who sees an alert at
// "01 Dec, 21:00" finds it under 1 December. Pure checks of the day arithmetic
// (daylight-saving days included), then real Postgres, RLS and the PDP.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAlertFilters } from "@/lib/alerts/list";
import { loadAlertListPage } from "@/lib/alerts/page-data";
import { loadAuditPage } from "@/lib/audit/page";
import { parseAuditFilters } from "@/lib/audit/list";
import { recordAudit } from "@/lib/audit/record";
import { withTenant } from "@/lib/db/with-tenant";
import { startOfDayIn } from "@/lib/locale/time";
import { dayRange } from "@/lib/url/list-query";
import { useFixtureEnv } from "./helpers/fixture-env";

describe("a day in a zone", () => {
  test("starts at the zone's midnight, daylight-saving days included", () => {
    const cases: Array<[string, string, string]> = [
      ["2026-12-01", "UTC", "2026-12-01T00:00:00.000Z"],
      ["2026-12-01", "America/New_York", "2026-12-01T05:00:00.000Z"],
      // The first day of summer time in New York (02:00 → 03:00) and of winter time (02:00 → 01:00).
      ["2026-03-08", "America/New_York", "2026-03-08T05:00:00.000Z"],
      ["2026-03-09", "America/New_York", "2026-03-09T04:00:00.000Z"],
      ["2026-11-01", "America/New_York", "2026-11-01T04:00:00.000Z"],
      ["2026-11-02", "America/New_York", "2026-11-02T05:00:00.000Z"],
      ["2026-03-29", "Europe/Paris", "2026-03-28T23:00:00.000Z"],
      ["2026-12-01", "Asia/Kolkata", "2026-11-30T18:30:00.000Z"],
      ["2026-12-01", "Pacific/Chatham", "2026-11-30T10:15:00.000Z"],
      // Santiago moves its clocks at midnight: on 6 September 2026 the day starts at 01:00.
      ["2026-09-06", "America/Santiago", "2026-09-06T04:00:00.000Z"],
      ["2026-04-05", "America/Santiago", "2026-04-05T04:00:00.000Z"],
    ];
    for (const [day, zone, start] of cases) assert.equal(startOfDayIn(day, zone).toISOString(), start, `${day} in ${zone}`);
  });

  test("a range covers its last day whole: 23 hours on the spring change, 25 on the autumn one", () => {
    const hours = (r: { from?: Date; before?: Date }) => (r.before!.getTime() - r.from!.getTime()) / 3_600_000;
    assert.equal(hours(dayRange("2026-03-08", "2026-03-08", "America/New_York")), 23);
    assert.equal(hours(dayRange("2026-11-01", "2026-11-01", "America/New_York")), 25);
    assert.equal(hours(dayRange("2026-12-01", "2026-12-31", "UTC")), 31 * 24);
    assert.deepEqual(dayRange(undefined, undefined, "Europe/Paris"), { from: undefined, before: undefined });
    // No zone: UTC days, as before.
    assert.equal(dayRange("2026-12-01", undefined).from!.toISOString(), "2026-12-01T00:00:00.000Z");
  });
});

describe("the pages' day filters, through RLS and the PDP", () => {
  const env = useFixtureEnv();
  // 02:00 UTC on 2 December is 21:00 on 1 December in New York.
  const DETECTED = "2026-12-02T02:00:00.000Z";
  let alertId = "";

  async function setZone(tenantId: string, zone: string | null) {
    await env.owner("delete from public.tenant_settings where tenant_id = $1 and key = 'locale.time_zone'", [tenantId]);
    if (zone) await env.owner("insert into public.tenant_settings (tenant_id, key, value) values ($1, 'locale.time_zone', $2::jsonb)", [tenantId, JSON.stringify(zone)]);
  }

  env.before(async () => {
    const [a] = await env.owner<{ id: string }>(
      `insert into public.alerts (tenant_id, title, severity, source, detected_at) values ($1, 'Zoned beacon to a rare host', 'high', 'edr', $2) returning id`,
      [env.fx.tenants.acme, DETECTED],
    );
    alertId = a.id;
  });

  const listed = async (query: Record<string, string>) => {
    const data = await withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: env.fx.tenants.acme }, (tx) =>
      loadAlertListPage(tx, parseAlertFilters(query).filters, env.fx.tenants.acme, new Date()),
    );
    const ids = data.alerts.rows.map((r) => r.id);
    return { found: ids.includes(alertId), total: data.alerts.total, rows: ids.length, zone: data.timeZone };
  };

  test("the alert list: New York's 1 December holds the alert, UTC's 2 December does (list, search and count)", async () => {
    try {
      await setZone(env.fx.tenants.acme, "America/New_York");
      for (const extra of [{}, { q: "zoned beacon" }] as Record<string, string>[]) {
        const dec1 = await listed({ from: "2026-12-01", to: "2026-12-01", ...extra });
        assert.equal(dec1.zone, "America/New_York");
        assert.ok(dec1.found, `in New York's 1 December (${JSON.stringify(extra)})`);
        // The count is the rows' (not the UTC rollups' day): every match is on this one page.
        assert.equal(dec1.total, dec1.rows);
        const dec2 = await listed({ from: "2026-12-02", to: "2026-12-02", ...extra });
        assert.ok(!dec2.found, `not in New York's 2 December (${JSON.stringify(extra)})`);
        assert.equal(dec2.total, dec2.rows);
      }
      await setZone(env.fx.tenants.acme, null);
      const utc1 = await listed({ from: "2026-12-01", to: "2026-12-01" });
      assert.equal(utc1.zone, "UTC");
      assert.ok(!utc1.found, "not in UTC's 1 December");
      assert.ok((await listed({ from: "2026-12-02", to: "2026-12-02" })).found, "in UTC's 2 December");
    } finally {
      await setZone(env.fx.tenants.acme, null);
    }
  });

  test("the audit trail: today's event is found under today in a zone whose date is not UTC's", async () => {
    const now = new Date();
    // Kiritimati (UTC+14) is a day ahead of UTC from 10:00 UTC, Pago Pago (UTC-11) a day behind until 11:00 UTC.
    const zone = now.getUTCHours() >= 10 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
    const localDay = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
    assert.notEqual(localDay, now.toISOString().slice(0, 10));
    await withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: env.fx.tenants.acme }, (tx) =>
      recordAudit(tx, { tenantId: env.fx.tenants.acme, action: "zone.day-check", targetType: "tenant", targetId: env.fx.tenants.acme, outcome: "success", details: {}, requestId: "req-zone-day" }),
    );
    const found = async (day: string) => {
      const view = await withTenant({ userId: env.fx.users.acmeAdmin, activeTenantId: env.fx.tenants.acme }, (tx) =>
        loadAuditPage(tx, parseAuditFilters({ action: "zone.day-check", from: day, to: day }).filters, env.fx.tenants.acme),
      );
      return { n: view.events.rows.length, zone: view.timeZone };
    };
    try {
      await setZone(env.fx.tenants.acme, zone);
      assert.deepEqual(await found(localDay), { n: 1, zone });
      await setZone(env.fx.tenants.acme, null);
      assert.deepEqual(await found(localDay), { n: 0, zone: "UTC" }, "UTC's day of that date is another day");
    } finally {
      await setZone(env.fx.tenants.acme, null);
    }
  });
});
